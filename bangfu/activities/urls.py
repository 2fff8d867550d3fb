from django.urls import path

from bangfu.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="activity_list"),
    path("export.xlsx", views.activity_export, name="activity_export"),
    path("new/", views.activity_create_view, name="activity_create"),
    path("template.xlsx", views.activity_template, name="activity_template"),
    path("import/", views.activity_import_view, name="activity_import"),
    path("progress/", views.progress_overview, name="progress_overview"),
    path(
        "progress/partnership/<int:pk>/",
        views.partnership_progress_view,
        name="partnership_progress",
    ),
    path("<int:pk>/", views.activity_detail, name="activity_detail"),
    path("<int:pk>/confirm", views.activity_confirm_view, name="activity_confirm"),
    path("<int:pk>/delete", views.activity_delete_view, name="activity_delete"),
    path("<int:pk>/evidence", views.activity_evidence_view, name="activity_evidence"),
    path(
        "<int:pk>/evidence/<int:evidence_id>",
        views.evidence_download,
        name="evidence_download",
    ),
]
