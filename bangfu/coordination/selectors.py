"""Reads of meetings and follow-up tasks, scoped to the user (ADR 0002).

- A meeting: its partnership in the user's partnerships (`partnership_filter_for_user`); a
  county meeting for the officers over that county; a prefecture meeting for its prefecture's
  officer; the province office and departments read all. Attendees and owners of its tasks
  read it too.
- A task: its owner (the user, or the users of the owning institution) and the officers above
  the owner (county and prefecture offices over the owner's county; the province reads all)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from bangfu.accounts.models import Role, User
from bangfu.coordination.domain.meetings import TaskStatus
from bangfu.coordination.models import AgendaItem, FollowUpTask, Meeting
from bangfu.partnerships.models import Partnership
from bangfu.partnerships.selectors import partnership_filter_for_user
from bangfu.registry.models import County, Institution
from bangfu.registry.scope import NOTHING, scope_for_user

HOSPITAL_ROLES = (Role.RECIPIENT, Role.HELPER, Role.EXPERT)


def _institutions_below(user: User) -> QuerySet[Institution, Any]:
    """The institutions an officer stands above: those in its county or prefecture (not the
    helper directory it may read)."""
    scope = scope_for_user(user)
    if scope.role == Role.COUNTY and scope.county_id is not None:
        return Institution.objects.filter(county_id=scope.county_id).values("pk")
    if scope.role == Role.PREFECTURE:
        return Institution.objects.filter(
            Q(county__prefecture_id=scope.prefecture_id)
            | Q(county__isnull=True, prefecture_id=scope.prefecture_id)
        ).values("pk")
    return Institution.objects.none().values("pk")


def task_filter_for_user(user: User) -> Q:
    scope = scope_for_user(user)
    if scope.whole_province:
        return Q()
    if not scope.role:
        return NOTHING
    q = Q(owner_user_id=user.pk)
    if scope.role in HOSPITAL_ROLES and user.institution_id is not None:
        q |= Q(owner_institution_id=user.institution_id)
    if scope.role in (Role.COUNTY, Role.PREFECTURE):
        below = _institutions_below(user)
        q |= Q(owner_institution__in=below) | Q(owner_user__institution__in=below)
        counties = County.objects.filter(scope.county_filter()).values("pk")
        q |= Q(owner_user__county__in=counties)
    return q


def task_mine_filter(user: User) -> Q:
    """The user's own to-do list: tasks owned by the user or by the user's institution."""
    q = Q(owner_user_id=user.pk)
    if user.role in HOSPITAL_ROLES and user.institution_id is not None:
        q |= Q(owner_institution_id=user.institution_id)
    return q


def task_status_filter(status: str, today: date) -> Q:
    """The SQL twin of `domain.meetings.task_status` (tested equal on every task)."""
    if status == TaskStatus.DONE:
        return Q(done_on__isnull=False)
    if status == TaskStatus.OVERDUE:
        return Q(done_on__isnull=True, due__lt=today)
    if status == TaskStatus.OPEN:
        return Q(done_on__isnull=True, due__gte=today)
    return Q()


def meeting_filter_for_user(user: User) -> Q:
    scope = scope_for_user(user)
    if scope.whole_province:
        return Q()
    if not scope.role:
        return NOTHING
    partnerships = Partnership.objects.filter(partnership_filter_for_user(user)).values("pk")
    q = Q(level="partnership", partnership__in=partnerships)
    if scope.role in (Role.COUNTY, Role.PREFECTURE):
        q |= Q(level="county", county__in=County.objects.filter(scope.county_filter()).values("pk"))
    if scope.role == Role.PREFECTURE:
        q |= Q(level="prefecture", prefecture_id=scope.prefecture_id)
    involved = FollowUpTask.objects.filter(task_mine_filter(user)).values("meeting_id")
    q |= Q(pk__in=involved) | Q(
        pk__in=Meeting.attendees.through.objects.filter(user_id=user.pk).values("meeting_id")
    )
    return q


def meeting_list_for_user(*, user: User) -> QuerySet[Meeting, Any]:
    return (
        Meeting.objects.filter(meeting_filter_for_user(user))
        .select_related("partnership__helper", "partnership__recipient", "county", "prefecture")
        .order_by("-held_on", "-pk")
    )


def meeting_get_for_user(*, user: User, meeting_id: int) -> Meeting:
    meeting: Meeting | None = (
        meeting_list_for_user(user=user)
        .prefetch_related(
            Prefetch(
                "agenda_items", queryset=AgendaItem.objects.prefetch_related("outcomes__task")
            ),
            "attendees",
        )
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Http404("未找到该会议")
    return meeting


def meeting_tasks_for_user(*, user: User, meeting: Meeting) -> QuerySet[FollowUpTask, Any]:
    """The meeting's tasks the user may see (a hospital sees its own, officers those below)."""
    return task_list_for_user(user=user).filter(meeting=meeting)


def task_list_for_user(
    *, user: User, mine: bool = False, status: str = "", today: date | None = None
) -> QuerySet[FollowUpTask, Any]:
    tasks = FollowUpTask.objects.filter(task_filter_for_user(user))
    if mine:
        tasks = tasks.filter(task_mine_filter(user))
    if status:
        assert today is not None, "a status filter needs the day"
        tasks = tasks.filter(task_status_filter(status, today))
    return tasks.select_related("meeting", "owner_institution", "owner_user", "done_by").order_by(
        "done_on", "due", "pk"
    )


def task_get_for_user(*, user: User, task_id: int) -> FollowUpTask:
    task: FollowUpTask | None = task_list_for_user(user=user).filter(pk=task_id).first()
    if task is None:
        raise Http404("未找到该任务")
    return task


def partnerships_for_meeting(*, user: User) -> QuerySet[Partnership, Any]:
    """The partnerships a user may record a meeting on (those the user reads)."""
    return (
        Partnership.objects.filter(partnership_filter_for_user(user))
        .select_related("helper", "recipient")
        .order_by("recipient__name", "helper__name")
    )


def owner_institutions_for_meeting(*, user: User) -> QuerySet[Institution, Any]:
    """The institutions a user may assign a task to: those the user reads."""
    return scope_for_user(user).institutions(Institution.objects.order_by("name"))
