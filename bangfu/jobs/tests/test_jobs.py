"""Background jobs: the record, its progress and outcome, and who may read it (page and API)."""

from __future__ import annotations

from typing import Any

import pytest

from bangfu.core.models import AuditEntry
from bangfu.jobs.models import JobRun, JobStatus
from bangfu.jobs.services import job_run, job_start
from bangfu.jobs.tasks import echo_job

pytestmark = pytest.mark.django_db


def _start(owner, django_capture_on_commit_callbacks, **params: Any) -> JobRun:
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=owner, kind="check", title="自检", task=echo_job, params=params)
    job.refresh_from_db()
    return job


def test_a_started_job_runs_after_commit_and_keeps_its_result(
    recipient_user, django_capture_on_commit_callbacks
):
    job = _start(recipient_user, django_capture_on_commit_callbacks, echo="你好", steps=4)
    assert job.status == JobStatus.SUCCEEDED
    assert (job.done, job.total, job.percent) == (4, 4, 100)
    assert job.result == {"echo": "你好", "steps": 4}
    assert job.task_result_id
    actions = list(
        AuditEntry.objects.filter(object_type="jobs.jobrun", object_id=str(job.pk))
        .order_by("pk")
        .values_list("action", "actor_label")
    )
    assert actions == [("job_start", recipient_user.username), ("job_finish", "系统")]


def test_nothing_is_enqueued_when_the_starting_transaction_rolls_back(
    recipient_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = job_start(actor=recipient_user, kind="check", title="自检", task=echo_job)
    assert len(callbacks) == 1  # the enqueue waits for the commit
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and not job.task_result_id


def test_a_failing_job_is_recorded_as_failed_with_its_error(recipient_user):
    job = JobRun.objects.create(kind="check", title="会失败", owner=recipient_user)

    def work(job, progress):
        progress(1, 10)
        raise ValueError("第 3 行：日期无效")

    finished = job_run(job_id=job.pk, work=work)
    assert finished.status == JobStatus.FAILED
    assert finished.error == "第 3 行：日期无效"
    assert (finished.done, finished.total) == (1, 10)
    assert finished.finished_at is not None


def test_a_user_reads_only_their_own_jobs_and_the_province_reads_all(
    client, recipient_user, helper_user, province_officer, django_capture_on_commit_callbacks
):
    job = _start(recipient_user, django_capture_on_commit_callbacks, echo="x")

    client.force_login(helper_user)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert f"/jobs/{job.pk}/" not in client.get("/jobs/").content.decode()

    client.force_login(recipient_user)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "已完成" in page and 'data-status="succeeded"' in page
    assert "hx-trigger" not in page  # finished: no more polling

    client.force_login(province_officer)
    assert f"/jobs/{job.pk}/" in client.get("/jobs/").content.decode()


def test_an_unfinished_job_page_polls_its_status(client, recipient_user):
    job = JobRun.objects.create(
        kind="check",
        title="导入中",
        owner=recipient_user,
        status=JobStatus.RUNNING,
        done=2500,
        total=10000,
    )
    client.force_login(recipient_user)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and "25%" in page and "2500 / 10000" in page
    fragment = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="job-status"') and "<html" not in fragment


def test_the_api_gives_status_progress_and_result_to_the_owner_only(
    client, recipient_user, helper_user, django_capture_on_commit_callbacks
):
    job = _start(recipient_user, django_capture_on_commit_callbacks, echo="api", steps=2)
    own = _api_get(client, recipient_user, f"/api/v1/jobs/{job.pk}")
    assert own.status_code == 200
    body = own.json()
    assert body["status"] == "succeeded" and body["status_label"] == "已完成"
    assert body["result"] == {"echo": "api", "steps": 2} and body["percent"] == 100
    listed = _api_get(client, recipient_user, "/api/v1/jobs").json()
    assert listed["count"] >= 1 and listed["items"][0]["id"] == job.pk
    other = _api_get(client, helper_user, f"/api/v1/jobs/{job.pk}")
    assert other.status_code == 404 and "未找到" in other.json()["detail"]


def _api_get(client, user, url):
    password = "Jobs-Test-Pass-9"
    user.set_password(password)
    user.save(update_fields=["password"])
    token = client.post(
        "/api/v1/auth/token",
        {"username": user.username, "password": password},
        content_type="application/json",
    ).json()["token"]
    return client.get(url, headers={"Authorization": f"Bearer {token}"})
