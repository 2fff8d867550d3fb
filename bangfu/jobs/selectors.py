"""Reads of job runs: a user sees the jobs they started; the province office sees all."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from bangfu.accounts.models import Role, User
from bangfu.jobs.models import JobRun


def job_list_for_user(*, user: User) -> QuerySet[JobRun, Any]:
    jobs = JobRun.objects.select_related("owner")
    if user.role == Role.PROVINCE:
        return jobs
    return jobs.filter(owner=user)


def job_get_for_user(*, user: User, job_id: int) -> JobRun:
    job: JobRun | None = job_list_for_user(user=user).filter(pk=job_id).first()
    if job is None:
        raise Http404("未找到该后台任务")
    return job
