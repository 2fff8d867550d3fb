from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from bangfu.accounts.request import request_user
from bangfu.coordination.domain.problems import STATUS_LABELS
from bangfu.coordination.forms import service_errors_on_form
from bangfu.coordination.models import Problem
from bangfu.coordination.problem_forms import ProblemForm, ReplyForm
from bangfu.coordination.problem_selectors import (
    department_records_for_user,
    problem_can_answer,
    problem_get_for_user,
    problem_list_for_user,
)
from bangfu.coordination.problem_services import (
    RAISING_ROLES,
    ProblemDraft,
    problem_raise,
    problem_reply,
)
from bangfu.core.forms import form_submit
from bangfu.core.request import query_without_page


@login_required
def problem_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    status = request.GET.get("status", "")
    status = status if status in STATUS_LABELS else ""
    problems = problem_list_for_user(user=user, status=status)
    page = Paginator(problems, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "coordination/problem_list.html",
        {
            "page": page,
            "status": status,
            "statuses": list(STATUS_LABELS.items()),
            "query": query_without_page(request),
            "can_raise": user.role in RAISING_ROLES,
            "department_records": department_records_for_user(user=user),
        },
    )


@login_required
def problem_create_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if user.role not in RAISING_ROLES:
        raise PermissionDenied("您的角色不能提出问题")
    form = ProblemForm(request.POST or None, user=user)

    def save(data: dict[str, Any]) -> Problem:
        partnership = data.get("partnership")
        return problem_raise(
            actor=user,
            draft=ProblemDraft(
                category=data["category"],
                title=data["title"],
                description=data["description"],
                partnership_id=partnership.pk if partnership is not None else None,
            ),
        )

    return form_submit(
        request,
        form,
        save,
        done=lambda problem: (
            f"问题已提交，转{problem.get_department_display()}办理",
            reverse("coordination:problem_detail", args=[problem.pk]),
        ),
        errors=lambda exc: service_errors_on_form(form, exc),
        render_page=lambda status: render(
            request, "coordination/problem_form.html", {"form": form}, status=status
        ),
    )


@login_required
def problem_detail(request: HttpRequest, problem_id: int) -> HttpResponse:
    user = request_user(request)
    problem = problem_get_for_user(user=user, problem_id=problem_id)
    can_answer = problem_can_answer(user, problem)
    form = ReplyForm(request.POST or None, current=problem.status) if can_answer else None
    if form is None:
        if request.method == "POST":
            raise PermissionDenied("只有承办部门可以答复")
        return render(request, "coordination/problem_detail.html", {"problem": problem})
    return form_submit(
        request,
        form,
        lambda data: problem_reply(
            actor=user,
            problem=problem,
            text=data["text"],
            status=data["status"],
            reason=data["reason"],
        ),
        done=lambda _: (
            "答复已发送，提出人会收到通知",
            reverse("coordination:problem_detail", args=[problem.pk]),
        ),
        errors=lambda exc: service_errors_on_form(form, exc),
        render_page=lambda status: render(
            request,
            "coordination/problem_detail.html",
            {"problem": problem, "form": form},
            status=status,
        ),
    )
