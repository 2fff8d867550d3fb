from django.urls import path

from bangfu.partnerships import views

app_name = "partnerships"
urlpatterns = [
    path("", views.partnership_list, name="partnership_list"),
    path("export.xlsx", views.partnership_export, name="partnership_export"),
    path("new/", views.partnership_create_view, name="partnership_create"),
    path("new/pending", views.partnership_pending_for_recipient, name="partnership_pending"),
    path("<int:pk>/", views.partnership_detail, name="partnership_detail"),
    path(
        "<int:pk>/agreements/new/",
        views.agreement_first_create_view,
        name="agreement_first_create",
    ),
    path("agreements/<int:pk>/renew", views.agreement_renew_view, name="agreement_renew"),
    path(
        "agreements/<int:pk>/terminate", views.agreement_terminate_view, name="agreement_terminate"
    ),
    path("agreements/<int:pk>/sign", views.agreement_sign_view, name="agreement_sign"),
    path("agreements/<int:pk>/file", views.agreement_file_view, name="agreement_file"),
    path("agreements/<int:pk>/scan", views.agreement_scan, name="agreement_scan"),
    path(
        "agreements/<int:pk>/download/<str:fmt>",
        views.agreement_download,
        name="agreement_download",
    ),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/list/", views.coverage_list, name="coverage_list"),
    path("coverage/export.xlsx", views.coverage_export, name="coverage_export"),
    path("county-plans/", views.county_plan_list, name="county_plan_list"),
    path("county-plans/new/", views.county_plan_create, name="county_plan_create"),
    path("county-plans/<int:pk>/", views.county_plan_detail, name="county_plan_detail"),
    path("county-plans/<int:pk>/edit/", views.county_plan_edit, name="county_plan_edit"),
]
