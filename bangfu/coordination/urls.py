from django.urls import path

from bangfu.coordination import views

app_name = "coordination"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("export.xlsx", views.meeting_export, name="meeting_export"),
    path("new/", views.meeting_create_view, name="meeting_create"),
    path("<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/export.xlsx", views.task_export, name="task_export"),
    path("tasks/<int:task_id>/done/", views.task_done, name="task_done"),
]
