from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "bangfu.matching"
    label = "matching"
    verbose_name = "结对匹配"
    default_auto_field = "django.db.models.BigAutoField"
