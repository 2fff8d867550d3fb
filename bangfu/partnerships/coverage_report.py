"""The coverage-and-gaps report (§一, §七) as one scoped read, shared by the coverage page,
its Excel export and the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bangfu.accounts.models import User
from bangfu.partnerships.domain.lifecycle import AgreementStatus, Gap, UnpairedRecipient
from bangfu.partnerships.models import Partnership
from bangfu.partnerships.selectors import (
    PartnershipRow,
    coverage_on,
    gap_report_for_user,
    partnership_list_for_user,
)
from bangfu.registry.models import County, Institution
from bangfu.registry.selectors import CountyFilters, county_list_for_user, prefecture_list_for_user


@dataclass(frozen=True)
class CountyCell:
    county: County
    covered: bool


@dataclass(frozen=True)
class PrefectureCoverage:
    code: str
    name: str
    target: int
    covered: int
    counties: list[CountyCell]

    @property
    def percent(self) -> int:
        return self.covered * 100 // self.target if self.target else 0


@dataclass(frozen=True)
class GapView:
    gap: Gap[int]
    partnership: Partnership


@dataclass(frozen=True)
class UnpairedView:
    item: UnpairedRecipient[int]
    recipient: Institution


@dataclass(frozen=True)
class CoverageReport:
    day: date
    target_total: int
    covered: int
    covered_other: int
    reasons: tuple[str, ...]
    prefectures: list[PrefectureCoverage]
    uncovered: list[County]
    gaps: list[GapView]
    lapsed: list[UnpairedView]
    never_paired: list[UnpairedView]
    expiring: list[PartnershipRow]
    prefecture_names: dict[int, str]

    @property
    def percent(self) -> int:
        return self.covered * 100 // self.target_total if self.target_total else 0

    @property
    def unpaired_count(self) -> int:
        return len(self.lapsed) + len(self.never_paired)


def coverage_report_for_user(*, user: User, day: date) -> CoverageReport:
    """Everything the coverage page and the dashboard show for a day, scoped to the user:
    target-county coverage by prefecture (§一), agreements expiring within the window,
    断档 gaps and recipients with no agreement in force (§七)."""
    result = coverage_on(on=day, user=user)
    covered = set(result.covered_codes)
    targets = list(county_list_for_user(user=user, filters=CountyFilters(programme_group="target")))
    prefectures = []
    in_scope = list(prefecture_list_for_user(user=user).order_by("code"))
    for prefecture in in_scope:
        tally = result.by_prefecture.get(prefecture.code)
        if not tally or not tally["target"]:
            continue
        prefectures.append(
            PrefectureCoverage(
                code=prefecture.code,
                name=prefecture.name,
                target=tally["target"],
                covered=tally["covered"],
                counties=[
                    CountyCell(c, c.code in covered)
                    for c in targets
                    if c.prefecture_id == prefecture.pk
                ],
            )
        )
    rows = partnership_list_for_user(user=user, today=day)
    report = gap_report_for_user(user=user, today=day, rows=rows)
    unpaired = [UnpairedView(u, report.recipients[u.recipient]) for u in report.unpaired]
    return CoverageReport(
        day=day,
        target_total=result.target_total,
        covered=result.covered,
        covered_other=result.covered_other,
        reasons=result.reasons,
        prefectures=prefectures,
        uncovered=[c for c in targets if c.code not in covered],
        gaps=[GapView(g, report.partnerships[g.pair]) for g in report.gaps],
        lapsed=[u for u in unpaired if u.item.days_since_last_end is not None],
        never_paired=[u for u in unpaired if u.item.days_since_last_end is None],
        expiring=[r for r in rows if r.status == AgreementStatus.EXPIRING],
        prefecture_names={p.pk: p.name for p in in_scope},
    )
