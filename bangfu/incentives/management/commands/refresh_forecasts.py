"""`manage.py refresh_forecasts [--year Y]`: recompute the budget's stored yearly forecasts
(ADR 0018) from the deployments, experts, recognitions, agreements and the policy file.

The services keep the forecasts current; run this after loading data in bulk, after editing
rows outside the services (the admin), after a change of the policy file, and once after the
migration that adds the forecast tables. Running it twice changes nothing.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bangfu.incentives.forecasts import forecasts_refresh_all


class Command(BaseCommand):
    help = "重算年度预算预测（按派驻与受扶医院存储的年度预测，ADR 0018）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, default=None, help="只重算该年度（默认全部年度）")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        if year is not None and not 2000 <= year <= 2100:
            raise CommandError("--year 应在 2000 至 2100 之间")
        deployments, hospitals = forecasts_refresh_all(year)
        scope = f"{year}年度" if year is not None else "全部年度"
        self.stdout.write(
            f"已重算{scope}预算预测：派驻年度预测 {deployments} 行，受扶医院年度预测 {hospitals} 行。"
        )
