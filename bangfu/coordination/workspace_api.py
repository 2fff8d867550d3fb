"""A department's workspace over the API (§五): the same cards and items as the page.

`GET /departments/{code}/workspace`: a department account reads its own (another department's is
403), the province office any department's; other roles 403; an unknown code 404."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Field, Router, Schema

from bangfu.accounts.request import request_user
from bangfu.coordination.workspace_selectors import (
    Workspace,
    department_workspace,
    workspace_department_for_user,
)
from bangfu.core.schema_types import WRITE_ERRORS

router = Router()


class WorkspaceActionOut(Schema):
    status: str
    label: str


class WorkspaceItemOut(Schema):
    id: int
    title: str
    detail: str
    status: str
    status_label: str
    on: date | None
    link: str = Field(..., description="办理或查看的页面")
    actions: list[WorkspaceActionOut] = Field(
        ..., description="可执行的状态变更（科技项目：POST .../scitech-applications/{id}/status）"
    )


class WorkspaceCardOut(Schema):
    key: str = Field(..., description="problems 或服务代码（title_applications 等）")
    label: str
    clause: str
    waiting_label: str
    waiting: int
    total: int
    items: list[WorkspaceItemOut]


class WorkspaceOut(Schema):
    department: str
    department_label: str
    cards: list[WorkspaceCardOut]


@router.get(
    "/departments/{code}/workspace",
    # 403 for a user who may not read this workspace (a "read" answered like a refused write).
    response={200: WorkspaceOut, **WRITE_ERRORS},
    summary="部门工作台：转来的问题和本部门的服务事项（§五）",
)
def workspace(request: HttpRequest, code: str) -> Workspace:
    user = request_user(request)
    department = workspace_department_for_user(user=user, requested=code[:30] or "-")
    return department_workspace(user=user, department=department)
