from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "bangfu.partnerships"
    label = "partnerships"
    verbose_name = "帮扶关系与协议"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bangfu.accounts.models import Role
        from bangfu.notifications.reminder_sources import reminder_source_register
        from bangfu.partnerships import coverage_store, gap_store
        from bangfu.partnerships.registry_pages import register as registry_pages_register
        from bangfu.partnerships.reminders import agreement_reminders_due
        from bangfu.partnerships.scope import partner_recipient_filter
        from bangfu.partnerships.services import on_institution_changed
        from bangfu.partnerships.signals import agreement_changed
        from bangfu.registry.scope import institution_widening_register
        from bangfu.registry.signals import county_changed, institution_changed

        reminder_source_register("partnerships.agreements", agreement_reminders_due)
        institution_widening_register(
            role=Role.HELPER,
            name="partnerships.partner_recipients",
            widening=partner_recipient_filter,
        )
        # The registry's county list filter and its pages' partnership sections.
        registry_pages_register()
        # The stored gaps follow the agreements and the recipient's county, in the writer's
        # transaction (ADR 0023).
        agreement_changed.connect(
            gap_store.on_agreement_changed, dispatch_uid="partnerships.gaps.a"
        )
        institution_changed.connect(
            gap_store.on_institution_changed, dispatch_uid="partnerships.gaps.i"
        )
        # The stored in-force spans follow the agreements, their helpers' province and grade,
        # their recipients' county and its prefecture, in the writer's transaction (ADR 0022).
        agreement_changed.connect(
            coverage_store.on_agreement_changed, dispatch_uid="partnerships.coverage.a"
        )
        institution_changed.connect(
            coverage_store.on_institution_changed, dispatch_uid="partnerships.coverage.i"
        )
        county_changed.connect(
            coverage_store.on_county_changed, dispatch_uid="partnerships.coverage.c"
        )
        # The partnerships' stored sort key follows a party's rename or move, in registry's
        # transaction (ADR 0024).
        institution_changed.connect(on_institution_changed, dispatch_uid="partnerships.sort_key")
