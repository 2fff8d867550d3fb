"""Writes of the overview app: generating and keeping reports (audited)."""

from __future__ import annotations

from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction

from bangfu.accounts.models import User
from bangfu.core.audit import audit_record
from bangfu.overview.domain.report_period import ReportPeriod
from bangfu.overview.models import ReportFile, ReportFormat
from bangfu.overview.report_render import render_report_docx, render_report_pdf, report_images
from bangfu.overview.reports import report_data_for_user
from bangfu.registry.models import Prefecture


def report_bytes(
    *, user: User, period: ReportPeriod, today: date, fmt: str, prefecture_code: str = ""
) -> bytes:
    data = report_data_for_user(
        user=user, period=period, today=today, prefecture_code=prefecture_code
    )
    images = report_images(data)
    if fmt == ReportFormat.DOCX:
        return render_report_docx(data, images)
    return render_report_pdf(data, images)


@transaction.atomic
def report_generate(
    *,
    actor: User,
    period: ReportPeriod,
    today: date,
    fmt: str,
    prefecture_code: str = "",
    scheduled: bool = False,
) -> ReportFile:
    """Render the report in `actor`'s scope and keep it; one audit row."""
    content = report_bytes(
        user=actor, period=period, today=today, fmt=fmt, prefecture_code=prefecture_code
    )
    report = ReportFile(
        period=period.code,
        format=fmt,
        created_by=actor,
        scheduled=scheduled,
        prefecture=Prefecture.objects.get(code=prefecture_code) if prefecture_code else None,
    )
    report.file.save(
        f"report_{period.slug}_{prefecture_code or 'gz'}.{fmt}", ContentFile(content), save=False
    )
    report.save()
    audit_record(
        actor=None if scheduled else actor,
        action="report_generate",
        obj=report,
        after={
            "period": period.code,
            "prefecture": prefecture_code,
            "format": fmt,
            "scheduled": scheduled,
        },
    )
    return report
