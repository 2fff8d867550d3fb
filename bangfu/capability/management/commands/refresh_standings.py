"""`manage.py refresh_standings [--year Y | --if-stale]`: recompute the stored yearly standard results of the
hospitals (ADR 0021) from their indicator values, their institution type and the catalogue.

The services keep the results current; run this after a change of the catalogue file (rows
judged with another version are rewritten), after loading values in bulk, after editing values
or an institution's type outside the services (the admin), and once after the migration that
adds the table. Running it twice changes nothing. `--if-stale` (`scripts/serve`, at each start)
rebuilds only when the catalogue file or the computation (`standings.RULE_VERSION`) changed
since the last full rebuild.
"""

from __future__ import annotations

from bangfu.capability.standings import STAMP, standings_fingerprint, standings_refresh_all
from bangfu.core.refresh_command import YearRefreshCommand


class Command(YearRefreshCommand):
    help = "重算受扶医院年度能力达标结果（按医院和年度存储，ADR 0021）。"
    label = "能力达标结果"
    stamp = STAMP

    def fingerprint(self) -> str:
        return standings_fingerprint()

    def refresh(self, year: int | None) -> str:
        return f"能力达标结果：{standings_refresh_all(year)} 行。"
