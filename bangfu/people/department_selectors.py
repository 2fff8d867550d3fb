"""Reads for the departments' own work on the department services (§五, §六): what waits for
each department, scoped to the user like the department-services page
(`people.selectors.*_list_for_user`)."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from bangfu.accounts.models import User
from bangfu.partnerships.models import Partnership
from bangfu.partnerships.selectors import in_force_q, partnership_filter_for_user
from bangfu.people import access
from bangfu.people.domain.scitech import (
    ACTION_LABELS,
    OPEN_STATUSES,
    scitech_next_statuses,
)
from bangfu.people.models import (
    AppointmentLetter,
    Deployment,
    InsuranceBriefing,
    SciTechApplication,
    Team,
    deployments_with_days_in,
)
from bangfu.people.selectors import scitech_application_list_for_user
from bangfu.registry.models import Institution, InstitutionCategory


def scitech_application_get_for_user(*, user: User, pk: int) -> SciTechApplication:
    """One S&T application of a team the user may read, or 404."""
    try:
        return scitech_application_list_for_user(user=user).get(pk=pk)
    except SciTechApplication.DoesNotExist as exc:
        raise Http404("未找到该科技项目申报") from exc


def scitech_open_for_user(*, user: User) -> QuerySet[SciTechApplication]:
    """Applications still waiting for the 省科技厅 (已申报 or 已受理), oldest first."""
    return (
        scitech_application_list_for_user(user=user)
        .filter(status__in=[s.value for s in OPEN_STATUSES])
        .order_by("submitted_on", "pk")
    )


def scitech_actions_for_user(
    *, user: User, application: SciTechApplication
) -> list[tuple[str, str]]:
    """(status, button label) for each change `scitech_application_set_status` would accept
    from this user now: the buttons a page offers."""
    return [
        (s.value, ACTION_LABELS[s])
        for s in scitech_next_statuses(
            application.status, role=user.role if user.is_active else "", department=user.department
        )
    ]


def teams_awaiting_briefing_for_user(*, user: User, day: date) -> QuerySet[Team]:
    """Teams the user may read with someone on site on `day` and no medical-insurance briefing
    yet: those the 省医保局 is to see briefed (§五)."""
    on_site = Deployment.objects.filter(deployments_with_days_in(day, day), team=OuterRef("pk"))
    briefed = InsuranceBriefing.objects.filter(team=OuterRef("pk"))
    return (
        Team.objects.filter(access.team_filter_for_user(user))
        .filter(Exists(on_site), ~Exists(briefed))
        .select_related("partnership__helper", "partnership__recipient")
        .order_by("partnership__recipient__name", "partnership__helper__name", "batch")
    )


def helpers_awaiting_letter_for_user(*, user: User, day: date) -> QuerySet[Institution]:
    """Helper hospitals of partnerships the user may read with an agreement in force on `day`
    whose head has no 指导专家聘书 yet: those the 省卫健委 is to issue one (§六)."""
    partnerships = Partnership.objects.filter(partnership_filter_for_user(user)).filter(
        in_force_q(day, "agreements__")
    )
    lettered = AppointmentLetter.objects.filter(helper=OuterRef("pk"))
    return (
        Institution.objects.filter(
            category=InstitutionCategory.HELPER,
            pk__in=partnerships.values("helper_id"),
        )
        .filter(~Exists(lettered))
        .order_by("name", "pk")
    )
