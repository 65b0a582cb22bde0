from django.urls import path

from .views import assessment, authoring, catalogue, excel, groups, lists, periods

app_name = "criteria"
urlpatterns = [
    path("catalogue/", catalogue.catalogue, name="catalogue"),
    path("periods/", periods.period_sets, name="period-sets"),
    path("catalogue/<str:set_code>/indicators/<str:code>/", catalogue.indicator_edit, name="indicator-edit"),
    path("catalogue/<str:set_code>/groups/", groups.commune_groups, name="commune-groups"),
    path("catalogue/<str:set_code>/draft/", authoring.set_draft, name="set-draft"),
    path("catalogue/<str:set_code>/versions/", authoring.set_versions, name="set-versions"),
    path("catalogue/<str:set_code>/export/", authoring.set_export, name="set-export"),
    path("review/", lists.review_queue, name="review-queue"),
    path("returned/", lists.my_returned, name="my-returned"),
    path("excel/", excel.excel_page, name="excel"),
    path("excel/download/", excel.excel_download, name="excel-download"),
    path("excel/upload/", excel.excel_upload, name="excel-upload"),
    path("excel/result/", excel.excel_result, name="excel-result"),
    path("evidence/<int:value_id>/", assessment.evidence_download, name="evidence-download"),
    path("communes/<str:code>/history/", lists.commune_history, name="commune-history"),
    path("communes/<str:code>/<str:period>/", assessment.assessment_edit, name="assessment-edit"),
    path("communes/<str:code>/<str:period>/rows/<str:indicator>/", assessment.assessment_row, name="assessment-row"),
    path("communes/<str:code>/<str:period>/workflow/", assessment.assessment_workflow, name="assessment-workflow"),
    path("communes/<str:code>/<str:period>/reevaluate/", authoring.assessment_reevaluate_view, name="assessment-reevaluate"),
    path(
        "communes/<str:code>/<str:period>/criteria/<int:number>/appraise/",
        assessment.criterion_appraise, name="criterion-appraise",
    ),
]
