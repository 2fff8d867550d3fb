"""Large activity sheets are imported in the background (settings.TASKS): the job validates
every row first and writes nothing when any row is refused, exactly like the page and the
command; its progress and result (counts or every refused cell) stay on the job page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django_tasks import task

from bangfu.activities.services import activity_import_file
from bangfu.jobs.models import JobRun
from bangfu.jobs.services import Progress, job_run

# The job page lists at most this many refused cells (the count is always complete).
ERRORS_KEPT = 2000


@task()
def activity_import_job(*, job_id: int) -> None:
    def work(job: JobRun, progress: Progress) -> dict[str, Any]:
        path = Path(job.params["path"])
        try:
            result = activity_import_file(
                actor=job.owner, path=str(path), dry_run=False, progress=progress
            )
        finally:
            path.unlink(missing_ok=True)
        if result.ok:
            summary = (
                f"导入完成：共 {result.rows} 行，新增 {result.created} 条，"
                f"更新 {result.updated} 条，未变 {result.unchanged} 条"
            )
        else:
            summary = f"文件有 {len(result.errors)} 处错误，未写入任何数据"
        return {
            "ok": result.ok,
            "summary": summary,
            "rows": result.rows,
            **result.counts(),
            "error_count": len(result.errors),
            "errors": [
                {"row": e.row, "column": e.column, "message": e.message}
                for e in result.errors[:ERRORS_KEPT]
            ],
        }

    job_run(job_id=job_id, work=work)
