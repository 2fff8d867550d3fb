from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.accounts.models import User
from bangfu.activities.services import activity_import_file


class Command(BaseCommand):
    help = (
        "从 Excel 导入帮扶活动：先检查全部行，有错误则不写入并列出每个错误（退出码非 0）；"
        "最后一行输出 JSON {created, updated, unchanged}。不给 --user 时以省卫健委身份导入"
        "（全部帮扶关系，作为受扶方填报）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", required=True, help="活动 Excel 文件（.xlsx）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并统计，不写入")
        parser.add_argument(
            "--user", default="", help="以该用户身份导入（只能导入其可填报的帮扶关系）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"用户 {options['user']} 不存在或已停用")

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"已检查 {done}/{total} 行")

        result = activity_import_file(
            actor=actor, path=options["file"], dry_run=options["dry_run"], progress=progress
        )
        for error in result.errors:
            self.stdout.write(str(error))
        if not result.ok:
            self.stdout.write(json.dumps({"errors": len(result.errors)}, ensure_ascii=False))
            raise CommandError(f"导入失败：{len(result.errors)} 处错误，未写入任何数据")
        self.stdout.write(json.dumps(result.counts()))
