from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="report-list"),
    path("new/", views.report_request, name="report-request"),
    path("<int:pk>/", views.report_detail, name="report-detail"),
    path("<int:pk>/pdf/", views.report_download, name="report-download"),
    path("<int:pk>/draft/", views.report_draft, name="report-draft"),
    path("<int:pk>/issue/", views.report_issue, name="report-issue"),
    path("<int:pk>/excel/", views.report_excel, name="report-excel"),
]
