from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "bangfu.policy"
    label = "policy"
    verbose_name = "政策"
    default_auto_field = "django.db.models.BigAutoField"
