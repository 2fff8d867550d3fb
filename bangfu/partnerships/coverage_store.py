"""The stored in-force spans of the agreements and the counties' covered days (ADR 0022): written
here, and only here.

`AgreementSpan` holds one agreement with at least one day in force (`domain.lifecycle.
in_force_span`), with its partnership, its recipient's county and prefecture, whether its helper
counts toward §一 (`counts`: `domain.coverage.agreement_counts_for_coverage` on a day in force,
i.e. active or expiring, judged per helper province and grade as `selectors.counting_helpers_q`
judges it) and its `start` and `end`. `CountyCoverageSpan` holds, per county, the union of its
counting spans as maximal ranges of days (`domain.coverage.merged_day_spans`). The coverage reads
(`selectors.coverage_on`, `covered_county_codes_on`, `covered_target_counts_on_days`,
`expiring_county_ids_on`) read these rows, never the agreements.

Unit of refresh: the partnerships touched (all their agreements), then the counties their rows
named before and after (their merged rows are rebuilt from their counting spans). Kept in the
writer's transaction:
- an agreement's dates, signature or termination (`partnerships.signals.agreement_changed`:
  create or renew, sign, terminate): its partnership;
- a helper's `province` or `grade`, a recipient's `county` (`registry.signals.
  institution_changed`, with the changed fields): every partnership of that institution (the
  recipient's old and new county both get their merged rows rewritten);
- a county's `prefecture` (`registry.signals.county_changed`, a load of the official list):
  the partnerships of its recipients (the rows carry it).
A partnership created without an agreement has no row. The policy's helper eligibility, the
code (`RULE_VERSION`) and edits outside the services (the admin, SQL, bulk loads) are repaired
by `coverage_refresh_all` (`manage.py refresh_coverage`; `--if-stale` at each start when the
policy file or `RULE_VERSION` changed). The rows are derived: writing them adds no audit row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import QuerySet

from bangfu.core.derived_rows import derived_rows_stamp_write, inputs_fingerprint
from bangfu.partnerships.domain.coverage import merged_day_spans
from bangfu.partnerships.domain.lifecycle import AgreementFacts, in_force_span
from bangfu.partnerships.models import Agreement, AgreementSpan, CountyCoverageSpan, Partnership
from bangfu.partnerships.selectors import helper_counts_for_coverage
from bangfu.policy.loader import load_policy, policy_file
from bangfu.registry.models import County, Institution

BATCH = 2000

RULE_VERSION = 1
"""The version of the code that computes the rows: bump it when the computation changes (the
in-force rule, the counting rule, a column), so that `refresh_coverage --if-stale` rebuilds them
at the next start."""

STAMP = "coverage"  # the rows' `DerivedRowsStamp` name


def coverage_fingerprint() -> str:
    """What the stored spans are computed from besides the data: the policy file (its helper
    eligibility decides `counts`) and `RULE_VERSION`."""
    return inputs_fingerprint(RULE_VERSION, policy_file())


@dataclass(frozen=True)
class CoverageRefreshed:
    spans: int  # AgreementSpan rows written
    county_spans: int  # CountyCoverageSpan rows written


def _spans(agreements: QuerySet[Agreement]) -> list[AgreementSpan]:
    """The span rows of these agreements (those with a day in force)."""
    eligibility = load_policy().helper_eligibility
    judged: dict[tuple[str, str], bool] = {}
    rows = []
    for (
        pk,
        partnership_id,
        start,
        end,
        signed_on,
        terminated_on,
        county_id,
        prefecture_id,
        province,
        grade,
    ) in (
        agreements.filter(signed_on__isnull=False)
        .order_by("pk")
        .values_list(
            "pk",
            "partnership_id",
            "start",
            "end",
            "signed_on",
            "terminated_on",
            "partnership__recipient__county_id",
            "partnership__recipient__county__prefecture_id",
            "partnership__helper__province",
            "partnership__helper__grade",
        )
        .iterator(chunk_size=BATCH)
    ):
        span = in_force_span(
            AgreementFacts(
                id=pk,
                partnership_id=partnership_id,
                start=start,
                end=end,
                signed_on=signed_on,
                terminated_on=terminated_on,
                termination_reason="",
                has_next_cycle=False,
            )
        )
        if span is None:
            continue
        if (province, grade) not in judged:
            judged[province, grade] = helper_counts_for_coverage(province, grade, eligibility)
        rows.append(
            AgreementSpan(
                agreement_id=pk,
                partnership_id=partnership_id,
                county_id=county_id,
                prefecture_id=prefecture_id,
                counts=judged[province, grade],
                first_day=span[0],
                last_day=span[1],
                start=start,
                end=end,
            )
        )
    return rows


def _merge_counties(county_ids: list[int] | None) -> int:
    """Rewrite the merged rows of these counties (None: of every county) from their counting
    spans; returns the rows written."""
    spans = AgreementSpan.objects.filter(counts=True, county__isnull=False)
    old = CountyCoverageSpan.objects.all()
    if county_ids is not None:
        if not county_ids:
            return 0
        # One writer per county at a time (PostgreSQL): two transactions rewriting partnerships
        # of the same county would otherwise each merge without the other's spans. Locked
        # after the partnerships, in id order, by every writer.
        list(
            County.objects.select_for_update().filter(pk__in=county_ids).order_by("pk").values("pk")
        )
        spans = spans.filter(county_id__in=county_ids)
        old = old.filter(county_id__in=county_ids)
    by_county: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for county_id, first, last in spans.order_by().values_list(
        "county_id", "first_day", "last_day"
    ):
        by_county[county_id].append((first, last))
    rows = [
        CountyCoverageSpan(county_id=county_id, first_day=first, last_day=last)
        for county_id in sorted(by_county)
        for first, last in merged_day_spans(by_county[county_id])
    ]
    old.delete()
    CountyCoverageSpan.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _refresh(partnership_ids: list[int]) -> set[int]:
    """Rewrite these partnerships' spans; returns the counties their rows named before or
    after (whose merged rows the caller rewrites)."""
    # One writer per partnership at a time (PostgreSQL), as the other stores.
    list(
        Partnership.objects.select_for_update()
        .filter(pk__in=partnership_ids)
        .order_by("pk")
        .values("pk")
    )
    old = AgreementSpan.objects.filter(partnership_id__in=partnership_ids)
    counties = set(old.exclude(county=None).values_list("county_id", flat=True))
    old.delete()
    rows = _spans(Agreement.objects.filter(partnership_id__in=partnership_ids))
    AgreementSpan.objects.bulk_create(rows, batch_size=BATCH)
    return counties | {r.county_id for r in rows if r.county_id is not None}


@transaction.atomic
def coverage_refresh_partnerships(partnership_ids: Iterable[int]) -> None:
    """After an agreement of these partnerships, their helper's province or grade, or their
    recipient's county changed: their spans and their counties' merged rows are rewritten."""
    ids = sorted(set(partnership_ids))
    counties: set[int] = set()
    for first in range(0, len(ids), BATCH):
        counties |= _refresh(ids[first : first + BATCH])
    _merge_counties(sorted(counties))


@transaction.atomic
def coverage_refresh_all() -> CoverageRefreshed:
    """Recompute every row from scratch: the load of existing data, the repair after edits
    outside the services, the update after a change of the policy's helper eligibility. Stamps
    the rows with `coverage_fingerprint()`."""
    fingerprint = coverage_fingerprint()
    CountyCoverageSpan.objects.all().delete()
    AgreementSpan.objects.all().delete()
    rows = _spans(Agreement.objects.all())
    AgreementSpan.objects.bulk_create(rows, batch_size=BATCH)
    merged = _merge_counties(None)
    derived_rows_stamp_write(STAMP, fingerprint)
    if connection.vendor == "postgresql":
        # Every row was rewritten: fresh statistics for the planner.
        with connection.cursor() as cursor:
            cursor.execute(
                f"ANALYZE {AgreementSpan._meta.db_table}, {CountyCoverageSpan._meta.db_table}"
            )
    return CoverageRefreshed(spans=len(rows), county_spans=merged)


# ---- receivers of partnerships' and registry's signals (connected in `PartnershipsConfig.ready`) --

HELPER_FIELDS = frozenset({"province", "grade"})  # a helper's inputs of `counts`


def on_agreement_changed(*, agreement: Agreement, **_: object) -> None:
    coverage_refresh_partnerships([agreement.partnership_id])


def on_institution_changed(
    *, institution: Institution, changed: frozenset[str] = frozenset(), **_: object
) -> None:
    """A helper's province or grade changed (its partnerships' `counts`), or a recipient moved
    to another county (its partnerships' rows, and both counties' merged rows)."""
    ids: list[int] = []
    if changed & HELPER_FIELDS:
        ids.extend(Partnership.objects.filter(helper=institution).values_list("pk", flat=True))
    if "county" in changed:
        ids.extend(Partnership.objects.filter(recipient=institution).values_list("pk", flat=True))
    if ids:
        coverage_refresh_partnerships(ids)


def on_county_changed(
    *, county: County, changed: frozenset[str] = frozenset(), **_: object
) -> None:
    """A county moved to another prefecture: its recipients' partnerships' rows carry it."""
    if "prefecture" in changed:
        coverage_refresh_partnerships(
            Partnership.objects.filter(recipient__county=county).values_list("pk", flat=True)
        )
