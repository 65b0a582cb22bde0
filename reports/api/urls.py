from django.urls import path

from . import views

urlpatterns = [
    path("reports/", views.ReportListCreate.as_view(), name="report-list"),
    path("reports/<int:pk>/", views.ReportDetail.as_view(), name="report-detail"),
    path("reports/<int:pk>/file/", views.ReportFile.as_view(), name="report-file"),
    path("reports/<int:pk>/draft/", views.ReportDraft.as_view(), name="report-draft"),
    path("reports/<int:pk>/excel/", views.ReportExcel.as_view(), name="report-excel"),
]
