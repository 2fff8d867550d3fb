from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.api import api


class Command(BaseCommand):
    help = "导出 OpenAPI 描述（--check 时与已提交的文件比对，不一致则失败）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--check", action="store_true", help="只比对，不写文件")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        text = (
            json.dumps(api.get_openapi_schema(), ensure_ascii=False, indent=2, sort_keys=True)
            + "\n"
        )
        if options["check"]:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                raise CommandError(
                    f"{path} 与当前 API 不一致：请运行 bangfu export_openapi {path} 并提交"
                )
            self.stdout.write(f"{path} 与当前 API 一致")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"已写入 {path}")
