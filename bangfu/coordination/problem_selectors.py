"""Reads of the problem log (§五): the raiser and its institution, the offices over its county,
the department it is routed to (an observer account of that department), the province office."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from bangfu.accounts.models import Department, Role, User
from bangfu.coordination.domain.problems import DepartmentRecord, department_records
from bangfu.coordination.models import Problem
from bangfu.registry.models import County
from bangfu.registry.scope import NOTHING, scope_for_user

# The province office (省卫健委) answers what is routed to the health department.
PROVINCE_DEPARTMENT = Department.HEALTH


def problem_filter_for_user(user: User) -> Q:
    scope = scope_for_user(user)
    if not scope.role:
        return NOTHING
    if scope.role == Role.PROVINCE:
        return Q()
    if scope.role == Role.OBSERVER:
        return Q(department=user.department) if user.department else NOTHING
    q = Q(raised_by_id=user.pk)
    if scope.role in (Role.COUNTY, Role.PREFECTURE):
        q |= Q(county__in=County.objects.filter(scope.county_filter()).values("pk"))
    if scope.role in (Role.RECIPIENT, Role.HELPER) and user.institution_id is not None:
        q |= Q(raised_by_institution_id=user.institution_id)
    return q


def problem_can_answer(user: User, problem: Problem) -> bool:
    """The routed department answers: its observer accounts, or the province office for health."""
    if not user.is_active:
        return False
    if user.role == Role.OBSERVER:
        return bool(user.department) and user.department == problem.department
    return user.role == Role.PROVINCE and problem.department == PROVINCE_DEPARTMENT


def problem_list_for_user(
    *, user: User, status: str = "", department: str = ""
) -> QuerySet[Problem, Any]:
    problems = Problem.objects.filter(problem_filter_for_user(user))
    if status:
        problems = problems.filter(status=status)
    if department:
        problems = problems.filter(department=department)
    return problems.select_related(
        "raised_by",
        "raised_by_institution",
        "county",
        "partnership__helper",
        "partnership__recipient",
    ).order_by("-created_at", "-pk")


def problem_get_for_user(*, user: User, problem_id: int) -> Problem:
    problem: Problem | None = (
        problem_list_for_user(user=user)
        .prefetch_related("replies__author")
        .filter(pk=problem_id)
        .first()
    )
    if problem is None:
        raise Http404("未找到该问题")
    return problem


def department_records_for_user(*, user: User) -> list[tuple[str, DepartmentRecord]]:
    """Each department's open and ended problems and mean days to end, over the problems the
    user reads, with the department's name."""
    rows = [
        (
            department,
            timezone.localdate(created_at),
            timezone.localdate(closed_at) if closed_at is not None else None,
        )
        for department, created_at, closed_at in Problem.objects.filter(
            problem_filter_for_user(user)
        ).values_list("department", "created_at", "closed_at")
    ]
    labels = dict(Department.choices)
    return [(labels.get(r.department, r.department), r) for r in department_records(rows)]
