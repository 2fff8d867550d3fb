"""`manage.py refresh_standings [--year Y]`: recompute the stored yearly standard results of the
hospitals (ADR 0021) from their indicator values, their institution type and the catalogue.

The services keep the results current; run this after a change of the catalogue file (rows
judged with another version are rewritten), after loading values in bulk, after editing values
or an institution's type outside the services (the admin), and once after the migration that
adds the table. `scripts/serve` runs it at each start. Running it twice changes nothing.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bangfu.capability.standings import standings_refresh_all


class Command(BaseCommand):
    help = "重算受扶医院年度能力达标结果（按医院和年度存储，ADR 0021）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, default=None, help="只重算该年度（默认全部年度）")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        if year is not None and not 2000 <= year <= 2100:
            raise CommandError("--year 应在 2000 至 2100 之间")
        rows = standings_refresh_all(year)
        scope = f"{year}年度" if year is not None else "全部年度"
        self.stdout.write(f"已重算{scope}能力达标结果：{rows} 行。")
