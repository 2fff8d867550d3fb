"""A job goes through a REAL worker process on both task backends (settings.TASKS): the
database backend (`bangfu db_worker`, the embedded default) and Redis through RQ
(`bangfu rqworker`). The worker and the enqueuing command are separate processes sharing one
scratch database, as in production."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import _scratch_postgres

pytestmark = [pytest.mark.xdist_group("worker")]

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("BANGFU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="module")
def worker_database(tmp_path_factory, worker_id) -> Iterator[str]:
    url = os.environ.get("BROWSER_DATABASE_URL")
    if url and url.startswith("postgres"):
        with _scratch_postgres(url, f"{worker_id}_jobs") as scratch:
            yield scratch
        return
    yield f"sqlite:///{tmp_path_factory.mktemp('jobs') / 'jobs.sqlite3'}"


@pytest.fixture(scope="module")
def site_env(worker_database, tmp_path_factory) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": worker_database,
        "BANGFU_VAR_DIR": str(tmp_path_factory.mktemp("jobs-var")),
        "REDIS_URL": REDIS_URL,
    }
    _manage(env, "migrate", "--noinput")
    _manage(
        env,
        "shell",
        "-c",
        "from bangfu.accounts.models import User; "
        "User.objects.create_user(username='ops_check', password=None, role='province')",
    )
    return env


def _manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise AssertionError(f"bangfu {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


def _run_with_worker(env: dict[str, str], worker_args: list[str]) -> str:
    worker = subprocess.Popen(
        [sys.executable, "manage.py", *worker_args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        return _manage(env, "job_check", "--wait", "60", "--user", "ops_check", timeout=90)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()


def _last_job(env: dict[str, str]) -> str:
    return (
        _manage(
            env,
            "shell",
            "-c",
            "from bangfu.jobs.models import JobRun; j = JobRun.objects.latest('pk'); "
            "print(j.status, j.done, j.total, j.result['echo'], bool(j.task_result_id))",
        )
        .strip()
        .splitlines()[-1]
    )


def test_the_database_backend_worker_runs_a_job_and_stores_its_result(site_env):
    env = {**site_env, "TASKS_BACKEND": "db"}
    out = _run_with_worker(env, ["db_worker", "--no-startup-delay", "--interval", "0.2"])
    assert "finished by the worker" in out
    assert _last_job(env) == "succeeded 2 2 ok True"


def test_the_redis_backend_worker_runs_a_job_and_stores_its_result(site_env):
    if not _redis_reachable():
        message = f"Redis is not reachable at {REDIS_URL}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    env = {**site_env, "TASKS_BACKEND": "rq"}
    out = _run_with_worker(
        env, ["rqworker", "--job-class", "django_tasks_rq.Job", "--with-scheduler", "default"]
    )
    assert "finished by the worker" in out
    assert _last_job(env) == "succeeded 2 2 ok True"


def test_without_a_worker_the_check_reports_the_job_unfinished(site_env):
    env = {**site_env, "TASKS_BACKEND": "db"}
    done = subprocess.run(
        [sys.executable, "manage.py", "job_check", "--wait", "1", "--user", "ops_check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "未在 1 秒内完成" in done.stderr
