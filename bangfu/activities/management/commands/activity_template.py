from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bangfu.activities.selectors import activity_catalogue
from bangfu.activities.spreadsheets import activity_template_bytes


class Command(BaseCommand):
    help = "写出帮扶活动 Excel 导入模板（表头、活动类型下拉列表、填写说明）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="输出文件，如 activities.xlsx")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["output"])
        path.write_bytes(activity_template_bytes(activity_catalogue()))
        self.stdout.write(f"已写出模板：{path}")
