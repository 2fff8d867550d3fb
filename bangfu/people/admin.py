"""Back office for experts, teams, deployments and department services (superusers only).

An expert's pre-dispatch pay and identity number (ADR 0004) are never listed or searchable here;
the change form shows them to superusers, and the audit rows written for admin edits record them
masked, as `people.services` does.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from bangfu.core.admin import AuditedModelAdmin, ReadOnlyAuditedAdmin
from bangfu.people.models import (
    Appointment,
    AppointmentLetter,
    CoverageLink,
    Deployment,
    Expert,
    InsuranceBriefing,
    Mentorship,
    Recognition,
    SciTechApplication,
    Team,
    TitleEvaluationApplication,
)
from bangfu.people.services import expert_sensitive_changes, expert_snapshot

SENSITIVE_FIELDS = ("prior_year_pay", "id_number")


@admin.register(Expert)
class ExpertAdmin(AuditedModelAdmin):
    list_display = (
        "name",
        "sex",
        "title",
        "job_title",
        "degree",
        "specialty",
        "home_institution",
        "user",
        "is_demo",
    )
    list_filter = (
        "title",
        "degree",
        "sex",
        "leadership_qualified",
        "is_demo",
        ("home_institution", admin.RelatedOnlyFieldListFilter),
    )
    # Pay and identity number stay out of the list and the search (ADR 0004).
    search_fields = ("name", "job_title", "home_institution__name")
    list_select_related = ("specialty", "home_institution", "user")
    autocomplete_fields = ("specialty", "home_institution", "user")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "sex",
                    ("title", "job_title"),
                    "degree",
                    "specialty",
                    "home_institution",
                    "leadership_qualified",
                    "phone",
                    "user",
                    "is_demo",
                )
            },
        ),
        ("敏感信息（仅专家本人、其服务的受扶医院和省卫健委可见）", {"fields": SENSITIVE_FIELDS}),
        ("记录", {"fields": ("created_at", "updated_at")}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        """Staff who are not superusers (if ever granted access) do not get the sensitive fields."""
        fieldsets = super().get_fieldsets(request, obj)
        if getattr(request.user, "is_superuser", False):
            return fieldsets
        return [(name, opts) for name, opts in fieldsets if opts["fields"] != SENSITIVE_FIELDS]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # The pay is required, and only superusers see it here.
        return bool(getattr(request.user, "is_superuser", False)) and super().has_add_permission(
            request
        )

    def audit_snapshot(self, obj: Any) -> dict[str, object]:
        return expert_snapshot(obj)  # pay and ID number masked, as the services record them

    def audit_hidden_changes(self, previous: Any, obj: Any) -> dict[str, object]:
        return expert_sensitive_changes(previous, obj)


@admin.register(Team)
class TeamAdmin(AuditedModelAdmin):
    list_display = ("__str__", "partnership", "batch", "captain", "is_demo")
    list_filter = ("is_demo",)
    search_fields = ("partnership__recipient__name", "partnership__helper__name", "note")
    list_select_related = ("partnership__helper", "partnership__recipient", "captain")
    autocomplete_fields = ("partnership", "captain")
    readonly_fields = ("created_at", "updated_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        # __str__ names the recipient: also for the autocomplete of other pages.
        return super().get_queryset(request).select_related("partnership__recipient")


@admin.register(Deployment)
class DeploymentAdmin(AuditedModelAdmin):
    list_display = ("expert", "team", "kind", "department", "start", "planned_end", "actual_end")
    list_filter = ("kind",)
    date_hierarchy = "start"
    search_fields = ("expert__name", "team__partnership__recipient__name")
    list_select_related = (
        "expert",
        "team__partnership__helper",
        "team__partnership__recipient",
        "department",
    )
    autocomplete_fields = ("expert", "team")
    raw_id_fields = ("department",)
    readonly_fields = ("created_at", "updated_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Deployment]:
        return super().get_queryset(request).select_related("expert")


@admin.register(Appointment)
class AppointmentAdmin(AuditedModelAdmin):
    list_display = ("__str__", "post", "start", "end")
    list_filter = ("post",)
    search_fields = ("deployment__expert__name",)
    list_select_related = ("deployment__expert",)
    autocomplete_fields = ("deployment",)
    readonly_fields = ("created_at",)


@admin.register(CoverageLink)
class CoverageLinkAdmin(AuditedModelAdmin):
    list_display = ("__str__", "deployment", "department")
    search_fields = ("deployment__expert__name", "department__name")
    list_select_related = ("deployment__expert", "department")
    autocomplete_fields = ("deployment",)
    raw_id_fields = ("department",)
    readonly_fields = ("created_at",)


@admin.register(Mentorship)
class MentorshipAdmin(AuditedModelAdmin):
    list_display = ("__str__", "mentee_name", "mentee_department", "start", "end")
    search_fields = ("mentee_name", "deployment__expert__name")
    list_select_related = ("deployment__expert", "mentee_department")
    autocomplete_fields = ("deployment",)
    raw_id_fields = ("mentee_department",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(TitleEvaluationApplication)
class TitleEvaluationApplicationAdmin(AuditedModelAdmin):
    """The route, its scope and reasons are computed by `title_evaluation_route` when the
    application is filed (§五); here only the decision can be recorded or corrected."""

    list_display = ("__str__", "applied_title", "route", "status", "submitted_on", "decided_on")
    list_filter = ("status", "route", "has_entrustment_letter")
    search_fields = ("deployment__expert__name", "applied_title")
    list_select_related = ("deployment__expert",)
    readonly_fields = (
        "deployment",
        "applied_title",
        "has_entrustment_letter",
        "route",
        "valid_scope",
        "reasons",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SciTechApplication)
class SciTechApplicationAdmin(AuditedModelAdmin):
    list_display = ("project_title", "team", "programme", "status", "submitted_on")
    list_filter = ("status",)
    search_fields = ("project_title", "team__partnership__recipient__name")
    list_select_related = ("team__partnership__recipient",)
    autocomplete_fields = ("team",)
    readonly_fields = ("created_at",)


@admin.register(InsuranceBriefing)
class InsuranceBriefingAdmin(AuditedModelAdmin):
    list_display = ("__str__", "team", "attendees")
    search_fields = ("topic", "team__partnership__recipient__name")
    list_select_related = ("team__partnership__recipient",)
    autocomplete_fields = ("team",)
    date_hierarchy = "held_on"
    readonly_fields = ("created_at",)


@admin.register(AppointmentLetter)
class AppointmentLetterAdmin(AuditedModelAdmin):
    list_display = ("letter_number", "helper", "head_name", "position", "issued_on")
    search_fields = ("letter_number", "head_name", "helper__name")
    list_select_related = ("helper",)
    autocomplete_fields = ("helper",)
    readonly_fields = ("created_at",)


@admin.register(Recognition)
class RecognitionAdmin(ReadOnlyAuditedAdmin):
    """Dated 表现突出 recognitions (§六): read-only here; recognised and withdrawn through the
    service, so no past month is ever rewritten."""

    list_display = ("expert", "start", "end", "decided_by", "decided_at", "withdrawn_from")
    list_select_related = ("expert", "decided_by")
    search_fields = ("expert__name", "reason")
