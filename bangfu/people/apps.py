from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "bangfu.people"
    label = "people"
    verbose_name = "专家与帮扶队"
    default_auto_field = "django.db.models.BigAutoField"
