from django.urls import path

from . import views

app_name = "overview"
urlpatterns = [
    path("completeness/", views.completeness, name="completeness"),
    path("districts/<str:code>/", views.district, name="district"),
    path("at-risk/", views.at_risk, name="at-risk"),
]
