"""Writes to job runs. Starting a job is a user's write (audited); the worker reports progress
and the outcome through the same functions, so the page, the API and the record agree."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks.base import Task

from bangfu.accounts.models import User
from bangfu.core.audit import audit_record
from bangfu.jobs.models import JobRun, JobStatus

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@transaction.atomic
def job_start(
    *,
    actor: User,
    kind: str,
    title: str,
    task: Task[..., Any],
    params: Mapping[str, Any] | None = None,
) -> JobRun:
    """Record a job for `actor` and enqueue `task(job_id=…)` once the record is committed, so a
    worker never picks up a job whose row it cannot see yet."""
    job = JobRun.objects.create(
        kind=kind, title=title[:200], owner=actor, params=dict(params or {})
    )
    audit_record(actor=actor, action="job_start", obj=job, after={"kind": kind, "title": title})
    job_id = job.pk

    def enqueue() -> None:
        result = task.enqueue(job_id=job_id)
        JobRun.objects.filter(pk=job_id).update(task_result_id=str(result.id)[:64])

    transaction.on_commit(enqueue)
    return job


def job_progress(*, job_id: int, done: int, total: int) -> None:
    """The worker's progress report (no audit row: not a user's write)."""
    done = max(0, done)
    total = max(done, total)
    JobRun.objects.filter(pk=job_id).update(done=done, total=total)


def job_run(*, job_id: int, work: Callable[[JobRun, Progress], Mapping[str, Any]]) -> JobRun:
    """Run `work(job, progress)` as job `job_id`: mark it running, keep what `work` returns as
    the result, or the error if it raises (the worker carries on with the next job). Each
    outcome is one audit row, attributed to the system on the owner's job."""
    job = JobRun.objects.get(pk=job_id)
    JobRun.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, started_at=timezone.now())

    def progress(done: int, total: int) -> None:
        job_progress(job_id=job_id, done=done, total=total)

    try:
        result = dict(work(job, progress))
    except Exception as exc:  # the job fails, the worker does not
        logger.exception("job %s (%s) failed", job_id, job.kind)
        JobRun.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            error=str(exc)[:2000] or type(exc).__name__,
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
        audit_record(actor=None, action="job_fail", obj=job, after={"error": job.error})
        return job
    JobRun.objects.filter(pk=job_id).update(
        status=JobStatus.SUCCEEDED, result=result, finished_at=timezone.now()
    )
    job.refresh_from_db()
    audit_record(actor=None, action="job_finish", obj=job, after={"status": job.status})
    return job
