from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bangfu.accounts.models import Department, Role
from bangfu.accounts.request import request_user
from bangfu.coordination.workspace_selectors import (
    department_workspace,
    workspace_department_for_user,
)


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    """部门工作台 (§五): a department account's own; the province chooses the department."""
    user = request_user(request)
    department = workspace_department_for_user(
        user=user, requested=request.GET.get("department", "")[:30]
    )
    return render(
        request,
        "coordination/department_workspace.html",
        {
            "workspace": department_workspace(user=user, department=department),
            "departments": Department.choices if user.role == Role.PROVINCE else [],
            "here": request.get_full_path(),
        },
    )
