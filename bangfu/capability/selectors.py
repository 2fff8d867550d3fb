"""Reads of capability indicator values and the §一 standard share, scoped to the user.

"Assisted" hospitals are the recipients whose partnership has, on some day of the year, a
governing agreement that counts toward the §一 goal (``agreement_counts_for_coverage``: in
force, out-of-province 三甲 helper); found in SQL with the partnerships rule
``in_force_during_q`` (ADR 0012), checked against the span walk by ``tests/test_summary_sql.py``.
That rule (``assisted.assisted_q``) computes the stored assisted years (``AssistedYear``, written
by ``capability.assisted``); the reads below count over those rows and the stored standings
(ADR 0021).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    QuerySet,
    When,
)
from django.db.models import Value as SQLValue
from django.db.models.functions import Coalesce
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
from bangfu.capability.models import (
    AssistedYear,
    CountyPlanVersion,
    CountyPlanYear,
    IndicatorValue,
)
from bangfu.capability.standings import Judge, empty_result, empty_results
from bangfu.partnerships.models import CountyPlan
from bangfu.partnerships.selectors import (
    can_manage_partnerships,
    county_plan_get_for_user,
    county_plan_list_for_user,
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
    values = Judge(catalogue).decoded((r.code, r.value) for r in rows)
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


def _assisted_in(year: int) -> Q:
    """A filter on Institution: assisted in ``year`` (``assisted.assisted_q``), as stored
    (``AssistedYear``, ADR 0021)."""
    return Q(pk__in=AssistedYear.objects.filter(year=year).values("institution_id"))


def assisted_recipient_ids(*, year: int, recipients: Q | None = None) -> set[int]:
    """Recipients (optionally narrowed by ``recipients``, a filter on Institution) assisted in
    ``year``: with, on some day of it, a governing agreement that counts toward the §一 goal
    (``assisted.assisted_q``, as stored)."""
    hospitals = Institution.objects.filter(_assisted_in(year))
    if recipients is not None:
        hospitals = hospitals.filter(recipients)
    return set(hospitals.values_list("pk", flat=True))


# The stored standings (``StandardStanding``, ADR 0021) are read through a filtered relation
# named per year; an assisted hospital without a row (no values that year) is judged as
# ``standings.empty_result`` for its type: it meets only if its type has nothing to meet.


def _standing(year: int) -> str:
    return f"standing_{year}"


def _with_standing(hospitals: QuerySet[Institution], year: int) -> QuerySet[Institution]:
    return hospitals.annotate(
        **{
            _standing(year): FilteredRelation(
                "standard_standings", condition=Q(standard_standings__year=year)
            )
        }
    )


def _meets_q(rel: str, catalogue: Catalogue, institution: str = "") -> Q:
    """Meets the standard in the year of the standing joined as ``rel`` (a filtered relation:
    ``_with_standing(year)`` on Institution, or the year's standing on another model whose path
    to the hospital is ``institution``): a stored row that meets, or no row and a type whose
    no-values result meets."""
    meets = Q(**{f"{rel}__meets": True})
    passing_empty = sorted(t for t, r in empty_results(catalogue).items() if r.meets)
    if passing_empty:
        meets |= Q(
            **{f"{rel}__pk__isnull": True, f"{institution}institution_type__in": passing_empty}
        )
    return meets


def _empty_case(year: int, catalogue: Catalogue, name: str) -> Coalesce:
    """The stored ``name`` of the year's standing, or the no-values result's for the type."""
    empties = empty_results(catalogue)
    fallback = Case(
        *(
            When(institution_type=t, then=SQLValue(getattr(r, name)))
            for t, r in sorted(empties.items())
        ),
        default=SQLValue(getattr(empties[""], name)),
        output_field=IntegerField(),
    )
    return Coalesce(F(f"{_standing(year)}__{name}"), fallback, output_field=IntegerField())


@dataclass(frozen=True)
class HospitalStanding:
    """An assisted hospital's result in the year, as stored (or the no-values result)."""

    institution: Institution
    meets: bool
    shortfall: int
    entered: int
    core_total: int
    core_met: int
    others_total: int
    others_met: int
    others_needed: int


@dataclass(frozen=True)
class CapabilitySummary:
    """The §一 figure of a year for a set of hospitals; the breakdowns are read in SQL from the
    stored standings when asked (a fixed number of queries whatever the number of hospitals)."""

    year: int
    assisted: int
    meeting_standard: int
    goal: Decimal
    hospitals_q: Q = field(compare=False, repr=False)  # the assisted hospitals, on Institution
    catalogue: Catalogue = field(compare=False, repr=False)

    @property
    def share(self) -> Decimal | None:
        if not self.assisted:
            return None
        return (Decimal(self.meeting_standard) / Decimal(self.assisted)).quantize(Decimal("0.0001"))

    @property
    def percent(self) -> int | None:
        """The share as a whole percentage, as the pages show it."""
        return None if self.share is None else round(self.share * 100)

    def _hospitals(self) -> QuerySet[Institution]:
        return _with_standing(Institution.objects.filter(self.hospitals_q), self.year)

    def _meeting(self) -> Count:
        return Count("pk", filter=_meets_q(_standing(self.year), self.catalogue))

    def by_county(self) -> dict[str, CapabilitySummary]:
        """The same figure for each county with an assisted hospital, by county code (one
        GROUP BY)."""
        rows = (
            self._hospitals()
            .filter(county__isnull=False)
            .order_by()
            .values("county__code")
            .annotate(n=Count("pk"), m=self._meeting())
            .values_list("county__code", "n", "m")
        )
        return {
            code: CapabilitySummary(
                year=self.year,
                assisted=n,
                meeting_standard=m,
                goal=self.goal,
                hospitals_q=self.hospitals_q & Q(county__code=code),
                catalogue=self.catalogue,
            )
            for code, n, m in rows
        }

    def by_prefecture(self) -> list[tuple[str, str, int, int]]:
        """(code, name, assisted, meeting) per prefecture, by code (one GROUP BY)."""
        rows = (
            self._hospitals()
            .order_by()
            .values("county__prefecture__code", "county__prefecture__name")
            .annotate(n=Count("pk"), m=self._meeting())
            .values_list("county__prefecture__code", "county__prefecture__name", "n", "m")
        )
        return sorted((code or "", name or "—", n, m) for code, name, n, m in rows)

    def _standings(self) -> QuerySet[Institution]:
        """The assisted hospitals with the year's stored row's fields (None without a row;
        ``_hospital_standing`` then takes the type's no-values result)."""
        rel = _standing(self.year)
        return (
            self._hospitals()
            .select_related("county__prefecture")
            .annotate(
                standing_pk=F(f"{rel}__pk"),
                standing_meets=F(f"{rel}__meets"),
                standing_shortfall=F(f"{rel}__shortfall"),
                standing_entered=F(f"{rel}__entered"),
                standing_core_total=F(f"{rel}__core_total"),
                standing_core_met=F(f"{rel}__core_met"),
                standing_others_total=F(f"{rel}__others_total"),
                standing_others_met=F(f"{rel}__others_met"),
                standing_others_needed=F(f"{rel}__others_needed"),
            )
        )

    def closest_to_passing(self, limit: int = 10) -> list[HospitalStanding]:
        """Hospitals not yet meeting the standard, fewest indicators short first, then by name
        (ORDER BY … LIMIT in SQL; the databases compare names by code point as Python did)."""
        rel = _standing(self.year)
        failing_empty = sorted(t for t, r in empty_results(self.catalogue).items() if not r.meets)
        rows = (
            self._standings()
            .filter(
                Q(**{f"{rel}__meets": False})
                | Q(**{f"{rel}__pk__isnull": True}, institution_type__in=failing_empty)
            )
            .annotate(shortfall_order=_empty_case(self.year, self.catalogue, "shortfall"))
            .order_by(F("shortfall_order"), "name", "pk")[:limit]
        )
        return hospital_standings(rows, self.catalogue)

    def hospitals(self) -> QuerySet[Institution]:
        """Every assisted hospital with its standing (``hospital_standings`` makes them
        standings), by county and name: a query to page, not a list."""
        return self._standings().order_by("county__code", "name", "pk")


def _hospital_standing(h: Institution, catalogue: Catalogue) -> HospitalStanding:
    if h.standing_pk is None:  # type: ignore[attr-defined]
        r = empty_result(catalogue, h.institution_type)
        return HospitalStanding(
            institution=h,
            meets=r.meets,
            shortfall=r.shortfall,
            entered=0,
            core_total=r.core_total,
            core_met=r.core_met,
            others_total=r.others_total,
            others_met=r.others_met,
            others_needed=r.others_needed,
        )
    return HospitalStanding(
        institution=h,
        meets=h.standing_meets,  # type: ignore[attr-defined]
        shortfall=h.standing_shortfall,  # type: ignore[attr-defined]
        entered=h.standing_entered,  # type: ignore[attr-defined]
        core_total=h.standing_core_total,  # type: ignore[attr-defined]
        core_met=h.standing_core_met,  # type: ignore[attr-defined]
        others_total=h.standing_others_total,  # type: ignore[attr-defined]
        others_met=h.standing_others_met,  # type: ignore[attr-defined]
        others_needed=h.standing_others_needed,  # type: ignore[attr-defined]
    )


def hospital_standings(
    rows: Iterable[Institution], catalogue: Catalogue | None = None
) -> list[HospitalStanding]:
    """The standings of a page of ``CapabilitySummary.hospitals()``."""
    catalogue = catalogue or capability_catalogue()
    return [_hospital_standing(h, catalogue) for h in rows]


def _recipients_q(user: User | None, prefecture: str = "", county: str = "") -> Q:
    recipients = Q(category=InstitutionCategory.RECIPIENT)
    if user is not None:
        recipients &= recipients_for_user(user)
    if prefecture:
        recipients &= Q(county__prefecture__code=prefecture)
    if county:
        recipients &= Q(county__code=county)
    return recipients


def capability_summary(
    *, year: int, user: User | None = None, prefecture: str = "", county: str = ""
) -> CapabilitySummary:
    """The §一 figure for ``year``: assisted recipient hospitals (in the user's scope, and the
    prefecture/county codes given) and how many of them meet the standard that year — counted
    in SQL over the stored assisted years and standings (ADR 0021): one query; each breakdown
    asked for is one more."""
    catalogue = capability_catalogue()
    hospitals_q = _recipients_q(user, prefecture, county) & _assisted_in(year)
    summary = CapabilitySummary(
        year=year,
        assisted=0,
        meeting_standard=0,
        goal=load_policy().cycle.standard_goal_share,
        hospitals_q=hospitals_q,
        catalogue=catalogue,
    )
    counts = summary._hospitals().aggregate(n=Count("pk"), m=summary._meeting())
    return replace(summary, assisted=counts["n"], meeting_standard=counts["m"])


@dataclass(frozen=True)
class SharePoint:
    year: int
    assisted: int
    meeting_standard: int
    share: Decimal | None


def standard_trend_for_user(*, user: User, today: date) -> list[SharePoint]:
    """The share by year, from the programme's first year to the last completed one (values
    for the current year are still being entered): every year counted in one query, a GROUP BY
    year over the stored assisted years (ADR 0021) left-joined with the same year's standing."""
    years = list(range(FIRST_YEAR, today.year))
    if not years:
        return []
    catalogue = capability_catalogue()
    meets = _meets_q("standing", catalogue, institution="institution__")
    rows = (
        AssistedYear.objects.filter(
            year__in=years,
            institution__in=Institution.objects.filter(_recipients_q(user)).values("pk"),
        )
        .annotate(
            standing=FilteredRelation(
                "institution__standard_standings",
                condition=Q(institution__standard_standings__year=F("year")),
            )
        )
        .order_by()
        .values("year")
        .annotate(n=Count("pk"), m=Count("pk", filter=meets))
        .values_list("year", "n", "m")
    )
    totals = {year: (n, m) for year, n, m in rows}
    points = []
    for year in years:
        n, m = totals.get(year, (0, 0))
        share = (Decimal(m) / Decimal(n)).quantize(Decimal("0.0001")) if n else None
        points.append(SharePoint(year, n, m, share))
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
