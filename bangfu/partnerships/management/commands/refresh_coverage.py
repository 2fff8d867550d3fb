"""`manage.py refresh_coverage [--if-stale]`: recompute the stored in-force spans of the
agreements and the counties' covered days (ADR 0022) from the agreements, the institutions and
the policy's helper eligibility.

The services keep the rows current; run this after loading agreements in bulk, after editing
agreements, partnerships or institutions outside the services (the admin, SQL), after a change
of the policy file, and once after the migration that adds the tables. Running it twice changes
nothing. `--if-stale` (`scripts/serve`, at each start) rebuilds only when the policy file or the
computation (`coverage_store.RULE_VERSION`) changed since the last full rebuild. No `--year`:
a span is not cut by years.
"""

from __future__ import annotations

from bangfu.core.refresh_command import RefreshCommand
from bangfu.partnerships.coverage_store import STAMP, coverage_fingerprint, coverage_refresh_all


class Command(RefreshCommand):
    help = "重算协议执行期与各县覆盖期（目标县覆盖的存储行，ADR 0022）。"
    label = "覆盖执行期"
    stamp = STAMP

    def fingerprint(self) -> str:
        return coverage_fingerprint()

    def refresh_all(self) -> str:
        written = coverage_refresh_all()
        return f"覆盖执行期：协议执行期 {written.spans} 行，县覆盖期 {written.county_spans} 行。"
