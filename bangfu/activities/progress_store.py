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

Counts (`AgreementYearCount`, `MeasureYearCount`): the rows counted per year, region and what
decides their status on a day, so that the province's summary and counts read a few hundred rows
instead of every measure-year. Kept in the same transaction by difference: `_refresh` takes the
partnerships' stored rows out of `CountChanges` before deleting them and adds the rows it
writes, and `_count_changes_apply` adds the net change per key with an upsert (atomic, so
writers of other partnerships may add to the same key at the same time) and drops the keys that
reached zero. A full rebuild starts the counts empty too.

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

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from typing import cast

from django.db import connection, transaction
from django.db.models import Count, Model

from bangfu.activities.domain.progress import AgreementTerms, agreement_year, first_behind_day
from bangfu.activities.models import (
    NO_DAY,
    AgreementYearCount,
    AgreementYearProgress,
    MeasureYearCount,
    MeasureYearProgress,
)
from bangfu.activities.selectors import agreement_terms, facts_by_partnership, measures_by_agreement
from bangfu.core.derived_rows import derived_rows_stamp_write, inputs_fingerprint
from bangfu.partnerships.models import Agreement, Partnership
from bangfu.policy.loader import load_policy, policy_file
from bangfu.registry.models import County, Institution

BATCH = 200

RULE_VERSION = 3  # 2: the rows carry their recipient's county and prefecture; 3: the counts
"""The version of the code that computes the rows: bump it when the computation changes (a rule
of `domain.progress`, a column, a migration of the tables), so that `refresh_progress
--if-stale` rebuilds them at the next start."""

STAMP = "progress"  # the rows' `DerivedRowsStamp` name


def progress_fingerprint() -> str:
    """What the stored progress is computed from besides the data: the policy file (activity
    kinds per measure, the minimum team, the cycle rules) and `RULE_VERSION`."""
    return inputs_fingerprint(RULE_VERSION, policy_file())


KeyValue = int | str | bool | date | None
Key = tuple[
    KeyValue, ...
]  # a count's key: its model's KEY fields (year first), foreign keys as ids


class CountChanges:
    """What the rows rewritten in a transaction add to (or take from) the counts, per key;
    `_count_changes_apply` writes them once, at the end."""

    def __init__(self) -> None:
        self.agreements: Counter[Key] = Counter()
        self.measures: Counter[Key] = Counter()

    def add_rows(
        self, rows: Iterable[AgreementYearProgress], measures: Iterable[MeasureYearProgress]
    ) -> None:
        for row in rows:
            self.agreements[_key_of(row, AgreementYearCount.KEY)] += 1
        for measure in measures:
            self.measures[_key_of(measure, MeasureYearCount.KEY)] += 1

    def take_stored(self, partnership_ids: list[int], year: int | None) -> None:
        """Take the stored rows of these partnerships (of ``year``, or every year) out: they
        are about to be replaced."""
        rows = AgreementYearProgress.objects.filter(partnership_id__in=partnership_ids)
        measures = MeasureYearProgress.objects.filter(partnership_id__in=partnership_ids)
        if year is not None:
            rows = rows.filter(year=year)
            measures = measures.filter(year=year)
        for counter, stored, key in (
            (self.agreements, rows.order_by(), AgreementYearCount.KEY),
            (self.measures, measures.order_by(), MeasureYearCount.KEY),
        ):
            for *values, n in stored.values_list(*_columns(key)).annotate(n=Count("pk")):
                counter[tuple(values)] -= n


def _columns(key: tuple[str, ...]) -> list[str]:
    return [f"{name}_id" if name in ("county", "prefecture") else name for name in key]


def _key_of(row: Model, key: tuple[str, ...]) -> Key:
    return tuple(getattr(row, column) for column in _columns(key))


def _sort_key(key: Key) -> tuple[tuple[bool, KeyValue], ...]:
    """Keys in one order (NULLs last) in every transaction: rows locked in the same order."""
    return tuple((value is None, value if value is not None else 0) for value in key)


def _upsert_sql(model: type[Model], key: tuple[str, ...], rows: int) -> str:
    """INSERT of ``rows`` (key..., n) that adds n to the row of the same key when there is one
    (the conflict target is the model's unique index: NULLs as `models._key`)."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = _columns(key)
    day = f"'{NO_DAY.isoformat()}'" + ("::date" if connection.vendor == "postgresql" else "")
    target = ", ".join(
        f"(COALESCE({column}, {day if column == 'behind_from' else 0}))"
        if column in ("county_id", "prefecture_id", "behind_from")
        else column
        for column in columns
    )
    values = ", ".join(["(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"] * rows)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}, n) VALUES {values} "
        f"ON CONFLICT ({target}) DO UPDATE SET n = {table}.n + EXCLUDED.n"
    )


def _count_changes_apply(changes: CountChanges) -> None:
    """Add the changes to the counts (one upsert per batch, keys in order) and drop the counts
    that reached zero. Concurrent writers of other partnerships add to the same keys safely:
    each upsert is atomic, and additions commute."""
    for model, counter in (
        (AgreementYearCount, changes.agreements),
        (MeasureYearCount, changes.measures),
    ):
        changed = sorted(((k, n) for k, n in counter.items() if n), key=lambda kn: _sort_key(kn[0]))
        with connection.cursor() as cursor:
            for start in range(0, len(changed), BATCH):
                batch = changed[start : start + BATCH]
                cursor.execute(
                    _upsert_sql(model, model.KEY, len(batch)),
                    [value for k, n in batch for value in (*k, n)],
                )
        years = sorted({cast(int, k[0]) for k, _ in changed})
        if years:
            model._default_manager.filter(year__in=years, n=0).delete()


def _refresh(partnership_ids: list[int], year: int | None, changes: CountChanges) -> int:
    """Rewrite the rows of these partnerships' agreements (of ``year``, or every year), noting
    in ``changes`` what that does to the counts; returns the agreement-year rows written."""
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
                    behind_from=first_behind_day(result.measures),
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
    changes.take_stored(partnership_ids, year)
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
    new_measures = [child for children in measure_rows for child in children]
    MeasureYearProgress.objects.bulk_create(new_measures, batch_size=BATCH * 4)
    changes.add_rows(rows, new_measures)
    return len(rows)


@transaction.atomic
def progress_refresh_partnerships(partnership_ids: Iterable[int]) -> None:
    """After activities of these partnerships, or their agreements, changed: their rows, and
    the counts by what the new rows add and the old ones took."""
    ids = sorted(set(partnership_ids))
    changes = CountChanges()
    for start in range(0, len(ids), BATCH):
        _refresh(ids[start : start + BATCH], None, changes)
    _count_changes_apply(changes)


@transaction.atomic
def progress_refresh_all(year: int | None = None) -> int:
    """Recompute every agreement-year (of ``year``, or of every year): the repair after a
    change that bypassed the services, and the load of existing data; a rebuild of every year
    stamps the rows with `progress_fingerprint()`. Returns the agreement-year rows written."""
    fingerprint = progress_fingerprint() if year is None else None
    old_measures = MeasureYearProgress.objects.all()
    old = AgreementYearProgress.objects.all()
    old_counts = [AgreementYearCount.objects.all(), MeasureYearCount.objects.all()]
    if year is not None:
        old_measures = old_measures.filter(year=year)
        old = old.filter(year=year)
        old_counts = [counts.filter(year=year) for counts in old_counts]
    # Start empty: rows of agreements that are no longer signed or in force go too, and the
    # counts are those of the rows written below.
    old_measures.delete()
    old.delete()
    for counts in old_counts:
        counts.delete()
    ids = sorted(
        set(
            Agreement.objects.filter(signed_on__isnull=False).values_list(
                "partnership_id", flat=True
            )
        )
    )
    written = 0
    changes = CountChanges()
    for start in range(0, len(ids), BATCH):
        written += _refresh(ids[start : start + BATCH], year, changes)
    _count_changes_apply(changes)
    if fingerprint is not None:
        derived_rows_stamp_write(STAMP, fingerprint)
    if connection.vendor == "postgresql":
        # Every row was rewritten: fresh statistics, or the planner estimates the year's rows
        # as a handful and joins them one by one (seconds at ×10 instead of milliseconds).
        with connection.cursor() as cursor:
            tables = (
                AgreementYearProgress,
                MeasureYearProgress,
                AgreementYearCount,
                MeasureYearCount,
            )
            cursor.execute(f"ANALYZE {', '.join(t._meta.db_table for t in tables)}")
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
