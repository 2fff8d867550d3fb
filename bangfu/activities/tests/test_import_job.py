"""Large activity sheets go through the background job: same all-or-nothing rule, progress and
result kept on the job page (issue #11: a 5,000-row import through the job)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bangfu.activities.models import Activity
from bangfu.activities.tasks import sheet_row_count
from bangfu.activities.tests.sheets import write_sheet
from bangfu.activities.views import SYNC_IMPORT_MAX_ROWS
from bangfu.jobs.models import JobRun, JobStatus

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(partnership, day, count, bad_row=None):
    rows = []
    for i in range(count):
        kind = "不存在的类型" if i == bad_row else "教学查房"
        rows.append((partnership.pk, day, kind, 1, 10, f"教学查房 {i}", "", f"BIG-{i}"))
    return rows


def _upload(path):
    with open(path, "rb") as fh:
        return SimpleUploadedFile("big.xlsx", fh.read(), content_type=XLSX)


def test_row_count_comes_from_the_sheet_without_reading_it(tmp_path, weining, recent):
    upload = _upload(write_sheet(tmp_path / "a.xlsx", _rows(weining, recent, 7)))
    assert sheet_row_count(upload) == 7
    assert upload.read(2) == b"PK"  # rewound for the import
    assert sheet_row_count(SimpleUploadedFile("x.xlsx", b"not a workbook")) == 0


def test_a_sheet_over_the_page_limit_is_imported_by_a_job(
    client, county_officer, weining, recent, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    count = SYNC_IMPORT_MAX_ROWS + 1
    path = write_sheet(tmp_path / "big.xlsx", _rows(weining, recent, count))
    before = Activity.objects.count()
    client.force_login(county_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/activities/import/", {"file": _upload(path)})
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    job = JobRun.objects.get(owner=county_officer, kind="activity_import")
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["created"] == count and job.result["ok"] is True
    assert (job.done, job.total) == (count, count)
    assert Activity.objects.count() == before + count
    assert not list((tmp_path / "imports").iterdir())  # the kept upload is removed
    page = client.get(response["Location"]).content.decode()
    assert f"新增 {count} 条" in page


def test_a_refused_row_in_a_large_sheet_writes_nothing_and_the_job_lists_it(
    client, county_officer, weining, recent, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    path = write_sheet(
        tmp_path / "big.xlsx", _rows(weining, recent, SYNC_IMPORT_MAX_ROWS + 10, bad_row=4321)
    )
    before = Activity.objects.count()
    client.force_login(county_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/activities/import/", {"file": _upload(path)})
    job = JobRun.objects.get(owner=county_officer, kind="activity_import")
    assert job.status == JobStatus.SUCCEEDED and job.result["ok"] is False
    assert job.result["error_count"] == 1
    [error] = job.result["errors"]
    assert error["row"] == 4321 + 2 and error["column"] == "活动类型"
    assert Activity.objects.count() == before
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "未写入任何数据" in page and 'data-testid="job-errors"' in page


def test_the_partnership_page_links_its_progress_and_activities(client, county_officer, weining):
    client.force_login(county_officer)
    page = client.get(f"/partnerships/{weining.pk}/").content.decode()
    assert f'href="/activities/progress/partnership/{weining.pk}/"' in page
    listed = client.get(f"/activities/?partnership={weining.pk}")
    assert listed.status_code == 200
