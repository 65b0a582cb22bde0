from django.urls import path

from . import views, workbooks

urlpatterns = [
    path("criteria-sets/", views.CriteriaSetList.as_view(), name="criteria-set-list"),
    path("commune-groups/", views.CommuneGroups.as_view(), name="commune-groups"),
    path("workbooks/", workbooks.WorkbookView.as_view(), name="workbooks"),
    path("communes/<str:code>/assessments/<str:period>/", views.AssessmentDetail.as_view(), name="assessment-detail"),
    path(
        "communes/<str:code>/assessments/<str:period>/submit/",
        views.AssessmentAction.as_view(action_name="submit"), name="assessment-submit",
    ),
    path(
        "communes/<str:code>/assessments/<str:period>/approve/",
        views.AssessmentAction.as_view(action_name="approve"), name="assessment-approve",
    ),
    path(
        "communes/<str:code>/assessments/<str:period>/return/",
        views.AssessmentAction.as_view(action_name="return"), name="assessment-return",
    ),
    path(
        "communes/<str:code>/assessments/<str:period>/reopen/",
        views.AssessmentAction.as_view(action_name="reopen"), name="assessment-reopen",
    ),
    path(
        "communes/<str:code>/assessments/<str:period>/history/",
        views.AssessmentHistory.as_view(), name="assessment-history",
    ),
]
