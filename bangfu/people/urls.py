from django.urls import path

from bangfu.people import scitech_views, views

app_name = "people"
urlpatterns = [
    path("experts/", views.expert_list, name="expert_list"),
    path("experts/export.xlsx", views.expert_export, name="expert_export"),
    path("experts/new/", views.expert_create_view, name="expert_create"),
    path("experts/<int:pk>/", views.expert_detail, name="expert_detail"),
    path("experts/<int:pk>/edit/", views.expert_edit, name="expert_edit"),
    path(
        "experts/<int:pk>/recognitions/new",
        views.recognition_create_view,
        name="recognition_create",
    ),
    path(
        "experts/<int:pk>/recognitions/<int:recognition_pk>/withdraw",
        views.recognition_withdraw_view,
        name="recognition_withdraw",
    ),
    path("teams/", views.team_list, name="team_list"),
    path("teams/export.xlsx", views.team_export, name="team_export"),
    path("teams/new/", views.team_create_view, name="team_create"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/captain", views.team_captain, name="team_captain"),
    path("teams/<int:pk>/deployments/new/", views.deployment_create_view, name="deployment_create"),
    path("teams/<int:pk>/coverage-links", views.coverage_link_add_view, name="coverage_link_add"),
    path(
        "teams/<int:pk>/coverage-links/<int:link_pk>/delete",
        views.coverage_link_remove_view,
        name="coverage_link_remove",
    ),
    path("teams/<int:pk>/mentorships/new/", views.mentorship_create_view, name="mentorship_create"),
    path(
        "teams/<int:pk>/mentorships/<int:mentorship_pk>/outcome/",
        views.mentorship_outcome,
        name="mentorship_outcome",
    ),
    path("deployments/", views.deployment_list, name="deployment_list"),
    path("deployments/export.xlsx", views.deployment_export, name="deployment_export"),
    path("deployments/<int:pk>/edit/", views.deployment_edit, name="deployment_edit"),
    path("deployments/<int:pk>/end/", views.deployment_end_view, name="deployment_end"),
    path(
        "deployments/<int:pk>/appointments/new/",
        views.appointment_create_view,
        name="appointment_create",
    ),
    path("department-services/", views.department_services, name="department_services"),
    path(
        "department-services/title-applications/new/",
        views.title_application_create_view,
        name="title_application_create",
    ),
    path(
        "department-services/title-applications/<int:pk>/decide/",
        views.title_application_decide_view,
        name="title_application_decide",
    ),
    path("department-services/scitech/new/", views.scitech_create_view, name="scitech_create"),
    path(
        "department-services/scitech/<int:pk>/status/",
        scitech_views.scitech_status_view,
        name="scitech_status",
    ),
    path("department-services/briefings/new/", views.briefing_create_view, name="briefing_create"),
    path("department-services/letters/new/", views.letter_create_view, name="letter_create"),
]
