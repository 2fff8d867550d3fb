"""Reads of capability indicator values and the §一 standard share, scoped to the user.

"Assisted" hospitals are the recipients whose partnership has, on some day of the year, a
governing agreement that counts toward the §一 goal (``agreement_counts_for_coverage``: in
force, out-of-province 三甲 helper); found in SQL with the partnerships rule
``in_force_during_q`` (ADR 0012), checked against the span walk by ``tests/test_summary_sql.py``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.http import Http404

from bangfu.accounts.models import Role, User
from bangfu.activities.selectors import progress_rows_for_user
from bangfu.capability.domain.catalogue import Catalogue, Indicator
from bangfu.capability.domain.plans import measure_target_reached, plan_indicator_reached
from bangfu.capability.domain.standard import (
    IndicatorValue as Value,
)
from bangfu.capability.domain.standard import (
    StandardResult,
    standard_result,
    value_from_json,
)
from bangfu.capability.loader import load_catalogue
from bangfu.capability.models import CountyPlanVersion, CountyPlanYear, IndicatorValue
from bangfu.partnerships.domain.coverage import CoverageAgreement, agreement_counts_for_coverage
from bangfu.partnerships.domain.lifecycle import AgreementStatus
from bangfu.partnerships.models import Agreement, CountyPlan
from bangfu.partnerships.selectors import (
    can_manage_partnerships,
    county_plan_get_for_user,
    county_plan_list_for_user,
    in_force_during_q,
    today_local,
)
from bangfu.policy.loader import load_policy
from bangfu.registry.models import County, Institution, InstitutionCategory, ProgrammeGroup
from bangfu.registry.scope import scope_for_user

FIRST_YEAR = 2025  # the programme starts in 2025 (§一)


def capability_catalogue() -> Catalogue:
    return load_catalogue()


def summary_year(today: date) -> int:
    """The year the §一 figure is shown for unless another is asked: the last completed year
    (values for the current one are still being entered), the first year during it."""
    return max(FIRST_YEAR, today.year - 1)


def year_choices(today: date | None = None) -> list[int]:
    """Years values may be entered for: the programme's first year through the current one."""
    current = (today or today_local()).year
    return list(range(max(FIRST_YEAR, current - 5), current + 1))


def recipients_for_user(user: User) -> Q:
    scope = scope_for_user(user)
    return Q(category=InstitutionCategory.RECIPIENT) & scope.institution_filter()


def recipient_get_for_user(*, user: User, institution_id: int) -> Institution:
    """A recipient hospital the user may read (its own users, its county, prefecture, the
    province, its partner helpers); otherwise 404."""
    try:
        return Institution.objects.select_related("county__prefecture").get(
            recipients_for_user(user), pk=institution_id
        )
    except Institution.DoesNotExist as exc:
        raise Http404("未找到该受扶医院") from exc


def can_enter_values(user: User, institution: Institution) -> bool:
    """The hospital's own users enter its values (§七: the hospital assesses itself)."""
    scope = scope_for_user(user)
    return scope.role == Role.RECIPIENT and scope.institution_id == institution.pk


def can_confirm_values(user: User, institution: Institution) -> bool:
    """The county health bureau of the hospital confirms them (§七: reported to the county)."""
    scope = scope_for_user(user)
    return scope.role == Role.COUNTY and scope.county_id == institution.county_id


def _decoded(catalogue: Catalogue, rows: list[IndicatorValue]) -> dict[str, Value]:
    values: dict[str, Value] = {}
    for row in rows:
        indicator = catalogue.indicator(row.code)
        if indicator is None:
            continue
        value = value_from_json(indicator, row.value)
        if value is not None:
            values[row.code] = value
    return values


@dataclass(frozen=True)
class HospitalYear:
    institution: Institution
    year: int
    catalogue: Catalogue
    rows: dict[str, IndicatorValue]
    values: dict[str, Value]
    result: StandardResult
    can_enter: bool
    can_confirm: bool

    @property
    def confirmed(self) -> bool:
        return bool(self.rows) and all(r.confirmed_at is not None for r in self.rows.values())

    @property
    def unconfirmed(self) -> int:
        return sum(1 for r in self.rows.values() if r.confirmed_at is None)


def hospital_year_for_user(*, user: User, institution_id: int, year: int) -> HospitalYear:
    institution = recipient_get_for_user(user=user, institution_id=institution_id)
    catalogue = capability_catalogue()
    rows = list(
        IndicatorValue.objects.filter(institution=institution, year=year).select_related(
            "entered_by", "confirmed_by"
        )
    )
    values = _decoded(catalogue, rows)
    return HospitalYear(
        institution=institution,
        year=year,
        catalogue=catalogue,
        rows={r.code: r for r in rows},
        values=values,
        result=standard_result(catalogue, institution.institution_type, values),
        can_enter=can_enter_values(user, institution),
        can_confirm=can_confirm_values(user, institution),
    )


def assisted_recipient_ids(*, year: int, recipients: Q | None = None) -> set[int]:
    """Recipients (optionally narrowed by ``recipients``, a filter on Institution) with, on some
    day of ``year``, a governing agreement that counts toward the §一 goal.

    A partnership is governed on some day of the year exactly when one of its agreements is in
    force on some day of it (``in_force_during_q``, in SQL); on such a day the governing
    agreement is in force, so its status is active or expiring, and it counts when the
    partnership's helper is an out-of-province 三甲 hospital (``agreement_counts_for_coverage``,
    judged once per distinct recipient, helper province and grade)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    agreements = Agreement.objects.filter(
        in_force_during_q(first, last),
        partnership__recipient__category=InstitutionCategory.RECIPIENT,
    )
    if recipients is not None:
        agreements = agreements.filter(
            partnership__recipient__in=Institution.objects.filter(recipients)
        )
    eligibility = load_policy().helper_eligibility
    rows = (
        agreements.order_by()
        .values_list(
            "partnership__recipient_id",
            "partnership__helper__province",
            "partnership__helper__grade",
        )
        .distinct()
    )
    return {
        recipient_id
        for recipient_id, province, grade in rows
        if agreement_counts_for_coverage(
            CoverageAgreement(
                agreement_id=0,
                recipient_county_code="",
                helper_province=province,
                helper_grade=grade,
                status=AgreementStatus.ACTIVE,  # in force that day (active or expiring)
            ),
            eligibility,
        )
    }


class _Judge:
    """The catalogue's look-ups memoised for one summary (or one trend of several years):
    indicators by code, and ``for_type`` once per hospital type."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._by_code = {i.code: i for i in catalogue.indicators}
        self._for_type: dict[str, tuple[Indicator, ...]] = {}

    def decoded(self, stored: Iterable[tuple[str, object]]) -> dict[str, Value]:
        """``_decoded`` over (code, stored value) pairs."""
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


@dataclass(frozen=True)
class HospitalStanding:
    institution: Institution
    result: StandardResult
    entered: int


@dataclass(frozen=True)
class CapabilitySummary:
    year: int
    assisted: int
    meeting_standard: int
    goal: Decimal
    standings: tuple[HospitalStanding, ...]

    @property
    def share(self) -> Decimal | None:
        if not self.assisted:
            return None
        return (Decimal(self.meeting_standard) / Decimal(self.assisted)).quantize(Decimal("0.0001"))

    @property
    def percent(self) -> int | None:
        """The share as a whole percentage, as the pages show it."""
        return None if self.share is None else round(self.share * 100)

    def by_county(self) -> dict[str, CapabilitySummary]:
        """The same figure for each county with an assisted hospital, by county code."""
        groups: dict[str, list[HospitalStanding]] = defaultdict(list)
        for s in self.standings:
            if s.institution.county is not None:
                groups[s.institution.county.code].append(s)
        return {
            code: CapabilitySummary(
                year=self.year,
                assisted=len(standings),
                meeting_standard=sum(1 for s in standings if s.result.meets),
                goal=self.goal,
                standings=tuple(standings),
            )
            for code, standings in groups.items()
        }

    def closest_to_passing(self, limit: int = 10) -> list[HospitalStanding]:
        """Hospitals not yet meeting the standard, fewest indicators short first."""
        behind = [s for s in self.standings if not s.result.meets]
        behind.sort(key=lambda s: (s.result.shortfall, s.institution.name))
        return behind[:limit]

    def by_prefecture(self) -> list[tuple[str, str, int, int]]:
        """(code, name, assisted, meeting) per prefecture, by code."""
        groups: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for s in self.standings:
            prefecture = s.institution.county.prefecture if s.institution.county else None
            key = (prefecture.code, prefecture.name) if prefecture else ("", "—")
            groups[key][0] += 1
            groups[key][1] += int(s.result.meets)
        return [(code, name, n, m) for (code, name), (n, m) in sorted(groups.items())]


def capability_summary(
    *, year: int, user: User | None = None, prefecture: str = "", county: str = ""
) -> CapabilitySummary:
    """The §一 figure for ``year``: assisted recipient hospitals (in the user's scope, and the
    prefecture/county codes given) and how many of them meet the standard that year."""
    recipients = Q(category=InstitutionCategory.RECIPIENT)
    if user is not None:
        recipients &= recipients_for_user(user)
    if prefecture:
        recipients &= Q(county__prefecture__code=prefecture)
    if county:
        recipients &= Q(county__code=county)
    return _summary(year, recipients, _Judge(capability_catalogue()))


def _summary(year: int, recipients: Q, judge: _Judge) -> CapabilitySummary:
    ids = assisted_recipient_ids(year=year, recipients=recipients)
    hospitals = Institution.objects.filter(pk__in=ids).select_related("county__prefecture")
    stored: dict[int, list[tuple[str, object]]] = defaultdict(list)
    for institution_id, code, value in IndicatorValue.objects.filter(
        year=year, institution_id__in=ids
    ).values_list("institution_id", "code", "value"):
        stored[institution_id].append((code, value))
    standings = []
    for hospital in hospitals.order_by("county__code", "name"):
        values = judge.decoded(stored[hospital.pk])
        result = judge.result(hospital.institution_type, values)
        standings.append(HospitalStanding(hospital, result, len(values)))
    return CapabilitySummary(
        year=year,
        assisted=len(standings),
        meeting_standard=sum(1 for s in standings if s.result.meets),
        goal=load_policy().cycle.standard_goal_share,
        standings=tuple(standings),
    )


@dataclass(frozen=True)
class SharePoint:
    year: int
    assisted: int
    meeting_standard: int
    share: Decimal | None


def standard_trend_for_user(*, user: User, today: date) -> list[SharePoint]:
    """The share by year, from the programme's first year to the last completed one (values
    for the current year are still being entered)."""
    recipients = Q(category=InstitutionCategory.RECIPIENT) & recipients_for_user(user)
    judge = _Judge(capability_catalogue())  # one memo for every year
    points = []
    for year in range(FIRST_YEAR, today.year):
        summary = _summary(year, recipients, judge)
        points.append(SharePoint(year, summary.assisted, summary.meeting_standard, summary.share))
    return points


# ---- county plans: yearly targets and their progress (§七) ----


def can_edit_county_plan(user: User, plan: CountyPlan) -> bool:
    """The same offices that write the plan (county and above, within scope) set its targets."""
    return (
        can_manage_partnerships(user)
        and scope_for_user(user).counties(County.objects.filter(pk=plan.county_id)).exists()
    )


@dataclass(frozen=True)
class MeasureTargetRow:
    code: str
    title: str
    target: int | None
    achieved: int
    reached: bool


@dataclass(frozen=True)
class IndicatorTargetRow:
    indicator: Indicator
    target: Value
    hospitals: tuple[tuple[Institution, Value | None, bool], ...]


@dataclass(frozen=True)
class PlanYear:
    plan: CountyPlan
    year: int
    row: CountyPlanYear | None
    measures: tuple[MeasureTargetRow, ...]
    indicators: tuple[IndicatorTargetRow, ...]
    versions: tuple[CountyPlanVersion, ...]
    can_edit: bool
    catalogue: Catalogue


def plan_year_for_user(*, user: User, plan_id: int, year: int) -> PlanYear:
    """The plan's targets for ``year`` with progress: per measure the confirmed activities of the
    county's agreements (``progress_rows_for_user``, the activities rule), per indicator each
    recipient hospital of the county and whether its value reaches the target."""
    plan = county_plan_get_for_user(user=user, pk=plan_id)
    row = CountyPlanYear.objects.filter(plan=plan, year=year).first()
    measure_targets = row.measure_targets if row else {}
    achieved: dict[str, int] = defaultdict(int)
    for progress in progress_rows_for_user(user=user, year=year, county=plan.county.code):
        for measure in progress.progress.measures:
            achieved[measure.code] += measure.achieved
    titles = {m.code: m.title for m in load_policy().measures}
    measures = tuple(
        MeasureTargetRow(
            code=code,
            title=titles.get(code, code),
            target=measure_targets.get(code),
            achieved=achieved.get(code, 0),
            reached=code in measure_targets
            and measure_target_reached(int(measure_targets[code]), achieved.get(code, 0)),
        )
        for code in sorted(plan.measure_codes)
    )
    catalogue = capability_catalogue()
    hospitals = list(
        Institution.objects.filter(recipients_for_user(user), county_id=plan.county_id).order_by(
            "name"
        )
    )
    values: dict[tuple[int, str], IndicatorValue] = {
        (v.institution_id, v.code): v
        for v in IndicatorValue.objects.filter(year=year, institution__in=hospitals)
    }
    indicators = []
    for code, stored in sorted((row.indicator_targets if row else {}).items()):
        indicator = catalogue.indicator(code)
        target = value_from_json(indicator, stored) if indicator else None
        if indicator is None or target is None:
            continue
        cells = []
        for hospital in hospitals:
            if not catalogue.applies(indicator, hospital.institution_type):
                continue
            found = values.get((hospital.pk, code))
            value = value_from_json(indicator, found.value) if found else None
            cells.append((hospital, value, plan_indicator_reached(indicator, target, value)))
        indicators.append(IndicatorTargetRow(indicator, target, tuple(cells)))
    return PlanYear(
        plan=plan,
        year=year,
        row=row,
        measures=measures,
        indicators=tuple(indicators),
        versions=tuple(CountyPlanVersion.objects.filter(plan=plan).select_related("saved_by")),
        can_edit=can_edit_county_plan(user, plan),
        catalogue=catalogue,
    )


@dataclass(frozen=True)
class PlanGaps:
    year: int
    counties_without_plan: tuple[County, ...]
    plans_without_targets: tuple[CountyPlan, ...]


def plan_gaps_for_user(*, user: User, today: date) -> PlanGaps:
    """Target counties (§一) in scope with no plan whose cycle covers ``today``, and plans
    covering ``today`` with no target for the current year."""
    current = county_plan_list_for_user(user=user).filter(
        cycle_start__lte=today, cycle_end__gte=today
    )
    counties = (
        scope_for_user(user)
        .counties(County.objects.filter(programme_group=ProgrammeGroup.TARGET))
        .exclude(pk__in=current.values("county_id"))
        .select_related("prefecture")
        .order_by("code")
    )
    with_targets = CountyPlanYear.objects.filter(year=today.year).exclude(
        measure_targets={}, indicator_targets={}
    )
    plans = current.exclude(pk__in=with_targets.values("plan_id")).order_by("county__code")
    return PlanGaps(today.year, tuple(counties), tuple(plans))
