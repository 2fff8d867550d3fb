from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "bangfu.jobs"
    verbose_name = "后台任务"
