from __future__ import annotations

from django.contrib import admin

from bangfu.activities.models import (
    Activity,
    ActivityEvidence,
    AgreementYearCount,
    AgreementYearProgress,
    MeasureYearCount,
    MeasureYearProgress,
)
from bangfu.core.admin import AuditedModelAdmin, ReadOnlyAuditedAdmin


@admin.register(Activity)
class ActivityAdmin(AuditedModelAdmin):
    """Read and correct records in the back office; confirmation happens on the pages."""

    list_display = ("__str__", "partnership", "kind", "recorded_side", "confirmed_at", "is_demo")
    list_filter = ("kind", "recorded_side", "is_demo")
    search_fields = ("title", "external_id", "partnership__recipient__name")
    list_select_related = ("partnership__helper", "partnership__recipient")
    raw_id_fields = ("partnership", "experts", "recorded_by", "confirmed_by")
    date_hierarchy = "date"


@admin.register(ActivityEvidence)
class ActivityEvidenceAdmin(AuditedModelAdmin):
    list_display = ("original_name", "activity", "content_type", "size", "created_at")
    raw_id_fields = ("activity", "uploaded_by")


@admin.register(AgreementYearProgress)
class AgreementYearProgressAdmin(ReadOnlyAuditedAdmin):
    """An agreement's progress of a year: derived (`refresh_progress` repairs it, ADR 0020)."""

    list_display = ("agreement", "year", "partnership", "first", "last")
    list_filter = ("year",)
    list_select_related = ("agreement", "partnership__helper", "partnership__recipient")
    search_fields = ("partnership__recipient__name", "partnership__helper__name")
    raw_id_fields = ("agreement", "partnership", "county", "prefecture")


@admin.register(MeasureYearProgress)
class MeasureYearProgressAdmin(ReadOnlyAuditedAdmin):
    """One measure of an agreement-year: derived (`refresh_progress` repairs it, ADR 0020)."""

    list_display = ("agreement_year", "code", "target", "achieved", "met", "behind_from")
    list_filter = ("code", "met", "any_record")
    list_select_related = ("agreement_year",)
    raw_id_fields = ("agreement_year",)


@admin.register(AgreementYearCount)
class AgreementYearCountAdmin(ReadOnlyAuditedAdmin):
    """Agreement-years counted per region and first day behind: derived (ADR 0020)."""

    list_display = ("year", "county", "prefecture", "behind_from", "n")
    list_filter = ("year",)
    list_select_related = ("county", "prefecture")


@admin.register(MeasureYearCount)
class MeasureYearCountAdmin(ReadOnlyAuditedAdmin):
    """Measure-years counted per region, measure and status facts: derived (ADR 0020)."""

    list_display = ("year", "county", "code", "met", "any_record", "behind_from", "n")
    list_filter = ("year", "code", "met", "any_record")
    list_select_related = ("county",)
