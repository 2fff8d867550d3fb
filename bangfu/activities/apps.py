from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bangfu.activities"
    verbose_name = "帮扶活动与成效"

    def ready(self) -> None:
        from bangfu.activities.progress_store import (
            on_agreement_changed,
            on_county_changed,
            on_institution_changed,
        )
        from bangfu.partnerships.signals import agreement_changed
        from bangfu.registry.signals import county_changed, institution_changed

        # The stored progress follows the agreements' terms, in the writer's transaction
        # (ADR 0020).
        agreement_changed.connect(on_agreement_changed, dispatch_uid="activities.progress.a")
        # ... and the recipient's county (the rows' region).
        institution_changed.connect(on_institution_changed, dispatch_uid="activities.progress.i")
        # ... and its county's prefecture.
        county_changed.connect(on_county_changed, dispatch_uid="activities.progress.c")
