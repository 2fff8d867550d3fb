"""A provincial department's workspace (工作台, §五): the problems routed to it and the
department services that are its duty (`people.domain.department_services`), each as a count
and the items waiting for it.

Who reads which workspace: a department account (observer with a department) its own; the
province office any department's; nobody else. Every list comes from the scoped selectors of
problems and department services, read as this user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from bangfu.accounts.models import Department, Role, User
from bangfu.coordination.domain.problems import STATUS_LABELS, ProblemStatus
from bangfu.coordination.problem_selectors import (
    PROVINCE_DEPARTMENT,
    problem_can_answer,
    problem_list_for_user,
)
from bangfu.core.clock import today_local
from bangfu.people import access
from bangfu.people.department_selectors import (
    helpers_awaiting_letter_for_user,
    scitech_actions_for_user,
    scitech_open_for_user,
    teams_awaiting_briefing_for_user,
)
from bangfu.people.domain.department_services import (
    SERVICE_CLAUSES,
    SERVICE_LABELS,
    DepartmentService,
    department_services,
    may_record_title_result,
)
from bangfu.people.models import Team
from bangfu.people.selectors import (
    appointment_letter_list_for_user,
    insurance_briefing_list_for_user,
    scitech_application_list_for_user,
    title_application_list_for_user,
)

# The most items a card lists (its count is always the full count).
ITEM_LIMIT = 50
OPEN_PROBLEM_STATUSES = (ProblemStatus.SUBMITTED, ProblemStatus.ACCEPTED, ProblemStatus.IN_PROGRESS)


@dataclass(frozen=True)
class WorkspaceAction:
    """A status change the user may make on the item (a POST to `WorkspaceItem.action_url`)."""

    status: str
    label: str


@dataclass(frozen=True)
class WorkspaceItem:
    id: int
    title: str
    detail: str
    status: str
    status_label: str
    on: date | None
    link: str = ""
    link_label: str = ""
    action_url: str = ""
    actions: tuple[WorkspaceAction, ...] = ()


@dataclass(frozen=True)
class WorkspaceCard:
    key: str
    label: str
    clause: str
    waiting_label: str
    waiting: int
    total: int
    items: list[WorkspaceItem] = field(default_factory=list)
    list_url: str = ""


@dataclass(frozen=True)
class Workspace:
    department: str
    department_label: str
    cards: list[WorkspaceCard]


def workspace_department_for_user(*, user: User, requested: str = "") -> str:
    """The department whose workspace the user may open: a department account its own (asking
    for another is refused), the province office the one requested (省卫健委 by default)."""
    if requested and requested not in Department.values:
        raise Http404("未知的部门")
    if user.is_active and user.role == Role.PROVINCE:
        return requested or PROVINCE_DEPARTMENT
    if user.is_active and user.role == Role.OBSERVER and user.department:
        if requested and requested != user.department:
            raise PermissionDenied("只能查看本部门的工作台")
        return user.department
    if user.role == Role.OBSERVER:
        raise PermissionDenied("您的账号未设置所属部门，请联系省卫健委")
    raise PermissionDenied("部门工作台仅供省直有关部门和省卫健委使用")


def department_workspace(*, user: User, department: str) -> Workspace:
    """The workspace of `department` as `user` reads it (call `workspace_department_for_user`
    first): the problems card, then one card per service of the department."""
    today = today_local()
    cards = [_problems_card(user, department)]
    cards += [_SERVICE_CARDS[s](user, today) for s in department_services(department)]
    return Workspace(
        department=department,
        department_label=Department(department).label,
        cards=cards,
    )


def _problems_card(user: User, department: str) -> WorkspaceCard:
    problems = problem_list_for_user(user=user, department=department)
    waiting = problems.filter(status__in=[s.value for s in OPEN_PROBLEM_STATUSES])
    items = [
        WorkspaceItem(
            id=p.pk,
            title=p.title,
            detail=f"{p.raised_by_institution or p.raised_by} · {p.county.name}",
            status=p.status,
            status_label=STATUS_LABELS[p.status],
            on=timezone.localdate(p.created_at),
            link=reverse("coordination:problem_detail", args=[p.pk]),
            link_label="答复" if problem_can_answer(user, p) else "查看",
        )
        for p in waiting.order_by("created_at", "pk")[:ITEM_LIMIT]
    ]
    return WorkspaceCard(
        key="problems",
        label="转来的问题",
        clause="§五 有关部门要及时解决跨省帮扶的重要问题",
        waiting_label="未办结",
        waiting=waiting.count(),
        total=problems.count(),
        items=items,
        list_url=reverse("coordination:problem_list"),
    )


def _service_card(
    service: DepartmentService,
    waiting_label: str,
    waiting: int,
    total: int,
    items: list[WorkspaceItem],
) -> WorkspaceCard:
    return WorkspaceCard(
        key=service.value,
        label=SERVICE_LABELS[service],
        clause=SERVICE_CLAUSES[service],
        waiting_label=waiting_label,
        waiting=waiting,
        total=total,
        items=items,
        list_url=reverse("people:department_services"),
    )


def _team_label(team: Team) -> str:
    return f"{team.partnership.helper.name} → {team.partnership.recipient.name} 第{team.batch}批"


def _title_card(user: User, today: date) -> WorkspaceCard:
    waiting = title_application_list_for_user(user=user, status="submitted").order_by(
        "submitted_on", "pk"
    )
    may_decide = may_record_title_result(user.role, user.department)
    items = [
        WorkspaceItem(
            id=a.pk,
            title=f"{a.deployment.expert.name} 申报{a.applied_title}",
            detail=f"{a.deployment.team.partnership.recipient.name} · {a.get_route_display()}",
            status=a.status,
            status_label=a.get_status_display(),
            on=a.submitted_on,
            link=reverse("people:title_application_decide", args=[a.pk]) if may_decide else "",
            link_label="登记评审结果" if may_decide else "",
        )
        for a in waiting[:ITEM_LIMIT]
    ]
    return _service_card(
        DepartmentService.TITLE_APPLICATIONS,
        "待评审",
        waiting.count(),
        title_application_list_for_user(user=user).count(),
        items,
    )


def _scitech_card(user: User, today: date) -> WorkspaceCard:
    waiting = scitech_open_for_user(user=user)
    items = []
    for a in waiting[:ITEM_LIMIT]:
        actions = tuple(
            WorkspaceAction(status, label)
            for status, label in scitech_actions_for_user(user=user, application=a)
        )
        items.append(
            WorkspaceItem(
                id=a.pk,
                title=a.project_title,
                detail=f"{_team_label(a.team)} · {a.programme}",
                status=a.status,
                status_label=a.get_status_display(),
                on=a.submitted_on,
                action_url=reverse("people:scitech_status", args=[a.pk]) if actions else "",
                actions=actions,
            )
        )
    return _service_card(
        DepartmentService.SCITECH_APPLICATIONS,
        "待受理或立项",
        waiting.count(),
        scitech_application_list_for_user(user=user).count(),
        items,
    )


def _briefing_card(user: User, today: date) -> WorkspaceCard:
    waiting = teams_awaiting_briefing_for_user(user=user, day=today)
    items = [
        WorkspaceItem(
            id=t.pk,
            title=_team_label(t),
            detail="帮扶专家在岗，尚无医保政策培训记录",
            status="awaiting",
            status_label="待培训",
            on=None,
            link=reverse("people:team_detail", args=[t.pk]),
            link_label="查看帮扶队",
        )
        for t in waiting[:ITEM_LIMIT]
    ]
    return _service_card(
        DepartmentService.INSURANCE_BRIEFINGS,
        "在岗未培训的帮扶队",
        waiting.count(),
        insurance_briefing_list_for_user(user=user).count(),
        items,
    )


def _letter_card(user: User, today: date) -> WorkspaceCard:
    waiting = helpers_awaiting_letter_for_user(user=user, day=today)
    may_issue = access.can_issue_appointment_letters(user)
    items = [
        WorkspaceItem(
            id=h.pk,
            title=h.name,
            detail=f"{h.province}{h.city} · 协议在履行，主要负责人尚未获发聘书",
            status="awaiting",
            status_label="待发放",
            on=None,
            link=reverse("people:letter_create")
            if may_issue
            else reverse("registry:institution_detail", args=[h.pk]),
            link_label="发放聘书" if may_issue else "查看医院",
        )
        for h in waiting[:ITEM_LIMIT]
    ]
    return _service_card(
        DepartmentService.APPOINTMENT_LETTERS,
        "待发聘书的帮扶医院",
        waiting.count(),
        appointment_letter_list_for_user(user=user).count(),
        items,
    )


# One card builder per service; `test_every_service_has_a_workspace_card` keeps it complete.
_SERVICE_CARDS: dict[DepartmentService, Callable[[User, date], WorkspaceCard]] = {
    DepartmentService.TITLE_APPLICATIONS: _title_card,
    DepartmentService.SCITECH_APPLICATIONS: _scitech_card,
    DepartmentService.INSURANCE_BRIEFINGS: _briefing_card,
    DepartmentService.APPOINTMENT_LETTERS: _letter_card,
}
