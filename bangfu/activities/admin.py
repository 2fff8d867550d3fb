from __future__ import annotations

from django.contrib import admin

from bangfu.activities.models import Activity, ActivityEvidence
from bangfu.core.admin import AuditedModelAdmin


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
