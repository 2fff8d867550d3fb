from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.assessments.services import assessment_year_open
from bangfu.core.schema_types import YEAR_MAX, YEAR_MIN


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--due 应为日期 YYYY-MM-DD：{text}") from exc


class Command(BaseCommand):
    help = (
        "开启年度自查自评（§七）：为该年度内任一天有效的每份已签署协议建立一份自查自评草稿。"
        "可重复运行，只补建新符合条件的协议；最后一行输出 JSON {year, created, existing}。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="年度，如 2025")
        parser.add_argument("--due", default="", help="报送截止日期 YYYY-MM-DD（可选）")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise CommandError(f"--year 应在 {YEAR_MIN}–{YEAR_MAX} 之间")
        due = _day(options["due"]) if options["due"] else None
        opened = assessment_year_open(actor=None, year=year, due_on=due)
        self.stdout.write(
            json.dumps(
                {"year": opened.year, "created": opened.created, "existing": opened.existing}
            )
        )
