"""`manage.py refresh_progress [--year Y | --if-stale]`: recompute the stored progress of agreement-years
(ADR 0020) from the activities, the agreements' terms and the policy file.

The services keep the rows current; run this after loading data in bulk, after editing rows
outside the services (the admin), after a change of the policy file (activity kinds per
measure, the minimum team), and once after the migration that adds the tables. Running it
twice changes nothing. `--if-stale` (`scripts/serve`, at each start) rebuilds only when the
policy file or the computation (`progress_store.RULE_VERSION`) changed since the last full
rebuild.
"""

from __future__ import annotations

from bangfu.activities.progress_store import STAMP, progress_fingerprint, progress_refresh_all
from bangfu.core.refresh_command import YearRefreshCommand


class Command(YearRefreshCommand):
    help = "重算协议年度目标进度（按协议与年度存储的措施进度，ADR 0020）。"
    label = "目标进度"
    stamp = STAMP

    def fingerprint(self) -> str:
        return progress_fingerprint()

    def refresh(self, year: int | None) -> str:
        return f"目标进度：协议年度进度 {progress_refresh_all(year)} 行。"
