from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "bangfu.incentives"
    label = "incentives"
    verbose_name = "激励保障"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bangfu.incentives.reminders import insurance_reminders_due
        from bangfu.notifications.reminder_sources import reminder_source_register

        reminder_source_register("incentives.insurance", insurance_reminders_due)
