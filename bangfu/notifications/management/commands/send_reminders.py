"""`bangfu send_reminders [--date YYYY-MM-DD]`: the day's reminders (F11), run daily by cron or a
systemd timer. Idempotent: running it again for the same date sends nothing new."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from bangfu.notifications.services import reminders_send


class Command(BaseCommand):
    help = "生成当天的提醒（协议到期、未备案、未签订、保险到期、跟进任务到期），同一对象同一节点只提醒一次"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="提醒日期 YYYY-MM-DD（默认今天，Asia/Shanghai）")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = options.get("date")
        try:
            on = date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"日期应为 YYYY-MM-DD：{raw}") from exc
        run = reminders_send(on=on)
        self.stdout.write(f"{run.on.isoformat()}：应提醒 {run.due} 项，新发通知 {run.sent} 条")
