"""Reads of activities and progress, scoped to the user (F8, F12).

Read scope: the partnerships the user may read (``partnership_filter_for_user``), and for an
expert the partnerships of the teams they serve on.

Sides (who records and who confirms, ``domain.records``; docs in the module docstring there):
- helper side: the helper hospital's users on its partnerships, and experts deployed on them;
- recipient side: the recipient hospital's users, the officer of the recipient's county, and the
  province officer (the supervising authority records what counties report, e.g. by Excel);
- everyone else (prefecture officers, observers, other hospitals): neither side — read only.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    JSONField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from bangfu.accounts.models import Role, User
from bangfu.activities.domain.progress import (
    CENTRE_KIND,
    QUANTITY_KINDS,
    ActivityFact,
    AgreementTerms,
    ProgressStatus,
    YearProgress,
    year_progress,
)
from bangfu.activities.domain.records import Period, Side, confirmation_problem
from bangfu.activities.models import (
    Activity,
    AgreementYearCount,
    AgreementYearProgress,
    MeasureYearCount,
    MeasureYearProgress,
)
from bangfu.core.clock import today_local as today_local
from bangfu.partnerships.domain.lifecycle import last_day_in_force
from bangfu.partnerships.models import PARTNERSHIP_ORDER, Agreement, AgreementMeasure, Partnership
from bangfu.partnerships.selectors import agreement_facts, partnership_filter_for_user
from bangfu.people.models import Deployment
from bangfu.policy.domain.activities import ActivityCatalogue
from bangfu.policy.loader import load_policy
from bangfu.registry.scope import NOTHING, related_in, scope_for_user


def activity_catalogue() -> ActivityCatalogue:
    return load_policy().activity_catalogue


# ---- scope and sides ----


def _expert_partnership_ids(user: User) -> QuerySet[Deployment, Any]:
    return Deployment.objects.filter(expert__user_id=user.pk).values("team__partnership_id")


def partnership_read_filter(user: User) -> Q:
    """Partnerships whose activities the user may read."""
    if scope_for_user(user).role == Role.EXPERT:
        return Q(pk__in=_expert_partnership_ids(user))
    return partnership_filter_for_user(user)


def partnership_write_filter(user: User) -> Q:
    """Partnerships on which the user records activities (is on one side, see module doc)."""
    scope = scope_for_user(user)
    if scope.role == Role.PROVINCE:
        return Q()
    if scope.role == Role.HELPER:
        return Q(helper_id=scope.institution_id)
    if scope.role == Role.EXPERT:
        return Q(pk__in=_expert_partnership_ids(user))
    if scope.role == Role.RECIPIENT:
        return Q(recipient_id=scope.institution_id)
    if scope.role == Role.COUNTY:
        return Q(recipient__county_id=scope.county_id)
    return NOTHING


def user_side(user: User, partnership: Partnership) -> Side | None:
    """The side of ``partnership`` the user acts for, or None (see module doc)."""
    scope = scope_for_user(user)
    if scope.role == Role.HELPER and partnership.helper_id == scope.institution_id:
        return Side.HELPER
    if scope.role == Role.EXPERT and (
        Deployment.objects.filter(expert__user_id=user.pk, team__partnership=partnership).exists()
    ):
        return Side.HELPER
    if scope.role == Role.RECIPIENT and partnership.recipient_id == scope.institution_id:
        return Side.RECIPIENT
    if scope.role == Role.COUNTY and partnership.recipient.county_id == scope.county_id:
        return Side.RECIPIENT
    if scope.role == Role.PROVINCE:
        return Side.RECIPIENT
    return None


def activity_confirm_problem(user: User, activity: Activity) -> str | None:
    """Why ``user`` may not confirm ``activity`` (None: they may). The page's confirm button and
    the service both ask this one function."""
    return confirmation_problem(
        recorded_side=Side(activity.recorded_side),
        confirmer_side=user_side(user, activity.partnership),
        already_confirmed=activity.is_confirmed,
    )


def activity_change_problem(user: User, activity: Activity) -> str | None:
    """Why ``user`` may not edit or delete ``activity``: only the side that recorded it, and only
    while it is unconfirmed (a confirmed record is what both sides agreed)."""
    if activity.is_confirmed:
        return "已确认的活动不能修改或删除"
    if user_side(user, activity.partnership) != Side(activity.recorded_side):
        return "只有填报方可以修改或删除该活动"
    return None


def writable_partnerships_for_user(user: User) -> QuerySet[Partnership]:
    return (
        Partnership.objects.filter(partnership_write_filter(user))
        .select_related("helper", "recipient__county")
        .order_by(*PARTNERSHIP_ORDER)  # the partnership list's order (ADR 0024)
    )


# ---- the agreement in force on a day (one place) ----


def signed_periods(agreements: Iterable[Agreement]) -> list[Period]:
    """The days each signed agreement was in force: from ``start`` (or its signing, when later)
    through its last day (§七; A2-五(一)). Built with the partnerships lifecycle rules."""
    periods = []
    for agreement in agreements:
        facts = agreement_facts(agreement, has_next_cycle=False)
        if facts.signed_on is None:
            continue
        first = max(facts.start, facts.signed_on)
        last = last_day_in_force(facts)
        if first <= last:
            periods.append(Period(first, last))
    return periods


def agreement_in_force_on(agreements: Iterable[Agreement], day: date) -> Agreement | None:
    """The signed agreement in force on ``day`` (the latest cycle when two overlap), or None."""
    found = None
    for agreement in sorted(agreements, key=lambda a: a.cycle_number):
        if any(p.contains(day) for p in signed_periods([agreement])):
            found = agreement
    return found


# ---- activity lists ----


@dataclass(frozen=True)
class ActivityFilters:
    county: str = ""
    partnership: int | None = None
    kind: str = ""
    month: str = ""  # YYYY-MM
    confirmed: bool | None = None


def activity_list_for_user(
    *, user: User, filters: ActivityFilters | None = None
) -> QuerySet[Activity]:
    filters = filters or ActivityFilters()
    qs = Activity.objects.filter(
        related_in("partnership", Partnership.objects.filter(partnership_read_filter(user)))
    ).select_related("partnership__helper", "partnership__recipient__county", "recorded_by")
    if filters.county:
        qs = qs.filter(partnership__recipient__county__code=filters.county)
    if filters.partnership is not None:
        qs = qs.filter(partnership_id=filters.partnership)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.month:
        year, _, month = filters.month.partition("-")
        if year.isdigit() and month.isdigit():
            # A date range (not the year and month parts): the database compares the column
            # instead of extracting the month of every row (SQLite calls back into Python).
            try:
                first = date(int(year), int(month), 1)
                last = date(
                    first.year, first.month, calendar.monthrange(first.year, first.month)[1]
                )
            except ValueError:  # no such month: nothing, as date__month=13 gave
                return qs.none()
            qs = qs.filter(date__gte=first, date__lte=last)
    if filters.confirmed is not None:
        qs = qs.filter(confirmed_at__isnull=not filters.confirmed)
    return qs.order_by("-date", "-pk")


def activity_get_for_user(*, user: User, pk: int) -> Activity:
    try:
        return (
            Activity.objects.filter(
                partnership__in=Partnership.objects.filter(partnership_read_filter(user))
            )
            .select_related(
                "partnership__helper",
                "partnership__recipient__county",
                "recorded_by",
                "confirmed_by",
            )
            .prefetch_related("experts", "evidence", "partnership__agreements")
            .get(pk=pk)
        )
    except Activity.DoesNotExist as exc:
        raise Http404("未找到该活动") from exc


def partnership_readable_get(*, user: User, pk: int) -> Partnership:
    try:
        return (
            Partnership.objects.filter(partnership_read_filter(user))
            .select_related("helper", "recipient__county__prefecture")
            .get(pk=pk)
        )
    except Partnership.DoesNotExist as exc:
        raise Http404("未找到该帮扶关系") from exc


# ---- progress ----


def agreement_terms(
    agreement: Agreement, measures: Mapping[str, Mapping[str, str]] | None = None
) -> AgreementTerms | None:
    """The agreement's terms as progress reads them (`domain.progress.AgreementTerms`): from
    its signature or start, whichever is later, to its last day in force, with its chosen
    measures — ``measures`` (code → targets) when already read (`measures_by_agreement`), else
    its rows. None while it is unsigned (it has no progress). Shared with the stored progress
    (`progress_store`, ADR 0020), which must judge agreements exactly as the pages do."""
    facts = agreement_facts(agreement, has_next_cycle=False)
    if facts.signed_on is None:
        return None
    return AgreementTerms(
        start=max(facts.start, facts.signed_on),
        last_day=last_day_in_force(facts),
        measures=measures
        if measures is not None
        else {m.code: dict(m.targets) for m in agreement.measures.all()},
    )


def measures_by_agreement(
    agreement_ids: Iterable[int] | QuerySet[Any, Any],
) -> dict[int, dict[str, dict[str, str]]]:
    """Chosen measures and targets per agreement (agreement id → code → targets), in one query
    of plain values: the ``measures`` of `agreement_terms`. Used by the pages and the stored
    progress (`progress_store`, ADR 0020)."""
    by_agreement: dict[int, dict[str, dict[str, str]]] = defaultdict(dict)
    for agreement_id, code, targets in AgreementMeasure.objects.filter(
        agreement_id__in=agreement_ids
    ).values_list("agreement_id", "code", "targets"):
        by_agreement[agreement_id][code] = dict(targets)
    return by_agreement


_FACT_FIELDS = ("partnership_id", "date", "kind", "counted_quantities", "counted_attributes")


def _only_for(kinds: Iterable[str], field: str) -> Case:
    """``field`` for activities of ``kinds``, NULL (read as {}) for the others: progress reads
    quantities only of 规章制度 and 专科建设 (A1-(7), A1-(3)) and attributes only of 中心建设
    (A1-(2)), so the other rows' JSON is not parsed."""
    return Case(When(kind__in=list(kinds), then=F(field)), default=None, output_field=JSONField())


def facts_by_partnership(
    partnership_ids: Iterable[int] | QuerySet[Any, Any], year: int
) -> dict[int, list[ActivityFact]]:
    """The activities progress of ``year`` can count, as facts per partnership, in one query of
    plain values (no model instances). Only A1-(2) counts from the agreement's start (capped,
    as before, at five years back: ``CENTRE_KIND`` since 1 January of ``year - 5``); every
    other measure counts inside the calendar year, so other kinds are read from 1 January.
    Used by the pages and the stored progress (`progress_store`, ADR 0020) alike, so both count
    the same activities."""
    by_partnership: dict[int, list[ActivityFact]] = defaultdict(list)
    rows = (
        Activity.objects.filter(partnership_id__in=partnership_ids, date__lte=date(year, 12, 31))
        .filter(Q(date__gte=date(year, 1, 1)) | Q(kind=CENTRE_KIND, date__gte=date(year - 5, 1, 1)))
        .annotate(
            confirmed_flag=ExpressionWrapper(~Q(confirmed_at=None), BooleanField()),
            counted_quantities=_only_for(QUANTITY_KINDS, "quantities"),
            counted_attributes=_only_for((CENTRE_KIND,), "attributes"),
        )
        .values_list(*_FACT_FIELDS, "department", "confirmed_flag")
    )
    for partnership_id, day, kind, quantities, attributes, department, confirmed in rows:
        by_partnership[partnership_id].append(
            ActivityFact(
                day=day,
                kind=kind,
                quantities=quantities or {},
                attributes=attributes or {},
                department=department,
                confirmed=bool(confirmed),
            )
        )
    return by_partnership


@dataclass(frozen=True)
class AgreementProgress:
    agreement: Agreement
    progress: YearProgress


def _progress_rows(
    agreements: Sequence[Agreement],
    year: int,
    today: date,
    scope: QuerySet[Agreement] | None = None,
) -> list[AgreementProgress]:
    """Progress of each agreement (in order), those not in force in ``year`` left out.
    ``scope`` (the agreements' query) replaces the literal id lists in the two reads."""
    policy = load_policy()
    if scope is not None:
        scope = scope.order_by()
    by_partnership = facts_by_partnership(
        scope.values("partnership_id")
        if scope is not None
        else {a.partnership_id for a in agreements},
        year,
    )
    measures = measures_by_agreement(
        scope.values("pk") if scope is not None else [a.pk for a in agreements]
    )
    rows = []
    for agreement in agreements:
        terms = agreement_terms(agreement, measures.get(agreement.pk, {}))
        if terms is None:
            continue
        result = year_progress(
            terms,
            year,
            by_partnership.get(agreement.partnership_id, ()),
            policy.activity_catalogue,
            today=today,
            default_team_size=policy.team.min_size,
        )
        if result is not None:
            rows.append(AgreementProgress(agreement, result))
    return rows


def partnership_progress(
    *, user: User, pk: int, year: int, today: date | None = None
) -> list[AgreementProgress]:
    """Each signed agreement of the partnership in force during ``year``, with its progress."""
    partnership = partnership_readable_get(user=user, pk=pk)
    agreements = list(Agreement.objects.filter(partnership=partnership).order_by("cycle_number"))
    return _progress_rows(agreements, year, today or today_local())


@dataclass(frozen=True)
class ProgressSummaryRow:
    """One region (county or prefecture): agreements counted and, per measure, how many are behind."""

    code: str
    name: str
    agreements: int
    behind: dict[str, int]
    no_record: dict[str, int]


def _progress_agreements(*, user: User, year: int) -> QuerySet[Agreement]:
    """The signed agreements in the user's scope whose term overlaps ``year``."""
    return Agreement.objects.filter(
        partnership__in=Partnership.objects.filter(partnership_read_filter(user)),
        signed_on__isnull=False,
        start__lte=date(year, 12, 31),
        end__gte=date(year, 1, 1),
    )


def progress_rows_for_user(
    *, user: User, year: int, county: str = "", today: date | None = None
) -> list[AgreementProgress]:
    qs = (
        _progress_agreements(user=user, year=year)
        .select_related("partnership__helper", "partnership__recipient__county__prefecture")
        .order_by("partnership__recipient__county__code", "partnership__recipient__name", "pk")
    )
    if county:
        qs = qs.filter(partnership__recipient__county__code=county)
    return _progress_rows(list(qs), year, today or today_local(), qs)


@dataclass(frozen=True)
class ProgressCounts:
    tracked: int  # agreements with progress in the year (the rows of the progress page)
    behind: int  # of them, those 滞后 on at least one measure


# ---- the stored progress (ADR 0020), read in SQL ----


def status_sql(day: date, prefix: str = "") -> Case:
    """`domain.progress.status_on` as an expression on MeasureYearProgress or MeasureYearCount
    (through ``prefix``, e.g. "measures__"): the status on ``day`` from met, any_record and
    behind_from.
    `tests/test_progress_store.py` checks it against the domain function on boundary days."""
    return Case(
        When(**{f"{prefix}met": True}, then=Value(ProgressStatus.MET.value)),
        When(**{f"{prefix}any_record": False}, then=Value(ProgressStatus.NO_RECORD.value)),
        When(**{f"{prefix}behind_from__lte": day}, then=Value(ProgressStatus.BEHIND.value)),
        default=Value(ProgressStatus.ON_TRACK.value),
        output_field=CharField(),
    )


def behind_on_sql(day: date) -> Q:
    """`domain.progress.first_behind_day` on ``day`` (on AgreementYearProgress and
    AgreementYearCount): the agreement-year is 滞后 on some measure. `tests/test_progress_store.py`
    checks it against `status_on` of the measures on boundary days."""
    return Q(behind_from__lte=day)


def _reads_counts(user: User) -> bool:
    """Whether the user's progress figures come from the counts (`AgreementYearCount`,
    `MeasureYearCount`): the whole province reads every partnership, so it needs no row of its
    own; every other scope is per partnership (or per recipient's category) and reads the
    year's rows in it, which are few."""
    return not partnership_read_filter(user)


def _tally(counted: bool, only: Q | None = None) -> Count | Coalesce:
    """How many stored rows (``only``: of them): on the counts the sum of ``n``, else the rows."""
    if counted:
        return Coalesce(Sum("n", filter=only), 0)
    return Count("pk", filter=only)


def _scoped(*, user: User, year: int, county: str = "") -> Q:
    """The stored rows (agreement-years or their measures, both carry year and partnership, or
    the counts for the whole province) of ``year`` in the user's scope: the agreements of
    `_progress_agreements` that were in force on a day of the year (the rows of the page)."""
    q = Q(year=year)
    scope = partnership_read_filter(user)
    if scope:  # the province reads every partnership: no subquery
        q &= Q(partnership__in=Partnership.objects.filter(scope))
    if county:
        q &= Q(county__code=county)  # the stored region (the recipient's county)
    return q


def progress_counts_for_user(*, user: User, year: int, today: date | None = None) -> ProgressCounts:
    """The counts of `progress_rows_for_user` (same rows, same rule) from the stored
    agreement-years (the province: their counts), in one query: the goals panel."""
    day = today or today_local()
    counted = _reads_counts(user)
    rows: QuerySet[Any] = (
        AgreementYearCount.objects.all() if counted else AgreementYearProgress.objects.all()
    )
    counts = rows.filter(_scoped(user=user, year=year)).aggregate(
        tracked=_tally(counted), behind=_tally(counted, behind_on_sql(day))
    )
    return ProgressCounts(tracked=counts["tracked"], behind=counts["behind"])


def progress_summary_for_user(
    *, user: User, year: int, by: str, county: str = "", today: date | None = None
) -> list[ProgressSummaryRow]:
    """`progress_summary` of `progress_rows_for_user` (same rows, same rule) from the stored
    agreement-years (the province: their counts): one GROUP BY for the agreements per region
    and one for the measures 滞后 / 无记录 per region and code, whatever the number of
    agreements, over the region keys stored on the rows."""
    day = today or today_local()
    counted = _reads_counts(user)
    agreement_rows: QuerySet[Any] = (
        AgreementYearCount.objects.all() if counted else AgreementYearProgress.objects.all()
    )
    measure_rows: QuerySet[Any] = (
        MeasureYearCount.objects.all() if counted else MeasureYearProgress.objects.all()
    )
    # The stored region keys (the recipient's county and its prefecture): no join from the
    # rows to partnership, institution and county per row, only to the region's small table.
    region = "county" if by == "county" else "prefecture"
    in_region = Q(county__isnull=False)
    groups: dict[str, ProgressSummaryRow] = {}
    for code, name, agreements in (
        agreement_rows.filter(_scoped(user=user, year=year, county=county), in_region)
        .order_by()
        .values_list(f"{region}__code", f"{region}__name")
        .annotate(n=_tally(counted))
    ):
        groups[code] = ProgressSummaryRow(code, name, agreements, {}, {})
    # Counted with FILTER, not selected by the status in WHERE: the planner cannot estimate a
    # CASE in WHERE and then joins the year's rows one by one.
    behind = Q(status=ProgressStatus.BEHIND.value)
    no_record = Q(status=ProgressStatus.NO_RECORD.value)
    counted_measures = (
        measure_rows.filter(_scoped(user=user, year=year, county=county), in_region)
        .annotate(status=status_sql(day))
        .order_by()
        .values_list(f"{region}__code", "code")
        .annotate(behind=_tally(counted, behind), no_record=_tally(counted, no_record))
    )
    for region_code, code, n_behind, n_no_record in counted_measures:
        entry = groups[region_code]
        if n_behind:
            entry.behind[code] = n_behind
        if n_no_record:
            entry.no_record[code] = n_no_record
    return [groups[code] for code in sorted(groups)]


def progress_summary(rows: Iterable[AgreementProgress], *, by: str) -> list[ProgressSummaryRow]:
    """Count agreements, and per measure those 滞后 / 无记录, by ``county`` or ``prefecture``
    (computed from rows: `progress_summary_for_user` gives the same from the stored rows)."""
    groups: dict[str, ProgressSummaryRow] = {}
    for row in rows:
        county = row.agreement.partnership.recipient.county
        if county is None:
            continue
        region = county if by == "county" else county.prefecture
        entry = groups.setdefault(
            region.code, ProgressSummaryRow(region.code, region.name, 0, {}, {})
        )
        groups[region.code] = ProgressSummaryRow(
            entry.code, entry.name, entry.agreements + 1, entry.behind, entry.no_record
        )
        for measure in row.progress.measures:
            if measure.status is ProgressStatus.BEHIND:
                entry.behind[measure.code] = entry.behind.get(measure.code, 0) + 1
            elif measure.status is ProgressStatus.NO_RECORD:
                entry.no_record[measure.code] = entry.no_record.get(measure.code, 0) + 1
    return [groups[code] for code in sorted(groups)]
