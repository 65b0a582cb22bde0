from django.urls import path

from . import views

urlpatterns = [
    path("agencies/", views.AgencyListCreate.as_view(), name="directives-agency-list"),
    path("documents/", views.DocumentListCreate.as_view(), name="directives-document-list"),
    path("documents/<int:pk>/", views.DocumentDetail.as_view(), name="directives-document-detail"),
    path("tasks/", views.TaskListCreate.as_view(), name="directives-task-list"),
    path("tasks/<int:pk>/", views.TaskDetail.as_view(), name="directives-task-detail"),
    path("tasks/<int:pk>/updates/", views.TaskUpdateCreate.as_view(), name="directives-task-update-list"),
]
