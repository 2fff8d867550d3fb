"""`bangfu report --period YYYY|YYYY-Qn|YYYY-MM [--prefecture CODE] --format docx|pdf --output FILE`"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from bangfu.accounts.models import Role, User
from bangfu.overview.domain.report_period import ReportPeriodError, report_period
from bangfu.overview.services import report_bytes
from bangfu.partnerships.selectors import today_local


class Command(BaseCommand):
    help = "生成帮扶工作报告（Word 或 PDF）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="YYYY、YYYY-Qn 或 YYYY-MM")
        parser.add_argument("--prefecture", default="", help="市州代码（如 520500）；省略为全省")
        parser.add_argument("--format", required=True, choices=["docx", "pdf"])
        parser.add_argument("--output", required=True, help="输出文件路径")
        parser.add_argument(
            "--user", default="", help="以该账号的权限范围生成（默认：省卫健委账号）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = report_period(options["period"])
        except ReportPeriodError as exc:
            raise CommandError(str(exc)) from exc
        user = _user(options["user"])
        output = Path(options["output"])
        if not output.parent.exists():
            raise CommandError(f"输出目录不存在：{output.parent}")
        try:
            content = report_bytes(
                user=user,
                period=period,
                today=today_local(),
                fmt=options["format"],
                prefecture_code=options["prefecture"],
            )
        except Http404 as exc:
            raise CommandError(f"--prefecture {options['prefecture']}：{exc}") from exc
        output.write_bytes(content)
        self.stdout.write(f"已生成 {output}（{len(content):,} 字节）")


def _user(username: str) -> User:
    active = User.objects.filter(is_active=True)
    user = (
        active.filter(username=username).first()
        if username
        else active.filter(role=Role.PROVINCE).order_by("pk").first()
    )
    if user is None:
        raise CommandError(
            f"找不到账号「{username}」" if username else "没有省卫健委账号：请用 --user 指定"
        )
    return user
