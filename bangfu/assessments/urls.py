from django.urls import path

from bangfu.assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.board, name="board"),
    path("export.xlsx", views.board_export, name="board_export"),
    path("open/", views.open_year, name="open_year"),
    path("<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("<int:pk>/act/<str:action>", views.assessment_action, name="assessment_action"),
    path("<int:pk>/attachments", views.attachment_add, name="attachment_add"),
    path(
        "<int:pk>/attachments/<int:attachment_id>",
        views.attachment_download,
        name="attachment_download",
    ),
    path("<int:pk>/assessment.docx", views.assessment_docx, name="assessment_docx"),
    path("<int:pk>/assessment.pdf", views.assessment_pdf, name="assessment_pdf"),
]
