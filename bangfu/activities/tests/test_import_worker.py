"""The activity import job through a REAL worker process on both task backends (database and
Redis/RQ): the page's path for a large sheet, as production runs it (issue #11)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bangfu.jobs.tests.test_worker import REDIS_URL, _manage, _redis_reachable
from conftest import _scratch_postgres

pytestmark = [pytest.mark.xdist_group("worker")]

ROOT = Path(__file__).resolve().parents[3]

# Runs inside `bangfu shell`: a sheet of ROWS valid rows for the demo partnership, started as a
# job the way the upload page starts it; prints the job id.
START = """
import datetime, io
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook
from bangfu.accounts.models import User
from bangfu.activities.services import IMPORT_HEADERS
from bangfu.activities.tasks import activity_import_job_start
from bangfu.partnerships.models import Partnership
from bangfu.people.demo import MAIN_HELPER, MAIN_RECIPIENT
p = Partnership.objects.get(helper__name=MAIN_HELPER, recipient__name=MAIN_RECIPIENT)
day = timezone.localdate() - datetime.timedelta(days=10)
wb = Workbook(); ws = wb.active; ws.append(list(IMPORT_HEADERS))
for i in range({rows}):
    ws.append([p.pk, day, "教学查房", 1, 10, f"worker {{i}}", "", "{prefix}-" + str(i)])
buf = io.BytesIO(); wb.save(buf)
job = activity_import_job_start(actor=User.objects.get(username="demo_county"),
    upload=SimpleUploadedFile("w.xlsx", buf.getvalue()))
print("JOB", job.pk)
"""

WAIT = """
import time
from bangfu.jobs.models import JobRun
for _ in range(600):
    job = JobRun.objects.get(pk={job_id})
    if job.is_finished:
        break
    time.sleep(0.1)
print("RESULT", job.status, job.result.get("created"), job.result.get("ok"), job.done, job.total)
"""


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory, worker_id) -> Iterator[dict[str, str]]:
    url = os.environ.get("BROWSER_DATABASE_URL")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_DEBUG": "1",
        "BANGFU_VAR_DIR": str(tmp_path_factory.mktemp("import-var")),
        "REDIS_URL": REDIS_URL,
    }
    if url and url.startswith("postgres"):
        with _scratch_postgres(url, f"{worker_id}_import") as scratch:
            yield _prepared({**env, "DATABASE_URL": scratch})
        return
    db = tmp_path_factory.mktemp("import-db") / "site.sqlite3"
    yield _prepared({**env, "DATABASE_URL": f"sqlite:///{db}"})


def _prepared(env: dict[str, str]) -> dict[str, str]:
    _manage(env, "migrate", "--noinput")
    _manage(env, "load_registry")
    _manage(env, "demo_data", timeout=300)
    return env


def _import_through_worker(env: dict[str, str], worker_args: list[str], prefix: str) -> str:
    worker = subprocess.Popen(
        [sys.executable, "manage.py", *worker_args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        started = _manage(env, "shell", "-c", START.format(rows=300, prefix=prefix))
        job_id = started.split("JOB", 1)[1].split()[0]
        out = _manage(env, "shell", "-c", WAIT.format(job_id=job_id), timeout=120)
        return out.split("RESULT", 1)[1].strip()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()


def test_the_database_worker_imports_a_sheet(demo_site):
    env = {**demo_site, "TASKS_BACKEND": "db"}
    result = _import_through_worker(
        env, ["db_worker", "--no-startup-delay", "--interval", "0.2"], "DBW"
    )
    assert result == "succeeded 300 True 300 300"


def test_the_redis_worker_imports_a_sheet(demo_site):
    if not _redis_reachable():
        message = f"Redis is not reachable at {REDIS_URL}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    env = {**demo_site, "TASKS_BACKEND": "rq"}
    result = _import_through_worker(
        env, ["rqworker", "--job-class", "django_tasks_rq.Job", "default"], "RQW"
    )
    assert result == "succeeded 300 True 300 300"
