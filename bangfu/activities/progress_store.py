"""The stored progress of agreement-years (ADR 0020): written here, and only here.

`AgreementYearProgress` holds one signed agreement per calendar year it was in force on some
day of (the rows of the province's progress page); `MeasureYearProgress` one chosen measure of
it without a day (`domain.progress.MeasureYear`: target, achieved, unconfirmed, met, any record,
the first day it is behind), so that its status on any day is `domain.progress.status_on` — in
SQL `selectors.status_sql`.

Unit of refresh: every agreement-year of the partnerships touched (a partnership has few
agreements and years). The activity services call `progress_refresh_partnerships` in their
own transaction (the import once per batch for the partnerships it touched);
`partnerships.signals.agreement_changed` (agreement create or renew, sign, terminate) reaches
`on_agreement_changed` (connected in `ActivitiesConfig.ready`: partnerships may not call
activities). Changes that bypass the services (the admin, a policy file edit of the activity
catalogue or the minimum team, a bulk load) are repaired by `manage.py refresh_progress`. The
rows are derived data, so writing them adds no audit row: the change that caused them has its
own.

The rows carry their recipient's county and that county's prefecture (the summary's GROUP BY
without joins): `registry.signals.institution_changed` with "county" in ``changed`` (a recipient
moved through `registry.services.institution_update`) reaches `on_institution_changed`, which
rewrites that recipient's partnerships; `registry.signals.county_changed` with "prefecture" (a
county moved by a load of the official list, `registry_load`) reaches `on_county_changed`.

A full rebuild stamps the rows with `progress_fingerprint()` (the policy file and
`RULE_VERSION`, `core.derived_rows`); `refresh_progress --if-stale` (`scripts/serve`, at each
start) rebuilds only when that changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction

from bangfu.activities.domain.progress import AgreementTerms, agreement_year
from bangfu.activities.models import AgreementYearProgress, MeasureYearProgress
from bangfu.activities.selectors import agreement_terms, facts_by_partnership, measures_by_agreement
from bangfu.core.derived_rows import derived_rows_stamp_write, inputs_fingerprint
from bangfu.partnerships.models import Agreement, Partnership
from bangfu.policy.loader import load_policy, policy_file
from bangfu.registry.models import County, Institution

BATCH = 200

RULE_VERSION = 2  # 2: the rows carry their recipient's county and prefecture
"""The version of the code that computes the rows: bump it when the computation changes (a rule
of `domain.progress`, a column, a migration of the tables), so that `refresh_progress
--if-stale` rebuilds them at the next start."""

STAMP = "progress"  # the rows' `DerivedRowsStamp` name


def progress_fingerprint() -> str:
    """What the stored progress is computed from besides the data: the policy file (activity
    kinds per measure, the minimum team, the cycle rules) and `RULE_VERSION`."""
    return inputs_fingerprint(RULE_VERSION, policy_file())


def _refresh(partnership_ids: list[int], year: int | None) -> int:
    """Rewrite the rows of these partnerships' agreements (of ``year``, or every year);
    returns the agreement-year rows written."""
    # One writer per partnership at a time (PostgreSQL): two transactions rewriting the same
    # rows would otherwise both insert them.
    # The same read gives each partnership's region: its recipient's county and prefecture.
    regions = {
        pk: (county_id, prefecture_id)
        for pk, county_id, prefecture_id in Partnership.objects.select_for_update(of=("self",))
        .filter(pk__in=partnership_ids)
        .order_by("pk")
        .values_list("pk", "recipient__county_id", "recipient__county__prefecture_id")
    }
    policy = load_policy()
    agreements = list(
        Agreement.objects.filter(partnership_id__in=partnership_ids, signed_on__isnull=False)
        .only("pk", "partnership_id", "start", "end", "signed_on", "terminated_on")
        .order_by("pk")
    )
    measures = measures_by_agreement([a.pk for a in agreements])
    by_year: dict[int, list[tuple[Agreement, AgreementTerms]]] = defaultdict(list)
    for agreement in agreements:
        terms = agreement_terms(agreement, measures.get(agreement.pk, {}))
        if terms is None:
            continue
        for y in range(terms.start.year, terms.last_day.year + 1):
            if year is None or y == year:
                by_year[y].append((agreement, terms))
    rows: list[AgreementYearProgress] = []
    measure_rows: list[list[MeasureYearProgress]] = []
    for y in sorted(by_year):
        facts = facts_by_partnership(sorted({a.partnership_id for a, _ in by_year[y]}), y)
        for agreement, terms in by_year[y]:
            result = agreement_year(
                terms,
                y,
                facts.get(agreement.partnership_id, ()),
                policy.activity_catalogue,
                default_team_size=policy.team.min_size,
            )
            if result is None:
                continue
            county_id, prefecture_id = regions[agreement.partnership_id]
            rows.append(
                AgreementYearProgress(
                    agreement_id=agreement.pk,
                    year=y,
                    partnership_id=agreement.partnership_id,
                    county_id=county_id,
                    prefecture_id=prefecture_id,
                    first=result.first,
                    last=result.last,
                )
            )
            measure_rows.append(
                [
                    MeasureYearProgress(
                        year=y,
                        partnership_id=agreement.partnership_id,
                        county_id=county_id,
                        prefecture_id=prefecture_id,
                        code=m.code,
                        target=m.target,
                        achieved=m.achieved,
                        unconfirmed=m.unconfirmed,
                        met=m.met,
                        any_record=m.any_record,
                        behind_from=m.behind_from,
                    )
                    for m in result.measures
                ]
            )
    old_measures = MeasureYearProgress.objects.filter(partnership_id__in=partnership_ids)
    old = AgreementYearProgress.objects.filter(partnership_id__in=partnership_ids)
    if year is not None:
        old_measures = old_measures.filter(year=year)
        old = old.filter(year=year)
    old_measures.delete()
    old.delete()
    AgreementYearProgress.objects.bulk_create(rows, batch_size=BATCH)  # primary keys set
    for row, children in zip(rows, measure_rows, strict=True):
        for child in children:
            child.agreement_year_id = row.pk
    MeasureYearProgress.objects.bulk_create(
        [child for children in measure_rows for child in children], batch_size=BATCH * 4
    )
    return len(rows)


@transaction.atomic
def progress_refresh_partnerships(partnership_ids: Iterable[int]) -> None:
    """After activities of these partnerships, or their agreements, changed."""
    ids = sorted(set(partnership_ids))
    for start in range(0, len(ids), BATCH):
        _refresh(ids[start : start + BATCH], None)


@transaction.atomic
def progress_refresh_all(year: int | None = None) -> int:
    """Recompute every agreement-year (of ``year``, or of every year): the repair after a
    change that bypassed the services, and the load of existing data; a rebuild of every year
    stamps the rows with `progress_fingerprint()`. Returns the agreement-year rows written."""
    fingerprint = progress_fingerprint() if year is None else None
    old_measures = MeasureYearProgress.objects.all()
    old = AgreementYearProgress.objects.all()
    if year is not None:
        old_measures = old_measures.filter(year=year)
        old = old.filter(year=year)
    # Start empty: rows of agreements that are no longer signed or in force go too.
    old_measures.delete()
    old.delete()
    ids = sorted(
        set(
            Agreement.objects.filter(signed_on__isnull=False).values_list(
                "partnership_id", flat=True
            )
        )
    )
    written = 0
    for start in range(0, len(ids), BATCH):
        written += _refresh(ids[start : start + BATCH], year)
    if fingerprint is not None:
        derived_rows_stamp_write(STAMP, fingerprint)
    if connection.vendor == "postgresql":
        # Every row was rewritten: fresh statistics, or the planner estimates the year's rows
        # as a handful and joins them one by one (seconds at ×10 instead of milliseconds).
        with connection.cursor() as cursor:
            cursor.execute(
                f"ANALYZE {AgreementYearProgress._meta.db_table}, "
                f"{MeasureYearProgress._meta.db_table}"
            )
    return written


# ---- receivers of partnerships' and registry's signals (connected in `ActivitiesConfig.ready`) ----


def on_agreement_changed(*, agreement: Agreement, **_: object) -> None:
    progress_refresh_partnerships([agreement.partnership_id])


def on_institution_changed(
    *, institution: Institution, changed: frozenset[str] = frozenset(), **_: object
) -> None:
    """A recipient moved to another county: its partnerships' rows carry the new region."""
    if "county" in changed:
        progress_refresh_partnerships(
            Partnership.objects.filter(recipient=institution).values_list("pk", flat=True)
        )


def on_county_changed(
    *, county: County, changed: frozenset[str] = frozenset(), **_: object
) -> None:
    """A county moved to another prefecture: its recipients' partnerships' rows carry it."""
    if "prefecture" in changed:
        progress_refresh_partnerships(
            Partnership.objects.filter(recipient__county=county).values_list("pk", flat=True)
        )
