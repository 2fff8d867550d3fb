"""The report for superiors (F10, §一, §七): one scoped read of everything it prints.

Figures are those on the period's last day (or today while the period runs), computed by the
same selectors as the coverage page, the dashboard and the lists, so a report and the screen
agree on the same day.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.http import Http404

from bangfu.accounts.models import User
from bangfu.overview.domain.report_period import ReportPeriod
from bangfu.overview.selectors import MapMetric, agreements_in_force_by, county_map_for_user
from bangfu.partnerships.coverage_report import CoverageReport, coverage_report_for_user
from bangfu.people.selectors import DeploymentFilters, deployment_list_for_user
from bangfu.policy.loader import load_policy
from bangfu.registry.models import Prefecture
from bangfu.registry.selectors import prefecture_list_for_user


@dataclass(frozen=True)
class PrefectureLine:
    code: str
    name: str
    target: int
    covered: int
    gaps: int
    expiring: int
    agreements_in_force: int
    experts_on_site: int

    @property
    def uncovered(self) -> int:
        return self.target - self.covered


@dataclass(frozen=True)
class ActionItem:
    kind: str
    text: str


@dataclass(frozen=True)
class ReportData:
    period: ReportPeriod
    day: date
    scope_label: str
    prefecture: Prefecture | None
    goal_year: int
    goal_total: int
    target_total: int
    covered: int
    standard_share_goal: str
    lines: list[PrefectureLine]
    actions: list[ActionItem]
    map_cells: dict[str, int] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"省外三甲医院帮扶县级医疗机构工作报告（{self.period.label}）"

    @property
    def covered_percent(self) -> int:
        return self.covered * 100 // self.goal_total if self.goal_total else 0

    @property
    def totals(self) -> PrefectureLine:
        return PrefectureLine(
            code="",
            name="合计",
            target=sum(x.target for x in self.lines),
            covered=sum(x.covered for x in self.lines),
            gaps=sum(x.gaps for x in self.lines),
            expiring=sum(x.expiring for x in self.lines),
            agreements_in_force=sum(x.agreements_in_force for x in self.lines),
            experts_on_site=sum(x.experts_on_site for x in self.lines),
        )


def report_data_for_user(
    *, user: User, period: ReportPeriod, today: date, prefecture_code: str = ""
) -> ReportData:
    day = period.as_of(today)
    prefectures = list(prefecture_list_for_user(user=user).order_by("code"))
    chosen = None
    if prefecture_code:
        chosen = next((p for p in prefectures if p.code == prefecture_code), None)
        if chosen is None:
            raise Http404("未找到该市州，或不在您的权限范围内")
        prefectures = [chosen]
    coverage = coverage_report_for_user(user=user, day=day)
    in_force = agreements_in_force_by(user, day, "partnership__recipient__county__prefecture_id")
    on_site = Counter(
        deployment_list_for_user(user=user, filters=DeploymentFilters(on_site_on=day)).values_list(
            "team__partnership__recipient__county__prefecture_id", flat=True
        )
    )
    gaps = Counter(_prefecture_of(g.partnership.recipient) for g in coverage.gaps)
    expiring = Counter(_prefecture_of(r.partnership.recipient) for r in coverage.expiring)
    by_code = {p.code: p for p in coverage.prefectures}
    lines = []
    for p in prefectures:
        tally = by_code.get(p.code)
        lines.append(
            PrefectureLine(
                code=p.code,
                name=p.name,
                target=tally.target if tally else 0,
                covered=tally.covered if tally else 0,
                gaps=gaps[p.pk],
                expiring=expiring[p.pk],
                agreements_in_force=in_force[p.pk],
                experts_on_site=on_site[p.pk],
            )
        )
    cycle = load_policy().cycle
    ids = {p.pk for p in prefectures}
    county_map = county_map_for_user(user=user, metric=MapMetric.COVERAGE, day=day)
    return ReportData(
        period=period,
        day=day,
        scope_label=chosen.name if chosen else _scope_label(user, prefectures),
        prefecture=chosen,
        goal_year=cycle.target_year,
        goal_total=cycle.target_county_total,
        target_total=sum(x.target for x in lines),
        covered=sum(x.covered for x in lines),
        standard_share_goal=f"{int(cycle.standard_goal_share * 100)}%",
        lines=lines,
        actions=_actions(coverage, ids),
        map_cells={
            c.code: c.value or 0  # coverage: a rank, never None
            for c in county_map.cells
            if not chosen or c.prefecture_code == chosen.code
        },
    )


def _prefecture_of(institution: object) -> int | None:
    county = getattr(institution, "county", None)
    return county.prefecture_id if county is not None else None


def _scope_label(user: User, prefectures: list[Prefecture]) -> str:
    if len(prefectures) == 1:
        return prefectures[0].name
    return "贵州省"


def _actions(coverage: CoverageReport, prefecture_ids: set[int]) -> list[ActionItem]:
    """What needs action, most urgent first: 断档, then uncovered target counties, then renewals."""
    items = [
        ActionItem(
            "断档",
            f"{g.partnership.recipient.name}（{g.partnership.helper.name}）"
            f"自 {g.gap.first_day.isoformat()} 起断档 {g.gap.days} 天",
        )
        for g in coverage.gaps
        if _prefecture_of(g.partnership.recipient) in prefecture_ids
    ]
    items += [
        ActionItem("未覆盖", f"{c.name}：目标县，尚无生效的省外三甲医院帮扶协议")
        for c in coverage.uncovered
        if c.prefecture_id in prefecture_ids
    ]
    items += [
        ActionItem(
            "即将到期",
            f"{r.partnership.recipient.name}（{r.partnership.helper.name}）协议"
            f"于 {max(c.agreement.end for c in r.cycles).isoformat()} 到期，需及时续签",
        )
        for r in coverage.expiring
        if _prefecture_of(r.partnership.recipient) in prefecture_ids
    ]
    return items
