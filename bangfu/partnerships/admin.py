"""Back office for partnerships, agreements and county plans (superusers only).

An agreement's status is computed from its dates and today (ADR 0001), so it is shown read-only
and filtered in Python, by the same `agreement_status` the pages use. Many-to-many choices are
saved after the row, so they get their own audit row when they change.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from bangfu.core.admin import AuditedModelAdmin, ViewOnlyAdmin
from bangfu.core.audit import audit_record
from bangfu.partnerships.domain.lifecycle import AgreementStatus, StatusResult, agreement_status
from bangfu.partnerships.models import (
    Agreement,
    AgreementMeasure,
    AgreementSpan,
    CountyCoverageSpan,
    CountyPlan,
    Partnership,
    PartnershipGap,
)
from bangfu.partnerships.selectors import agreement_facts, today_local
from bangfu.partnerships.services import partnership_sort_keys_write
from bangfu.policy.loader import load_policy


class RelationsAuditedAdmin(AuditedModelAdmin):
    """Also audits the many-to-many fields named in `audited_relations`."""

    audited_relations: tuple[str, ...] = ()

    def _relation_ids(self, obj: Any) -> dict[str, list[int]]:
        return {
            name: sorted(getattr(obj, name).values_list("pk", flat=True))
            for name in self.audited_relations
        }

    def save_related(
        self,
        request: HttpRequest,
        form: ModelForm,  # type: ignore[type-arg]
        formsets: Any,
        change: bool,
    ) -> None:
        obj = form.instance
        before = (
            self._relation_ids(obj) if change else {name: [] for name in self.audited_relations}
        )
        super().save_related(request, form, formsets, change)
        after = self._relation_ids(obj)
        changed = [name for name in self.audited_relations if before[name] != after[name]]
        if changed:
            audit_record(
                actor=request.user,  # type: ignore[arg-type]
                action="update",
                obj=obj,
                before={name: before[name] for name in changed},
                after={name: after[name] for name in changed},
                note="后台管理（关联）",
            )


@admin.register(Partnership)
class PartnershipAdmin(RelationsAuditedAdmin):
    audited_relations = ("leading_institutions",)
    list_display = ("__str__", "helper", "recipient", "modes", "is_demo")
    list_filter = ("is_demo", ("recipient__county__prefecture", admin.RelatedOnlyFieldListFilter))
    search_fields = ("helper__name", "recipient__name")
    list_select_related = ("helper", "recipient")
    autocomplete_fields = ("helper", "recipient", "leading_institutions")
    readonly_fields = ("created_at", "updated_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Partnership]:
        # __str__ names both hospitals: also for the autocomplete of other pages.
        return super().get_queryset(request).select_related("helper", "recipient")

    def save_model(
        self,
        request: HttpRequest,
        obj: Partnership,
        form: ModelForm,  # type: ignore[type-arg]
        change: bool,
    ) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            # A partnership added here, or given another helper or recipient, sorts by its
            # parties as one the services wrote (ADR 0024).
            partnership_sort_keys_write(Partnership.objects.filter(pk=obj.pk))


def _agreement_status(agreement: Agreement) -> StatusResult | None:
    if agreement.pk is None:
        return None
    has_next = getattr(agreement, "has_next_cycle", None)
    if has_next is None:
        has_next = Agreement.objects.filter(previous=agreement).exists()
    facts = agreement_facts(agreement, has_next_cycle=bool(has_next))
    return agreement_status(facts, today_local(), load_policy().cycle.expiring_window_days)


class AgreementStatusFilter(admin.SimpleListFilter):
    title = "状态"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(s.value, s.label) for s in AgreementStatus]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        wanted = self.value()
        if not wanted:
            return queryset
        ids = [
            a.pk
            for a in queryset
            if (result := _agreement_status(a)) is not None and result.status == wanted
        ]
        return queryset.filter(pk__in=ids)


class AgreementMeasureInline(admin.TabularInline):  # type: ignore[type-arg]
    """Shown for context; measures are edited on their own page, where edits are audited."""

    model = AgreementMeasure
    fields = ("code", "targets")
    readonly_fields = ("code", "targets")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Agreement)
class AgreementAdmin(AuditedModelAdmin):
    list_display = (
        "__str__",
        "cycle_number",
        "start",
        "end",
        "signed_on",
        "terminated_on",
        "status_label",
    )
    list_filter = (AgreementStatusFilter, "helper_exception", "policy_id")
    search_fields = ("partnership__helper__name", "partnership__recipient__name", "party_c")
    list_select_related = ("partnership__helper", "partnership__recipient")
    autocomplete_fields = ("partnership", "previous")
    readonly_fields = ("status_label", "status_reasons", "created_at", "updated_at")
    inlines = [AgreementMeasureInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agreement]:
        queryset: QuerySet[Agreement] = super().get_queryset(request)
        return queryset.select_related("partnership__helper", "partnership__recipient").annotate(
            has_next_cycle=Exists(Agreement.objects.filter(previous=OuterRef("pk")))
        )

    @admin.display(description="状态（按日期计算）")
    def status_label(self, agreement: Agreement) -> str:
        result = _agreement_status(agreement)
        return result.status.label if result is not None else "—"

    @admin.display(description="状态依据")
    def status_reasons(self, agreement: Agreement) -> str:
        result = _agreement_status(agreement)
        return "；".join(result.reasons) if result is not None else "—"


@admin.register(AgreementMeasure)
class AgreementMeasureAdmin(AuditedModelAdmin):
    list_display = ("agreement", "code")
    list_filter = ("code",)
    search_fields = (
        "code",
        "agreement__partnership__helper__name",
        "agreement__partnership__recipient__name",
    )
    autocomplete_fields = ("agreement",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AgreementMeasure]:
        return (
            super()
            .get_queryset(request)
            .select_related("agreement__partnership__helper", "agreement__partnership__recipient")
        )


@admin.register(CountyPlan)
class CountyPlanAdmin(RelationsAuditedAdmin):
    audited_relations = ("specialties", "agreements")
    list_display = ("__str__", "county", "cycle_start", "cycle_end")
    list_filter = (("county__prefecture", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("county__name", "goals")
    list_select_related = ("county",)
    autocomplete_fields = ("county", "specialties", "agreements")
    readonly_fields = ("created_at", "updated_at")


# The stored coverage rows, to look at only: derived (ADR 0022), written by `coverage_store`
# alone; `refresh_coverage` repairs them.


@admin.register(AgreementSpan)
class AgreementSpanAdmin(ViewOnlyAdmin):
    """An agreement's days in force, its county and whether its helper counts toward §一."""

    list_display = ("agreement", "county", "counts", "first_day", "last_day", "end")
    list_filter = ("counts", ("county__prefecture", admin.RelatedOnlyFieldListFilter))
    search_fields = ("partnership__recipient__name", "partnership__helper__name")
    list_select_related = (
        "agreement__partnership__helper",
        "agreement__partnership__recipient",
        "county",
    )


@admin.register(CountyCoverageSpan)
class CountyCoverageSpanAdmin(ViewOnlyAdmin):
    """A run of days on which a county is covered (its counting spans merged)."""

    list_display = ("county", "first_day", "last_day")
    list_filter = (("county__prefecture", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("county__name",)
    list_select_related = ("county",)


@admin.register(PartnershipGap)
class PartnershipGapAdmin(ViewOnlyAdmin):
    """A stored 断档 (ADR 0023), written by `gap_store` alone; `refresh_gaps` repairs them."""

    list_display = ("partnership", "after", "before", "first_day", "last_day", "county")
    list_filter = (("county__prefecture", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("partnership__recipient__name", "partnership__helper__name")
    list_select_related = (
        "partnership__helper",
        "partnership__recipient",
        "after__partnership__helper",
        "after__partnership__recipient",
        "before__partnership__helper",
        "before__partnership__recipient",
        "county",
    )
