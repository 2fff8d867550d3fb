"""`manage.py refresh_gaps [--if-stale]`: recompute the stored 断档 of the partnerships (ADR 0023)
from their agreements.

The services keep the rows current; run this after loading data in bulk, after editing
agreements or a recipient's county outside the services (the admin, SQL), and once after the
migration that adds the table. Running it twice changes nothing. `--if-stale` (`scripts/serve`,
at each start) rebuilds only when the computation (`gap_store.RULE_VERSION`) changed since the
last full rebuild.
"""

from __future__ import annotations

from bangfu.core.refresh_command import RefreshCommand
from bangfu.partnerships.gap_store import STAMP, gaps_fingerprint, gaps_refresh_all


class Command(RefreshCommand):
    help = "重算帮扶断档（按帮扶关系存储的断档，ADR 0023）。"
    label = "帮扶断档"
    stamp = STAMP

    def fingerprint(self) -> str:
        return gaps_fingerprint()

    def refresh_all(self) -> str:
        return f"帮扶断档：{gaps_refresh_all()} 行。"
