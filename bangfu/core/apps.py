from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bangfu.core"
    label = "core"
    verbose_name = "核心"
    default_auto_field = "django.db.models.BigAutoField"
