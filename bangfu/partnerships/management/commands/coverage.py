from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.partnerships.selectors import coverage_on, today_local


class Command(BaseCommand):
    help = "目标县覆盖情况（§一）：某日有省外三甲医院有效协议帮扶的目标县"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="日期 YYYY-MM-DD（缺省为今天）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = options["date"]
        try:
            day = date.fromisoformat(raw) if raw else today_local()
        except ValueError as exc:
            raise CommandError(f"--date：「{raw}」不是有效日期，应为 YYYY-MM-DD") from exc
        result = coverage_on(on=day)
        data = {
            "date": day.isoformat(),
            "target_total": result.target_total,
            "covered": result.covered,
            "uncovered": list(result.uncovered),
            "by_prefecture": {k: dict(v) for k, v in sorted(result.by_prefecture.items())},
        }
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{day:%Y-%m-%d} 已覆盖目标县 {result.covered}/{result.target_total}")
        for code, tally in sorted(result.by_prefecture.items()):
            self.stdout.write(f"  {code}: {tally['covered']}/{tally['target']}")
