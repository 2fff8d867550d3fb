from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bangfu.accounts.services import user_unlock


class Command(BaseCommand):
    help = "解除某用户名的登录锁定（来自任何地址的失败记录一并清除），记入审计记录"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        removed = user_unlock(actor=None, username=username)
        self.stdout.write(f"已解除「{username}」的登录锁定（清除 {removed} 条失败记录）")
