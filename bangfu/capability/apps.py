from django.apps import AppConfig


class CapabilityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bangfu.capability"
    verbose_name = "能力达标与一县一方案"
