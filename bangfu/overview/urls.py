from django.urls import path

from bangfu.overview import views

app_name = "overview"

urlpatterns = [
    path("map/", views.county_map, name="county_map"),
]
