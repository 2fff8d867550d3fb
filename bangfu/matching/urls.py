from django.urls import path

from bangfu.matching import views

app_name = "matching"
urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("rounds/export.xlsx", views.round_list_export, name="round_list_export"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/export.xlsx", views.round_export, name="round_export"),
    path("rounds/<int:pk>/capacity", views.round_capacity, name="round_capacity"),
    path("rounds/<int:pk>/rerun", views.round_rerun, name="round_rerun"),
    path("rounds/<int:pk>/accept", views.round_accept, name="round_accept"),
    path("needs/", views.needs_list, name="needs_list"),
    path("needs/export.xlsx", views.needs_list_export, name="needs_list_export"),
    path("needs/<int:pk>/", views.needs_detail, name="needs_detail"),
    path("needs/<int:pk>/preferences", views.preferences_edit, name="preferences_edit"),
    path(
        "rounds/<int:pk>/proposals/<int:proposal_pk>/exclude",
        views.proposal_exclude,
        name="proposal_exclude",
    ),
]
