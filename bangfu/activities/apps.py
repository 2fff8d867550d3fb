from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bangfu.activities"
    verbose_name = "帮扶活动与成效"
