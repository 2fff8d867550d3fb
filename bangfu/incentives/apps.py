from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "bangfu.incentives"
    label = "incentives"
    verbose_name = "激励保障"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bangfu.incentives.ledger_selectors import member_care_of
        from bangfu.incentives.people_pages import expert_ledger_section
        from bangfu.incentives.reminders import insurance_reminders_due
        from bangfu.notifications.reminder_sources import reminder_source_register
        from bangfu.people.contributions import expert_section_register, team_care_source_register

        reminder_source_register("incentives.insurance", insurance_reminders_due)
        team_care_source_register("incentives.care", member_care_of)
        expert_section_register("incentives.ledger", expert_ledger_section)
