from django.urls import path

from bangfu.capability import views

app_name = "capability"
urlpatterns = [
    path("", views.summary_page, name="summary"),
    path("template.xlsx", views.template_download, name="template"),
    path("import/", views.import_page, name="import"),
    path("plans/gaps/", views.plan_gaps_page, name="plan_gaps"),
    path("plans/<int:plan_id>/<int:year>/", views.plan_year_page, name="plan_year"),
    path("<int:institution_id>/<int:year>/", views.hospital_page, name="hospital"),
    path("<int:institution_id>/<int:year>/edit", views.hospital_edit, name="hospital_edit"),
    path(
        "<int:institution_id>/<int:year>/confirm", views.hospital_confirm, name="hospital_confirm"
    ),
]
