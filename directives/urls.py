from django.urls import path

from . import views

app_name = "directives"
urlpatterns = [
    path("", views.index, name="index"),
    path("tasks/", views.task_board, name="task-board"),
    path("mine/", views.my_tasks, name="my-tasks"),
    path("tasks/new/", views.task_create, name="task-create"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("tasks/<int:pk>/updates/", views.task_update_create, name="task-update-create"),
    path("updates/<int:pk>/attachment/", views.update_attachment, name="update-attachment"),
    path("documents/", views.document_list, name="document-list"),
    path("documents/new/", views.document_create, name="document-create"),
    path("documents/<int:pk>/", views.document_detail, name="document-detail"),
    path("documents/<int:pk>/edit/", views.document_edit, name="document-edit"),
    path("documents/<int:pk>/file/", views.document_file, name="document-file"),
    path("recommendations/", views.recommendation_list, name="recommendation-list"),
    path("recommendations/new/", views.recommendation_create, name="recommendation-create"),
    path("recommendations/<int:pk>/respond/", views.recommendation_respond, name="recommendation-respond"),
]
