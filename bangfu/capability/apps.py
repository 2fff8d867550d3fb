from django.apps import AppConfig


class CapabilityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bangfu.capability"
    verbose_name = "能力达标与一县一方案"

    def ready(self) -> None:
        from bangfu.capability.services import county_plan_version_keep_on_change
        from bangfu.partnerships.signals import county_plan_changing

        county_plan_changing.connect(
            county_plan_version_keep_on_change, dispatch_uid="capability.county_plan_version_keep"
        )

        from bangfu.capability.standings import on_institution_changed
        from bangfu.registry.signals import institution_changed

        institution_changed.connect(
            on_institution_changed, dispatch_uid="capability.standings_refresh_institution"
        )

        # The stored assisted years follow the agreements and the institutions they depend on,
        # in the writer's transaction (ADR 0021).
        from bangfu.capability.assisted import on_agreement_changed
        from bangfu.capability.assisted import on_institution_changed as on_assisted_changed
        from bangfu.partnerships.signals import agreement_changed

        agreement_changed.connect(on_agreement_changed, dispatch_uid="capability.assisted.a")
        institution_changed.connect(on_assisted_changed, dispatch_uid="capability.assisted.i")
