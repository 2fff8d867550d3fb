from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.overview.demo import DEMO_PASSWORD, demo_data_load


class Command(BaseCommand):
    help = "载入演示数据（确定性，可重复执行）。仅在 DEBUG 模式或加 --allow-production 时运行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="在非 DEBUG 环境下也载入演示数据（会创建密码已公开的演示账号）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "拒绝执行：当前不是 DEBUG 模式。演示账号的密码是公开的；确需载入请加 --allow-production"
            )
        logins = demo_data_load()
        self.stdout.write(f"演示数据已就绪。演示账号（密码均为 {DEMO_PASSWORD}）：")
        for login in logins:
            self.stdout.write(f"  {login.username:<16} {login.role}  范围：{login.scope}")
