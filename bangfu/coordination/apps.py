from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "bangfu.coordination"
    verbose_name = "会商与督导"
