"""Reports for superiors: the period rule, the figures (equal to the coverage page's on the same
day), the .docx and PDF read back, the command, the monthly schedule and the page's job."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document
from pypdf import PdfReader

from bangfu.overview.domain.report_period import (
    ReportPeriodError,
    previous_month,
    report_period,
)
from bangfu.overview.models import ReportFile
from bangfu.overview.report_render import render_report_docx, render_report_pdf
from bangfu.overview.reports import report_data_for_user
from bangfu.partnerships.coverage_report import coverage_report_for_user
from bangfu.partnerships.selectors import today_local


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "2026年"),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "2026年第一季度"),
        ("2024-q4", date(2024, 10, 1), date(2024, 12, 31), "2024年第四季度"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024年2月"),  # leap year
        ("2025-02", date(2025, 2, 1), date(2025, 2, 28), "2025年2月"),
    ],
)
def test_periods_are_years_quarters_or_months(text, start, end, label):
    period = report_period(text)
    assert (period.start, period.end, period.label) == (start, end, label)
    assert period.as_of(date(2099, 1, 1)) == end
    assert period.as_of(start) == start


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "26", "1999", "2026-00", "abc", ""])
def test_other_period_texts_are_refused_in_chinese(text):
    with pytest.raises(ReportPeriodError, match="报告期|月份|年份"):
        report_period(text)


def test_the_monthly_report_covers_the_previous_month():
    assert previous_month(date(2027, 1, 1)).code == "2026-12"
    assert previous_month(date(2026, 12, 3)).code == "2026-11"


@pytest.mark.django_db
def test_report_figures_equal_the_coverage_page_on_the_same_day(province_officer):
    today = today_local()
    data = report_data_for_user(
        user=province_officer, period=report_period(str(today.year)), today=today
    )
    coverage = coverage_report_for_user(user=province_officer, day=today)
    assert data.day == today
    assert (data.covered, data.target_total) == (coverage.covered, coverage.target_total)
    assert data.totals.gaps == len(coverage.gaps)
    assert data.totals.expiring == len(coverage.expiring)
    assert len(data.lines) == 9 and data.goal_total == 70
    assert sum(1 for a in data.actions if a.kind == "未覆盖") == len(coverage.uncovered)


@pytest.mark.django_db
def test_a_prefecture_report_has_one_line_and_only_its_counties(province_officer):
    today = today_local()
    data = report_data_for_user(
        user=province_officer,
        period=report_period(str(today.year)),
        today=today,
        prefecture_code="520500",
    )
    assert [x.name for x in data.lines] == ["毕节市"]
    assert data.map_cells and all(code.startswith("5205") for code in data.map_cells)


@pytest.mark.django_db
def test_the_word_report_reads_back_with_its_table_pictures_and_page_numbers(province_officer):
    today = today_local()
    data = report_data_for_user(
        user=province_officer, period=report_period(str(today.year)), today=today
    )
    doc = Document(io.BytesIO(render_report_docx(data)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert data.title in text and f"已有省外三甲医院帮扶协议生效的 {data.covered} 个" in text
    table = doc.tables[0]
    assert len(table.rows) == 1 + 9 + 1
    assert table.rows[-1].cells[0].text == "合计"
    assert table.rows[-1].cells[2].text == str(data.covered)
    assert len(doc.inline_shapes) == 2  # the map and the bar chart
    assert "PAGE" in doc.sections[0].footer._element.xml
    assert abs(doc.sections[0].page_width.cm - 21) < 0.1


@pytest.mark.django_db
def test_the_pdf_report_reads_back_in_chinese_with_page_numbers(province_officer):
    today = today_local()
    data = report_data_for_user(
        user=province_officer, period=report_period(f"{today.year}-Q4"), today=today
    )
    reader = PdfReader(io.BytesIO(render_report_pdf(data)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "第四季度" in text and "各市州情况" in text and "毕节市" in text
    assert "第 1 页" in text and f"共 {len(reader.pages)} 页" in text
    mediabox = reader.pages[0].mediabox
    assert round(float(mediabox.width)) == 595 and round(float(mediabox.height)) == 842


@pytest.mark.django_db
def test_the_report_command_writes_the_file_and_refuses_bad_arguments(tmp_path):
    out = tmp_path / "r.docx"
    call_command("report", "--period", "2026-Q3", "--format", "docx", "--output", str(out))
    assert "2026年第三季度" in "\n".join(p.text for p in Document(str(out)).paragraphs)
    with pytest.raises(CommandError, match="报告期"):
        call_command("report", "--period", "2026-Q9", "--format", "pdf", "--output", str(out))
    with pytest.raises(CommandError, match="--prefecture 999999"):
        call_command(
            "report",
            "--period",
            "2026",
            "--prefecture",
            "999999",
            "--format",
            "pdf",
            "--output",
            str(out),
        )


@pytest.mark.django_db
def test_the_monthly_report_is_kept_once_per_month(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("monthly_report", "--date", "2026-12-01")
    call_command("monthly_report", "--date", "2026-12-01")
    kept = ReportFile.objects.filter(scheduled=True)
    assert sorted(kept.values_list("period", "format")) == [("2026-11", "docx"), ("2026-11", "pdf")]
    assert all((tmp_path / r.file.name).exists() for r in kept)


@pytest.mark.django_db
def test_the_page_generates_a_report_as_a_job_and_only_its_author_downloads_it(
    client,
    prefecture_officer,
    county_officer,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(prefecture_officer)
    code = prefecture_officer.prefecture.code
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/overview/reports/", {"period": "2026-11", "prefecture": code, "format": "docx"}
        )
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    job_page = client.get(response["Location"]).content.decode()
    assert "已生成" in job_page and 'data-testid="job-download"' in job_page
    report = ReportFile.objects.get(created_by=prefecture_officer)
    download = client.get(f"/overview/reports/{report.pk}/download/")
    assert download.status_code == 200
    doc = Document(io.BytesIO(b"".join(download.streaming_content)))
    assert doc.tables[0].rows[1].cells[0].text == prefecture_officer.prefecture.name
    client.force_login(county_officer)
    assert client.get(f"/overview/reports/{report.pk}/download/").status_code == 404


@pytest.mark.django_db
def test_the_page_refuses_a_bad_period_with_the_reason(client, province_officer):
    client.force_login(province_officer)
    page = client.post("/overview/reports/", {"period": "2026-13", "format": "pdf"})
    assert page.status_code == 200
    assert "月份「13」无效" in page.content.decode()
    assert not ReportFile.objects.exists()
