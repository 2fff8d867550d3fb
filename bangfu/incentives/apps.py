from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "bangfu.incentives"
    label = "incentives"
    verbose_name = "激励保障"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bangfu.incentives.forecasts import (
            on_agreement_changed,
            on_deployment_changed,
            on_expert_changed,
        )
        from bangfu.incentives.ledger_selectors import member_care_of
        from bangfu.incentives.people_pages import expert_ledger_section
        from bangfu.incentives.reminders import insurance_reminders_due, statements_reminders_due
        from bangfu.notifications.reminder_sources import reminder_source_register
        from bangfu.partnerships.signals import agreement_changed
        from bangfu.people.contributions import expert_section_register, team_care_source_register
        from bangfu.people.signals import deployment_changed, expert_changed

        reminder_source_register("incentives.insurance", insurance_reminders_due)
        reminder_source_register("incentives.statements", statements_reminders_due)
        team_care_source_register("incentives.care", member_care_of)
        expert_section_register("incentives.ledger", expert_ledger_section)
        # The stored yearly forecasts follow their inputs, in the writer's transaction (ADR 0018).
        deployment_changed.connect(on_deployment_changed, dispatch_uid="incentives.forecasts.d")
        expert_changed.connect(on_expert_changed, dispatch_uid="incentives.forecasts.e")
        agreement_changed.connect(on_agreement_changed, dispatch_uid="incentives.forecasts.a")
