from django.urls import path

from bangfu.overview import report_views, views

app_name = "overview"

urlpatterns = [
    path("map/", views.county_map, name="county_map"),
    path("goals/", views.goals_panel, name="goals_panel"),
    path("reports/", report_views.report_page, name="report_page"),
    path("reports/<int:report_id>/download/", report_views.report_download, name="report_download"),
]
