from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "bangfu.incentives"
    label = "incentives"
    verbose_name = "激励保障"
    default_auto_field = "django.db.models.BigAutoField"
