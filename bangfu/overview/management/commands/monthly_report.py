"""`bangfu monthly_report [--date YYYY-MM-DD]`: keep the previous month's province report.

Run daily or on the 1st from cron/systemd (README); re-running for a month already kept
creates nothing. Both formats are kept (Word for editing, PDF for the file)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.overview.domain.report_period import ReportPeriodError, previous_month
from bangfu.overview.management.commands.report import _user
from bangfu.overview.models import ReportFile, ReportFormat
from bangfu.overview.services import report_generate
from bangfu.partnerships.selectors import today_local
from bangfu.policy.domain.dates import programme_date_problem


class Command(BaseCommand):
    help = "生成并保存上一个月的全省帮扶工作报告（已存在则跳过）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default="", help="运行日期（默认今天）")
        parser.add_argument("--user", default="", help="以该账号生成（默认：省卫健委账号）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = date.fromisoformat(options["date"]) if options["date"] else today_local()
        except ValueError as exc:
            raise CommandError(f"--date「{options['date']}」不是日期（YYYY-MM-DD）") from exc
        if problem := programme_date_problem(day, "--date"):
            raise CommandError(problem)
        try:
            period = previous_month(day)
        except ReportPeriodError as exc:
            raise CommandError(str(exc)) from exc
        user = _user(options["user"])
        for fmt in (ReportFormat.DOCX, ReportFormat.PDF):
            kept = ReportFile.objects.filter(
                period=period.code, format=fmt, scheduled=True, prefecture__isnull=True
            ).first()
            if kept:
                self.stdout.write(f"{period.code} {fmt}: 已存在（{kept.created_at:%Y-%m-%d}）")
                continue
            report = report_generate(actor=user, period=period, today=day, fmt=fmt, scheduled=True)
            self.stdout.write(f"{period.code} {fmt}: 已生成 {report.file.name}")
