from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "bangfu.partnerships"
    label = "partnerships"
    verbose_name = "帮扶关系与协议"
    default_auto_field = "django.db.models.BigAutoField"
