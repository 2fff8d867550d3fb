"""Tasks the platform itself runs in the background (the queue is settings.TASKS).

`echo_job` exists for the operations check `bangfu job_check` and the worker tests: it proves a
worker is consuming the configured backend and can write to the database."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from bangfu.jobs.models import JobRun
from bangfu.jobs.services import Progress, job_run


@task()
def echo_job(*, job_id: int) -> None:
    def work(job: JobRun, progress: Progress) -> dict[str, Any]:
        steps = int(job.params.get("steps", 3))
        for done in range(1, steps + 1):
            progress(done, steps)
        return {"echo": job.params.get("echo", ""), "steps": steps}

    job_run(job_id=job_id, work=work)
