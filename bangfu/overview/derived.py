"""Every store of derived rows, rebuilt in one call.

Each app keeps its own derived rows current from the services' signals (ADRs 0018, 0020–0023).
A full rebuild is needed where rows were written or deleted outside the services: the demo load,
and tests that commit and then delete what their requests wrote. The overview sits above every
app (ADR 0019), so the list of stores lives here, once.
"""

from __future__ import annotations

from django.db import transaction

from bangfu.activities.progress_store import progress_refresh_all
from bangfu.capability.standings import standings_refresh_all
from bangfu.incentives.forecasts import forecasts_refresh_all
from bangfu.partnerships.coverage_store import coverage_refresh_all
from bangfu.partnerships.gap_store import gaps_refresh_all


@transaction.atomic
def derived_rows_refresh_all() -> None:
    """Recompute every store from scratch. Each rebuild stamps its rows, so `scripts/serve`'s
    `refresh_* --if-stale` then has nothing to do."""
    forecasts_refresh_all()  # the budget's forecasts (ADR 0018)
    progress_refresh_all()  # the agreement-years' activity progress and its counts (ADR 0020)
    standings_refresh_all()  # the hospitals' yearly standard results and assisted years (ADR 0021)
    gaps_refresh_all()  # the partnerships' 断档 (ADR 0023)
    coverage_refresh_all()  # the agreements' in-force spans and the counties' runs (ADR 0022)
