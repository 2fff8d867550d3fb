"""Reports generated in the background (settings.TASKS), kept and linked from the job page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django_tasks import task

from bangfu.jobs.models import JobRun
from bangfu.jobs.services import Progress, job_run
from bangfu.overview.domain.report_period import report_period
from bangfu.overview.services import report_generate
from bangfu.partnerships.selectors import today_local


@task()
def report_job(*, job_id: int) -> None:
    def work(job: JobRun, progress: Progress) -> dict[str, Any]:
        progress(0, 1)
        report = report_generate(
            actor=job.owner,
            period=report_period(job.params["period"]),
            today=today_local(),
            fmt=job.params["format"],
            prefecture_code=job.params.get("prefecture", ""),
        )
        progress(1, 1)
        return {
            "summary": f"已生成：{report.filename}",
            "download_url": reverse("overview:report_download", args=[report.pk]),
            "report_id": report.pk,
        }

    job_run(job_id=job_id, work=work)
