from django.urls import path

from bangfu.registry import views

app_name = "registry"
urlpatterns = [
    path("prefectures/", views.prefecture_list, name="prefecture_list"),
    path("prefectures/<str:code>/", views.prefecture_detail, name="prefecture_detail"),
    path("counties/", views.county_list, name="county_list"),
    path("counties/export.xlsx", views.county_export, name="county_export"),
    path("counties/<str:code>/", views.county_detail, name="county_detail"),
    path("counties/<str:code>/programme-group", views.county_set_group, name="county_set_group"),
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/export.xlsx", views.institution_export, name="institution_export"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution_detail"),
    path("institutions/<int:pk>/edit", views.institution_edit, name="institution_edit"),
]
