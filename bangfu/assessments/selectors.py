"""Reads of the yearly self-assessments, scoped to the user (§七, issue #12).

Read scope: the assessments of the agreements whose partnership the user may read
(`partnerships.selectors.partnership_filter_for_user`): the province and observers all, a
prefecture its counties, a county its own, a recipient hospital its own, a helper hospital its
partnerships, an expert those it is deployed on. Out of scope is 404, never 403.

Who edits a draft (both sides of the partnership, §七 帮受双方): the recipient hospital's users
its ratings and narrative; the helper hospital's users the helper's comments. Who acts in the
review chain: `domain.review` with the level of the user's role.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from bangfu.accounts.models import Role, User
from bangfu.activities.domain.progress import MeasureProgress
from bangfu.activities.selectors import partnership_progress, signed_periods
from bangfu.assessments.domain.review import (
    HOLDER,
    LEVEL_BY_CODE,
    NOT_SUBMITTED,
    Action,
    Level,
    Status,
    actions_available,
    level_of_role,
    rating_from,
)
from bangfu.assessments.domain.year import in_force_during, is_overdue
from bangfu.assessments.models import Approval, Assessment
from bangfu.core.clock import today_local as today_local
from bangfu.partnerships.models import Agreement, Partnership
from bangfu.partnerships.selectors import partnership_filter_for_user
from bangfu.policy.loader import load_policy
from bangfu.registry.scope import scope_for_user

# ---- scope ----


def assessment_filter_for_user(user: User) -> Q:
    return Q(
        agreement__partnership__in=Partnership.objects.filter(partnership_filter_for_user(user))
    )


def _base() -> QuerySet[Assessment]:
    return Assessment.objects.select_related(
        "agreement__partnership__helper",
        "agreement__partnership__recipient__county__prefecture",
    ).prefetch_related(
        Prefetch("approvals", queryset=Approval.objects.select_related("by").order_by("at", "pk"))
    )


@dataclass(frozen=True)
class AssessmentFilters:
    year: int | None = None
    status: str = ""
    county: str = ""


def assessment_list_for_user(
    *, user: User, filters: AssessmentFilters | None = None
) -> QuerySet[Assessment]:
    filters = filters or AssessmentFilters()
    qs = _base().filter(assessment_filter_for_user(user))
    if filters.year is not None:
        qs = qs.filter(year=filters.year)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.county:
        qs = qs.filter(agreement__partnership__recipient__county__code=filters.county)
    return qs.order_by(
        "-year", "agreement__partnership__recipient__county__code", "agreement__pk", "pk"
    )


def assessment_get_for_user(*, user: User, pk: int) -> Assessment:
    try:
        return _base().filter(assessment_filter_for_user(user)).get(pk=pk)
    except Assessment.DoesNotExist as exc:
        raise Http404("未找到该自查自评") from exc


# ---- who may do what ----


class Editor(StrEnum):
    RECIPIENT = "recipient"
    HELPER = "helper"


def assessment_editor(user: User, assessment: Assessment) -> Editor | None:
    """Which side of the partnership the user edits the draft for, or None (module doc)."""
    scope = scope_for_user(user)
    partnership = assessment.agreement.partnership
    if scope.role == Role.RECIPIENT and partnership.recipient_id == scope.institution_id:
        return Editor.RECIPIENT
    if scope.role == Role.HELPER and partnership.helper_id == scope.institution_id:
        return Editor.HELPER
    return None


def user_level(user: User) -> Level | None:
    return level_of_role(scope_for_user(user).role)


def last_level(assessment: Assessment) -> Level | None:
    """The level of the latest recorded step (approvals prefetched in time order)."""
    approvals = list(assessment.approvals.all())
    return LEVEL_BY_CODE.get(approvals[-1].level) if approvals else None


def latest_comment(assessment: Assessment) -> Approval | None:
    """The latest return or reopen, shown on the form while it is returned."""
    if assessment.status != Status.RETURNED:
        return None
    for approval in reversed(list(assessment.approvals.all())):
        if approval.decision in ("return", "reopen"):
            return approval
    return None


def assessment_actions_for_user(user: User, assessment: Assessment) -> list[Action]:
    """The review buttons the user sees (the service asks the same domain rule)."""
    level = user_level(user)
    if level is Level.HOSPITAL and assessment_editor(user, assessment) is not Editor.RECIPIENT:
        return []
    return actions_available(Status(assessment.status), level, last_level=last_level(assessment))


def measure_codes(assessment: Assessment) -> frozenset[str]:
    return frozenset(m.code for m in assessment.agreement.measures.all())


# ---- the form: measures with targets, the year's progress and the self-rating ----


@dataclass(frozen=True)
class MeasureRow:
    code: str
    title: str
    targets: str
    target: int | None
    achieved: int | None
    progress_label: str
    rating: str
    rating_label: str


def _targets_text(code: str, targets: dict[str, str]) -> str:
    policy = load_policy()
    try:
        measure = policy.measure(code)
    except KeyError:
        return "；".join(f"{k}：{v}" for k, v in sorted(targets.items()))
    parts = []
    for target in measure.targets:
        if target.key in targets:
            parts.append(f"{target.label}：{targets[target.key]}{target.unit}")
    return "；".join(parts) or "定性目标（年度工作目标）"


def assessment_measure_rows(
    *, user: User, assessment: Assessment, today: date | None = None
) -> list[MeasureRow]:
    """Each chosen measure of the agreement: its targets, the year's achieved figure and status
    from the activities progress (read-only), and the hospital's self-rating."""
    policy = load_policy()
    progress: dict[str, MeasureProgress] = {}
    for row in partnership_progress(
        user=user,
        pk=assessment.agreement.partnership_id,
        year=assessment.year,
        today=today or today_local(),
    ):
        if row.agreement.pk == assessment.agreement_id:
            progress = {m.code: m for m in row.progress.measures}
    rows = []
    for measure in sorted(assessment.agreement.measures.all(), key=lambda m: m.code):
        try:
            title = policy.measure(measure.code).title
        except KeyError:
            title = measure.code
        found = progress.get(measure.code)
        rating = rating_from(str(assessment.ratings.get(measure.code, "")))
        rows.append(
            MeasureRow(
                code=measure.code,
                title=title,
                targets=_targets_text(measure.code, dict(measure.targets)),
                target=found.target if found else None,
                achieved=found.achieved if found else None,
                progress_label=found.status.label if found else "无进度数据",
                rating=rating.value if rating else "",
                rating_label=rating.label if rating else "未自评",
            )
        )
    return rows


# ---- opening a year ----


def agreements_in_force_during(year: int) -> list[Agreement]:
    """Every signed agreement in force on at least one day of ``year`` (domain.year)."""
    candidates = (
        Agreement.objects.filter(
            signed_on__isnull=False,
            signed_on__lte=date(year, 12, 31),
            start__lte=date(year, 12, 31),
            end__gte=date(year, 1, 1),
        )
        .exclude(terminated_on__lt=date(year, 1, 1))
        .order_by("pk")
    )
    return [
        a
        for a in candidates
        if in_force_during(((p.first, p.last) for p in signed_periods([a])), year)
    ]


# ---- the status board ----


@dataclass(frozen=True)
class BoardRow:
    assessment: Assessment
    overdue: bool
    waiting_for_me: bool


@dataclass(frozen=True)
class Board:
    year: int
    level: Level | None
    rows: list[BoardRow]
    by_status: dict[str, int]

    @property
    def not_submitted(self) -> list[BoardRow]:
        return [r for r in self.rows if Status(r.assessment.status) in NOT_SUBMITTED]

    @property
    def waiting(self) -> list[BoardRow]:
        return [r for r in self.rows if r.waiting_for_me]

    @property
    def overdue(self) -> list[BoardRow]:
        return [r for r in self.rows if r.overdue]


def assessment_board_for_user(*, user: User, year: int, today: date | None = None) -> Board:
    """The year's assessments in the user's scope: who has not submitted, what waits for the
    user's level, and what is overdue (not submitted after its due date)."""
    today = today or today_local()
    level = user_level(user)
    rows = []
    for assessment in assessment_list_for_user(user=user, filters=AssessmentFilters(year=year)):
        status = Status(assessment.status)
        waiting = level is not None and level is not Level.HOSPITAL and HOLDER.get(status) is level
        rows.append(
            BoardRow(
                assessment=assessment,
                overdue=is_overdue(
                    submitted=status not in NOT_SUBMITTED, due_on=assessment.due_on, today=today
                ),
                waiting_for_me=waiting,
            )
        )
    counts = Counter(r.assessment.status for r in rows)
    return Board(
        year=year,
        level=level,
        rows=rows,
        by_status={s.value: counts.get(s.value, 0) for s in Status},
    )
