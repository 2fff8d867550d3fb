from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "bangfu.coordination"
    verbose_name = "会商与督导"

    def ready(self) -> None:
        from bangfu.coordination.reminders import task_reminders_due
        from bangfu.notifications.reminder_sources import reminder_source_register

        reminder_source_register("coordination.tasks", task_reminders_due)
