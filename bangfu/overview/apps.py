from django.apps import AppConfig


class OverviewConfig(AppConfig):
    name = "bangfu.overview"
    verbose_name = "总览"
