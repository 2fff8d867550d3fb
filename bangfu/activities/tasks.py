"""Large activity sheets are imported in the background (settings.TASKS): the job validates
every row first and writes nothing when any row is refused, exactly like the page and the
command; its progress and result (counts or every refused cell) stay on the job page."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django_tasks import task
from openpyxl import load_workbook

from bangfu.accounts.models import User
from bangfu.activities.services import activity_import_file
from bangfu.jobs.models import JobRun
from bangfu.jobs.services import Progress, job_run, job_start

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


def sheet_row_count(upload: UploadedFile[bytes]) -> int:
    """Data rows of the first sheet as the workbook declares them (its dimension), without
    reading the rows; 0 when the file is not a readable workbook (the import then says why)."""
    try:
        workbook = load_workbook(upload, read_only=True)
        sheet = workbook.worksheets[0]
        rows = max(0, (sheet.max_row or 1) - 1)
        workbook.close()
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        return 0
    finally:
        upload.seek(0)
    return rows


def activity_import_job_start(*, actor: User, upload: UploadedFile[bytes]) -> JobRun:
    """Keep the upload where every worker can read it (MEDIA_ROOT/imports) and start the job."""
    directory = Path(settings.MEDIA_ROOT) / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{secrets.token_hex(16)}.xlsx"
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    name = (upload.name or "activities.xlsx")[:120]
    return job_start(
        actor=actor,
        kind="activity_import",
        title=f"帮扶活动 Excel 导入：{name}",
        task=activity_import_job,
        params={"path": str(path), "file": name},
    )
