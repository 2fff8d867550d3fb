from django.urls import path

from bangfu.coordination import problem_views, views, workspace_views

app_name = "coordination"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("export.xlsx", views.meeting_export, name="meeting_export"),
    path("new/", views.meeting_create_view, name="meeting_create"),
    path("<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path(
        "<int:meeting_id>/attachments/",
        views.meeting_attachment_upload,
        name="meeting_attachment_upload",
    ),
    path(
        "<int:meeting_id>/attachments/<int:attachment_id>/",
        views.meeting_attachment_file,
        name="meeting_attachment_file",
    ),
    path("problems/", problem_views.problem_list, name="problem_list"),
    path("problems/new/", problem_views.problem_create_view, name="problem_create"),
    path("problems/<int:problem_id>/", problem_views.problem_detail, name="problem_detail"),
    path("workspace/", workspace_views.workspace, name="workspace"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/export.xlsx", views.task_export, name="task_export"),
    path("tasks/<int:task_id>/done/", views.task_done, name="task_done"),
]
