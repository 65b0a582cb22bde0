from django.urls import path

from .summary import SummaryView

urlpatterns = [
    path("summary/", SummaryView.as_view(), name="summary"),
]
