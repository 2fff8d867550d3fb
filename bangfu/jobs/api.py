"""Background jobs over the API: status, progress and the kept result, own jobs only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from bangfu.accounts.request import request_user
from bangfu.core.pagination import PageNumber
from bangfu.core.schema_types import LIST_ERRORS, READ_ERRORS
from bangfu.jobs.models import JobRun
from bangfu.jobs.selectors import job_get_for_user, job_list_for_user

router = Router()


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    status_label: str
    done: int
    total: int
    percent: int
    result: dict[str, Any]
    error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_status_label(obj: JobRun) -> str:
        return obj.get_status_display()


@router.get("/jobs", response={200: list[JobOut], **LIST_ERRORS}, summary="我的后台任务")
@paginate(PageNumber)
def job_list(request: HttpRequest) -> Any:
    return job_list_for_user(user=request_user(request))


@router.get("/jobs/{job_id}", response={200: JobOut, **READ_ERRORS}, summary="后台任务状态与结果")
def job_detail(request: HttpRequest, job_id: int) -> JobRun:
    return job_get_for_user(user=request_user(request), job_id=job_id)
