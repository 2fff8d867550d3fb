"""`manage.py refresh_progress [--year Y]`: recompute the stored progress of agreement-years
(ADR 0020) from the activities, the agreements' terms and the policy file.

The services keep the rows current; run this after loading data in bulk, after editing rows
outside the services (the admin), after a change of the policy file (activity kinds per
measure, the minimum team), and once after the migration that adds the tables. Running it
twice changes nothing.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bangfu.activities.progress_store import progress_refresh_all


class Command(BaseCommand):
    help = "重算协议年度目标进度（按协议与年度存储的措施进度，ADR 0020）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, default=None, help="只重算该年度（默认全部年度）")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        if year is not None and not 2000 <= year <= 2100:
            raise CommandError("--year 应在 2000 至 2100 之间")
        rows = progress_refresh_all(year)
        scope = f"{year}年度" if year is not None else "全部年度"
        self.stdout.write(f"已重算{scope}目标进度：协议年度进度 {rows} 行。")
