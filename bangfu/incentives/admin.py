"""Back office for the incentives ledger (superusers only); edits are audited like the services'.

Statements are computed, not stored; the budget's stored yearly forecasts (ADR 0018) are derived
rows kept by the services and `refresh_forecasts`, so they are shown read-only, without the
amounts that reveal pay (ADR 0004).
"""

from __future__ import annotations

from django.contrib import admin

from bangfu.core.admin import AuditedModelAdmin, ReadOnlyAuditedAdmin
from bangfu.incentives.models import (
    DeploymentForecast,
    HealthCheck,
    HospitalForecast,
    InsurancePolicy,
    Payment,
    TourismCard,
    TravelClaim,
    WorkFund,
)


@admin.register(TravelClaim)
class TravelClaimAdmin(AuditedModelAdmin):
    list_display = ("deployment", "date", "amount", "has_receipt", "note")
    date_hierarchy = "date"
    search_fields = ("deployment__expert__name", "deployment__team__partnership__recipient__name")
    list_select_related = ("deployment__expert",)
    autocomplete_fields = ("deployment",)
    readonly_fields = ("created_at",)

    @admin.display(description="票据", boolean=True)
    def has_receipt(self, claim: TravelClaim) -> bool:
        return bool(claim.receipt)


@admin.register(InsurancePolicy)
class InsurancePolicyAdmin(AuditedModelAdmin):
    list_display = ("expert", "insurer", "policy_number", "coverage", "start", "end")
    list_filter = ("insurer",)
    search_fields = ("expert__name", "insurer", "policy_number")
    list_select_related = ("expert",)
    autocomplete_fields = ("expert",)
    readonly_fields = ("created_at",)


@admin.register(HealthCheck)
class HealthCheckAdmin(AuditedModelAdmin):
    list_display = ("expert", "checked_on", "provider")
    date_hierarchy = "checked_on"
    search_fields = ("expert__name", "provider")
    list_select_related = ("expert",)
    autocomplete_fields = ("expert",)
    readonly_fields = ("created_at",)


@admin.register(TourismCard)
class TourismCardAdmin(AuditedModelAdmin):
    list_display = ("card_number", "expert", "issued_on", "expires_on", "electronic")
    list_filter = ("electronic",)
    search_fields = ("card_number", "expert__name")
    list_select_related = ("expert",)
    autocomplete_fields = ("expert",)
    readonly_fields = ("created_at",)


@admin.register(WorkFund)
class WorkFundAdmin(AuditedModelAdmin):
    list_display = ("recipient", "year", "amount", "note")
    list_filter = ("year",)
    search_fields = ("recipient__name",)
    list_select_related = ("recipient",)
    autocomplete_fields = ("recipient",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAuditedAdmin):
    """Frozen payment records (核定支付): read-only. The lines and the total are left out — a
    salary top-up reveals pay (ADR 0004); they are read on the scoped payment page."""

    fields = (
        "expert",
        "recipient",
        "period_start",
        "period_end",
        "policy_version",
        "basis",
        "approved_by",
        "approved_at",
    )
    list_display = (
        "expert",
        "recipient",
        "period_start",
        "period_end",
        "approved_by",
        "approved_at",
    )
    list_select_related = ("expert", "recipient", "approved_by")
    search_fields = ("expert__name", "recipient__name")


@admin.register(DeploymentForecast)
class DeploymentForecastAdmin(ReadOnlyAuditedAdmin):
    """A deployment's forecast for a year: derived (`refresh_forecasts` repairs it). The amounts
    are left out — the salary top-up reveals pay; they are read on the scoped budget page."""

    fields = ("deployment", "year", "recipient", "expert", "round_trips")
    list_display = ("deployment", "year", "recipient", "round_trips")
    list_filter = ("year",)
    list_select_related = ("deployment__expert", "deployment__team", "recipient")
    search_fields = ("recipient__name", "expert__name")


@admin.register(HospitalForecast)
class HospitalForecastAdmin(ReadOnlyAuditedAdmin):
    """A recipient hospital's forecast for a year: sums of its deployments' forecasts (derived);
    the pay-derived sums are left out as above."""

    fields = ("recipient", "year", "deployments", "round_trips", "work_fund", "pay_people")
    list_display = ("recipient", "year", "deployments", "round_trips", "work_fund")
    list_filter = ("year",)
    list_select_related = ("recipient",)
    search_fields = ("recipient__name",)
