from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "bangfu.partnerships"
    label = "partnerships"
    verbose_name = "帮扶关系与协议"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bangfu.notifications.reminder_sources import reminder_source_register
        from bangfu.partnerships.reminders import agreement_reminders_due

        reminder_source_register("partnerships.agreements", agreement_reminders_due)
