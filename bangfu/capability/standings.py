"""The stored yearly standard results of the hospitals (ADR 0021): written here, and only here.

`StandardStanding` holds, per hospital and year with at least one stored value, what
`standard_result` decides from the hospital's values of that year, its institution type and the
catalogue: meets, shortfall, the indicator counts of the summary page and the number of values
decoded (`entered`). One rule: the rows are computed by `standard_result` itself.

Kept in the writer's transaction: `services._write` (page save, API PUT, the Excel import, a
value removed) calls `standings_refresh` for the hospital-year it wrote, once per hospital-year.
Confirming values changes no result (`standard_result` does not read confirmations). The two
inputs outside capability: the hospital's `institution_type` (registry's `institution_update`
sends `registry.signals.institution_changed`, received below) and the catalogue file (its
version is stored on each row; `manage.py refresh_standings` rewrites the rows after a
catalogue change — `scripts/serve` runs it with `--if-stale` at each start — and after edits
outside the services, e.g. the admin or bulk loads). The rows are derived, so writing them adds
no audit row: the change that caused them has its own.

The reads join these rows with the stored assisted years (`assisted`: which recipients are
assisted in a year); a full rebuild (`standings_refresh_all`) rebuilds those too, so one command
repairs every stored §一 row. It stamps them with `standings_fingerprint()` (the catalogue file,
the policy file — its helper eligibility decides who is assisted — and `RULE_VERSION`,
`core.derived_rows`); `refresh_standings --if-stale` rebuilds only when that changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.db import transaction

from bangfu.capability.assisted import assisted_refresh_all
from bangfu.capability.domain.catalogue import Catalogue, Indicator
from bangfu.capability.domain.standard import IndicatorValue as Value
from bangfu.capability.domain.standard import StandardResult, standard_result, value_from_json
from bangfu.capability.loader import catalogue_file, load_catalogue
from bangfu.capability.models import IndicatorValue, StandardStanding
from bangfu.core.derived_rows import derived_rows_stamp_write, inputs_fingerprint
from bangfu.policy.loader import policy_file
from bangfu.registry.models import Institution, InstitutionType

BATCH = 500

RULE_VERSION = 2  # 2: the stored assisted years (`assisted`) are rebuilt with the standings
"""The version of the code that computes the rows: bump it when the computation changes (a rule
of `standard_result` or of `assisted.assisted_q`, a column, a migration of the tables), so that
`refresh_standings --if-stale` rebuilds them at the next start."""

STAMP = "standings"  # the rows' `DerivedRowsStamp` name


def standings_fingerprint() -> str:
    """What the stored standings and assisted years are computed from besides the data: the
    catalogue file (its indicators, rule and `version`), the policy file (its helper
    eligibility) and `RULE_VERSION`."""
    return inputs_fingerprint(RULE_VERSION, catalogue_file(), policy_file())


class Judge:
    """The catalogue's look-ups memoised for a batch: indicators by code, and ``for_type`` once
    per hospital type."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._by_code = {i.code: i for i in catalogue.indicators}
        self._for_type: dict[str, tuple[Indicator, ...]] = {}

    def decoded(self, stored: Iterable[tuple[str, object]]) -> dict[str, Value]:
        """The stored (code, value) pairs decoded: codes the catalogue does not know and values
        it cannot read (`value_from_json` gives None) are left out. The one decoder of stored
        values (the stored rows and the per-hospital page, `selectors.hospital_year_for_user`)."""
        values: dict[str, Value] = {}
        for code, raw in stored:
            indicator = self._by_code.get(code)
            if indicator is None:
                continue
            value = value_from_json(indicator, raw)
            if value is not None:
                values[code] = value
        return values

    def result(self, institution_type: str, values: dict[str, Value]) -> StandardResult:
        indicators = self._for_type.get(institution_type)
        if indicators is None:
            indicators = self._for_type[institution_type] = self.catalogue.for_type(
                institution_type
            )
        return standard_result(self.catalogue, institution_type, values, indicators=indicators)


def _judge_empty(catalogue: Catalogue) -> dict[str, StandardResult]:
    judge = Judge(catalogue)
    return {t: judge.result(t, {}) for t in ("", *InstitutionType.values)}


@lru_cache(maxsize=4)
def _loaded_empty_results(version: str) -> dict[str, StandardResult]:
    """`_judge_empty` of the loaded catalogue, cached by its version (a catalogue holds a
    mapping, so it is no cache key itself); only called with the loaded catalogue's version."""
    return _judge_empty(load_catalogue())


def _empty_results(catalogue: Catalogue) -> dict[str, StandardResult]:
    """Cached for the loaded catalogue (what the pages pass); any other catalogue (a test's
    variant) is judged afresh, so a cached result never answers for another catalogue."""
    if catalogue is load_catalogue():
        return _loaded_empty_results(catalogue.version)
    return _judge_empty(catalogue)


def empty_result(catalogue: Catalogue, institution_type: str) -> StandardResult:
    """The result of a hospital without values (it has no stored row), per type, memoised."""
    results = _empty_results(catalogue)
    if institution_type in results:
        return results[institution_type]
    return Judge(catalogue).result(institution_type, {})


def empty_results(catalogue: Catalogue) -> dict[str, StandardResult]:
    """`empty_result` for every institution type the registry knows (and blank)."""
    return dict(_empty_results(catalogue))


def standing_row(
    judge: Judge, institution_id: int, institution_type: str, year: int, values: dict[str, Value]
) -> StandardStanding:
    result = judge.result(institution_type, values)
    return StandardStanding(
        institution_id=institution_id,
        year=year,
        meets=result.meets,
        shortfall=result.shortfall,
        entered=len(values),
        core_total=result.core_total,
        core_met=result.core_met,
        others_total=result.others_total,
        others_met=result.others_met,
        others_needed=result.others_needed,
        catalogue_version=result.catalogue_version,
        institution_type=institution_type,
    )


def _rewrite(judge: Judge, institution_ids: list[int], year: int | None) -> int:
    """Rewrite the rows of these hospitals (of `year`, or every year) from their values."""
    if not institution_ids:
        return 0
    types = dict(
        Institution.objects.filter(pk__in=institution_ids).values_list("pk", "institution_type")
    )
    values = IndicatorValue.objects.filter(institution_id__in=institution_ids)
    old = StandardStanding.objects.filter(institution_id__in=institution_ids)
    if year is not None:
        values = values.filter(year=year)
        old = old.filter(year=year)
    stored: dict[tuple[int, int], list[tuple[str, object]]] = defaultdict(list)
    for institution_id, y, code, value in values.order_by().values_list(
        "institution_id", "year", "code", "value"
    ):
        stored[(institution_id, y)].append((code, value))
    rows = [
        standing_row(judge, institution_id, types[institution_id], y, judge.decoded(pairs))
        for (institution_id, y), pairs in sorted(stored.items())
    ]
    old.delete()
    StandardStanding.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


@transaction.atomic
def standings_refresh(institution_ids: Iterable[int], year: int | None = None) -> int:
    """After the values (of `year`, or of any year) or the type of these hospitals changed:
    their rows are rewritten. Returns the rows written."""
    ids = sorted(set(institution_ids))
    if not ids:
        return 0
    # One writer per hospital at a time (PostgreSQL): two transactions rewriting the same
    # hospital-year would otherwise both insert its row.
    list(Institution.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
    return _rewrite(Judge(load_catalogue()), ids, year)


@dataclass(frozen=True)
class StandingsRefreshed:
    """What a full rebuild wrote: the standings and the assisted years rebuilt with them."""

    standings: int
    assisted: int


@transaction.atomic
def standings_refresh_all(year: int | None = None) -> StandingsRefreshed:
    """Recompute every row (of `year`, or of every year) from scratch, and the stored assisted
    years with them (`assisted.assisted_refresh_all`): the load of existing data, the repair
    after edits outside the services, and the update after a catalogue or policy change; a
    rebuild of every year stamps the rows with `standings_fingerprint()`. Returns the rows
    written of each."""
    fingerprint = standings_fingerprint() if year is None else None
    old = StandardStanding.objects.all()
    values = IndicatorValue.objects.all()
    if year is not None:
        old = old.filter(year=year)
        values = values.filter(year=year)
    old.delete()  # rows of hospital-years whose values are gone go too
    ids = sorted(set(values.order_by().values_list("institution_id", flat=True).distinct()))
    judge = Judge(load_catalogue())
    written = sum(
        _rewrite(judge, ids[start : start + BATCH], year) for start in range(0, len(ids), BATCH)
    )
    assisted = assisted_refresh_all(year)
    if fingerprint is not None:
        derived_rows_stamp_write(STAMP, fingerprint)
    return StandingsRefreshed(standings=written, assisted=assisted)


def stale_standings(catalogue: Catalogue | None = None) -> int:
    """Rows judged with another catalogue version than the loaded one (0 after a refresh)."""
    version = (catalogue or load_catalogue()).version
    return StandardStanding.objects.exclude(catalogue_version=version).count()


# ---- receiver of registry's signal (connected in `CapabilityConfig.ready`) ----


def on_institution_changed(
    *, institution: Institution, changed: frozenset[str] = frozenset(), **_: object
) -> None:
    if "institution_type" in changed:  # the one registry field a result depends on
        standings_refresh([institution.pk])
