"""The 省科技厅's decisions on S&T project applications over the API (§五).

`POST /department-services/scitech-applications/{id}/status` calls the same service as the page:
a change not the user's to make is 403, one the current status does not allow 409, an
incomplete one (no reason for 不予立项) 422; an application the user may not read is 404."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from bangfu.accounts.request import request_user
from bangfu.core.schema_types import CREATE_ERRORS, Id, Text
from bangfu.people.api import SciTechApplicationOut
from bangfu.people.department_selectors import (
    scitech_actions_for_user,
    scitech_application_get_for_user,
)
from bangfu.people.models import SciTechApplication
from bangfu.people.scitech_services import scitech_application_set_status

router = Router()


class SciTechStatusIn(Schema):
    status: Literal["accepted", "approved", "rejected"] = Field(
        ..., description="accepted 受理 / approved 立项 / rejected 不予立项"
    )
    note: Annotated[str, Text(500)] = Field("", description="说明；不予立项时必填理由")


class SciTechDecisionOut(SciTechApplicationOut):
    decided_on: date | None
    decision_note: str
    next_statuses: list[str] = Field(..., description="您现在可以改为的状态")


def _with_next_statuses(request: HttpRequest, pk: int) -> SciTechApplication:
    """The application as the user reads it, with the changes the user may make now."""
    user = request_user(request)
    application = scitech_application_get_for_user(user=user, pk=pk)
    application.next_statuses = [  # type: ignore[attr-defined]
        s for s, _label in scitech_actions_for_user(user=user, application=application)
    ]
    return application


@router.post(
    "/department-services/scitech-applications/{application_id}/status",
    response={200: SciTechDecisionOut, **CREATE_ERRORS},
    summary="更新科技项目申报状态（省科技厅，§五）",
)
def scitech_application_status(
    request: HttpRequest, application_id: Id, body: SciTechStatusIn
) -> SciTechApplication:
    user = request_user(request)
    application = scitech_application_get_for_user(user=user, pk=application_id)
    scitech_application_set_status(
        actor=user, application=application, status=body.status, note=body.note
    )
    return _with_next_statuses(request, application_id)
