from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bangfu.assessments"
    verbose_name = "年度自查自评"
