"""Back office for matching (superusers only).

Needs and preferences are inputs and may be corrected here. Rounds and their proposals are the
record of what a run decided and why (§三(二)); they are changed only through the matching
services (accepting creates partnerships), so here they are read-only.
"""

from __future__ import annotations

from django.contrib import admin

from bangfu.core.admin import AuditedModelAdmin, ReadOnlyAuditedAdmin
from bangfu.matching.models import MatchingProposal, MatchingRound, MatchPreference, RecipientNeed


@admin.register(RecipientNeed)
class RecipientNeedAdmin(AuditedModelAdmin):
    list_display = ("institution", "specialty", "referrals_3y", "disease", "weak", "gap", "is_demo")
    list_filter = ("weak", "gap", "is_demo")
    search_fields = ("institution__name", "specialty__name", "disease")
    list_select_related = ("institution", "specialty")
    autocomplete_fields = ("institution", "specialty")
    readonly_fields = ("updated_at",)


@admin.register(MatchPreference)
class MatchPreferenceAdmin(AuditedModelAdmin):
    list_display = ("institution", "choice_count", "updated_at")
    search_fields = ("institution__name",)
    list_select_related = ("institution",)
    autocomplete_fields = ("institution",)
    readonly_fields = ("updated_at",)

    @admin.display(description="志愿数")
    def choice_count(self, preference: MatchPreference) -> int:
        return len(preference.ranked_ids or [])


ReadOnlyAdmin = ReadOnlyAuditedAdmin


@admin.register(MatchingRound)
class MatchingRoundAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "method",
        "prefecture",
        "recipient_count",
        "helper_count",
        "matched_count",
        "objective",
        "created_by",
        "created_at",
    )
    list_filter = ("method", "prefecture")
    list_select_related = ("prefecture", "created_by")
    search_fields = ("created_by__username",)


@admin.register(MatchingProposal)
class MatchingProposalAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "recipient", "helper", "fit_total", "status", "partnership")
    list_filter = ("status",)
    search_fields = ("recipient__name", "helper__name")
    list_select_related = (
        "round",
        "recipient",
        "helper",
        "partnership__helper",
        "partnership__recipient",
    )
    raw_id_fields = ("round",)
