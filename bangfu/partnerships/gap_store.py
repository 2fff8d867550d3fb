"""The stored 断档 (gaps) of partnerships (ADR 0023): written here, and only here.

`domain.lifecycle.find_gaps(cycles, today)` depends on ``today`` in two ways only: cycles signed
after ``today`` do not count, and the trailing gap exists only once its first day has come. A
signature is never recorded with a date after the day it is recorded (`services`), so on every
day on or after the latest signature of a partnership's agreements, its gaps are the inner gaps
between all its signed cycles, and the trailing gap when its first day is on or before that day.
Those rows do not depend on the day: `PartnershipGap` holds them, computed by `find_gaps` itself
with a day later than any agreement (`_ANY_LATER_DAY`), the trailing gap kept with its first
day only. The reads (`selectors.StoredGaps`) use them when the day read is on or after every
signature in scope, else the CTE over the agreements (`selectors.SqlGaps`).

Unit of refresh: a partnership. Kept in the writer's transaction:
- `partnerships.signals.agreement_changed` (agreement create or renew, sign, terminate — the
  only services that change an agreement's dates, signature or termination) reaches
  `on_agreement_changed` (connected in `PartnershipsConfig.ready`);
- the rows carry their recipient's county (the map's cells without joins):
  `registry.signals.institution_changed` with "county" in ``changed`` reaches
  `on_institution_changed`, which rewrites that recipient's partnerships.
Changes that bypass the services (the admin, SQL, bulk loads) are repaired by
`manage.py refresh_gaps`. The rows are derived, so writing them adds no audit row: the change
that caused them has its own.

A full rebuild stamps the rows with `gaps_fingerprint()` (`RULE_VERSION`, `core.derived_rows`;
the rule reads no policy file); `refresh_gaps --if-stale` (`scripts/serve`, at each start)
rebuilds only when that changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from django.db import connection, transaction

from bangfu.core.derived_rows import derived_rows_stamp_write, inputs_fingerprint
from bangfu.partnerships.domain.lifecycle import AgreementFacts, find_gaps
from bangfu.partnerships.models import Agreement, Partnership, PartnershipGap
from bangfu.registry.models import Institution

BATCH = 500

RULE_VERSION = 1
"""The version of the code that computes the rows: bump it when the computation changes (a rule
of `domain.lifecycle.find_gaps`, a column, a migration of the table), so that `refresh_gaps
--if-stale` rebuilds them at the next start."""

STAMP = "gaps"  # the rows' `DerivedRowsStamp` name

# A day after every agreement's last day (the programme's dates end long before): on it every
# signed cycle counts and every trailing gap has begun, so `find_gaps` returns them all.
_ANY_LATER_DAY = date(9999, 1, 1)


def gaps_fingerprint() -> str:
    """What the stored gaps are computed from besides the data: only `RULE_VERSION`."""
    return inputs_fingerprint(RULE_VERSION)


def partnership_gaps(
    facts: Mapping[int, Sequence[AgreementFacts]], counties: Mapping[int, int | None]
) -> list[PartnershipGap]:
    """The rows of these partnerships (``facts``: their agreements, by partnership id;
    ``counties``: their recipients' counties), unsaved."""
    return [
        PartnershipGap(
            partnership_id=gap.pair,
            after_id=gap.after_agreement_id,
            before_id=gap.before_agreement_id,
            first_day=gap.first_day,
            last_day=None if gap.before_agreement_id is None else gap.last_day,
            county_id=counties[gap.pair],
        )
        for gap in find_gaps(facts, _ANY_LATER_DAY)
    ]


def _refresh(partnership_ids: list[int]) -> int:
    """Rewrite these partnerships' rows; returns the rows written."""
    # One writer per partnership at a time (PostgreSQL): two transactions rewriting the same
    # rows would otherwise both insert them. The same read gives each recipient's county.
    counties: dict[int, int | None] = dict(
        Partnership.objects.select_for_update(of=("self",))
        .filter(pk__in=partnership_ids)
        .order_by("pk")
        .values_list("pk", "recipient__county_id")
    )
    facts: dict[int, list[AgreementFacts]] = defaultdict(list)
    for pk, partnership_id, start, end, signed_on, terminated_on in (
        Agreement.objects.filter(partnership_id__in=partnership_ids, signed_on__isnull=False)
        .order_by()
        .values_list("pk", "partnership_id", "start", "end", "signed_on", "terminated_on")
    ):
        facts[partnership_id].append(
            AgreementFacts(
                id=pk,
                partnership_id=partnership_id,
                start=start,
                end=end,
                signed_on=signed_on,
                terminated_on=terminated_on,
            )
        )
    rows = partnership_gaps(facts, counties)
    PartnershipGap.objects.filter(partnership_id__in=partnership_ids).delete()
    PartnershipGap.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


@transaction.atomic
def gaps_refresh_partnerships(partnership_ids: Iterable[int]) -> int:
    """After the agreements of these partnerships, or their recipients' counties, changed.
    Returns the rows written."""
    ids = sorted(set(partnership_ids))
    return sum(_refresh(ids[start : start + BATCH]) for start in range(0, len(ids), BATCH))


@transaction.atomic
def gaps_refresh_all() -> int:
    """Recompute every row from scratch: the load of existing data and the repair after edits
    outside the services; stamps the rows with `gaps_fingerprint()`. Returns the rows written."""
    PartnershipGap.objects.all().delete()  # rows of partnerships with no signed cycle go too
    ids = sorted(
        set(
            Agreement.objects.filter(signed_on__isnull=False)
            .order_by()
            .values_list("partnership_id", flat=True)
        )
    )
    written = sum(_refresh(ids[start : start + BATCH]) for start in range(0, len(ids), BATCH))
    derived_rows_stamp_write(STAMP, gaps_fingerprint())
    if connection.vendor == "postgresql":
        # Every row was rewritten: fresh statistics for the planner.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {PartnershipGap._meta.db_table}")
    return written


# ---- receivers of partnerships' and registry's signals (connected in `PartnershipsConfig.ready`) -


def on_agreement_changed(*, agreement: Agreement, **_: object) -> None:
    gaps_refresh_partnerships([agreement.partnership_id])


def on_institution_changed(
    *, institution: Institution, changed: frozenset[str] = frozenset(), **_: object
) -> None:
    """A recipient moved to another county: its partnerships' rows carry the new county."""
    if "county" in changed:
        gaps_refresh_partnerships(
            Partnership.objects.filter(recipient=institution).values_list("pk", flat=True)
        )
