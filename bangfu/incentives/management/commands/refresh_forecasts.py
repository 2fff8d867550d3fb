"""`manage.py refresh_forecasts [--year Y | --if-stale]`: recompute the budget's stored yearly forecasts
(ADR 0018) from the deployments, experts, recognitions, agreements and the policy file.

The services keep the forecasts current; run this after loading data in bulk, after editing
rows outside the services (the admin), after a change of the policy file, and once after the
migration that adds the forecast tables. Running it twice changes nothing. `--if-stale`
(`scripts/serve`, at each start) rebuilds only when the policy file or the computation
(`forecasts.RULE_VERSION`) changed since the last full rebuild.
"""

from __future__ import annotations

from bangfu.core.refresh_command import YearRefreshCommand
from bangfu.incentives.forecasts import STAMP, forecasts_fingerprint, forecasts_refresh_all


class Command(YearRefreshCommand):
    help = "重算年度预算预测（按派驻与受扶医院存储的年度预测，ADR 0018）。"
    label = "预算预测"
    stamp = STAMP

    def fingerprint(self) -> str:
        return forecasts_fingerprint()

    def refresh(self, year: int | None) -> str:
        deployments, hospitals = forecasts_refresh_all(year)
        return f"预算预测：派驻年度预测 {deployments} 行，受扶医院年度预测 {hospitals} 行。"
