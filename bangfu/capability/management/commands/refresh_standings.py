"""`manage.py refresh_standings [--year Y | --if-stale]`: recompute the stored yearly standard
results of the hospitals (ADR 0021) from their indicator values, their institution type and the
catalogue, and the stored assisted years from the agreements, the institutions and the policy's
helper eligibility.

The services keep the rows current; run this after a change of the catalogue file (rows judged
with another version are rewritten) or of the policy file, after loading values or agreements in
bulk, after editing values, agreements, partnerships or institutions outside the services (the
admin), and once after the migrations that add the tables. Running it twice changes nothing.
`--if-stale` (`scripts/serve`, at each start) rebuilds only when the catalogue file, the policy
file or the computation (`standings.RULE_VERSION`) changed since the last full rebuild.
"""

from __future__ import annotations

from bangfu.capability.standings import STAMP, standings_fingerprint, standings_refresh_all
from bangfu.core.refresh_command import YearRefreshCommand


class Command(YearRefreshCommand):
    help = "重算受扶医院年度能力达标结果和年度受扶医院（按医院和年度存储，ADR 0021）。"
    label = "能力达标结果"
    stamp = STAMP

    def fingerprint(self) -> str:
        return standings_fingerprint()

    def refresh(self, year: int | None) -> str:
        written = standings_refresh_all(year)  # and the assisted years
        return f"能力达标结果：{written.standings} 行，年度受扶医院 {written.assisted} 行。"
