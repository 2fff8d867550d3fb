from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "bangfu.registry"
    label = "registry"
    verbose_name = "机构名录"
    default_auto_field = "django.db.models.BigAutoField"
