"""One shape for the commands that rebuild stored derived rows by year (`refresh_forecasts`,
ADR 0018; `refresh_progress`, ADR 0020; `refresh_standings`, ADR 0021): an optional `--year`
within the programme's date window (`policy.domain.dates`), the app's rebuild, one line said."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bangfu.policy.domain.dates import PROGRAMME_DATE_MAX, PROGRAMME_DATE_MIN


class YearRefreshCommand(BaseCommand):
    """Subclasses set ``help`` and implement ``refresh(year)``, returning what was rebuilt
    (e.g. "预算预测：… 行"); ``year`` is None for every year."""

    def refresh(self, year: int | None) -> str:
        raise NotImplementedError

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, default=None, help="只重算该年度（默认全部年度）")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        first, last = PROGRAMME_DATE_MIN.year, PROGRAMME_DATE_MAX.year
        if year is not None and not first <= year <= last:
            raise CommandError(f"--year 应在 {first} 至 {last} 之间")
        done = self.refresh(year)
        scope = f"{year}年度" if year is not None else "全部年度"
        self.stdout.write(f"已重算{scope}{done}")
