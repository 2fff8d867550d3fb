"""The coverage-and-gaps report (§一, §七) as one scoped read, shared by the coverage page,
its Excel export and the dashboard.

Its lists are sequences whose length is a COUNT and whose slices build only their rows: the
expiring list is a `PartnershipRows` filtered in SQL (ADR 0012), gaps and unpaired recipients
are found, counted and ordered in SQL (`SqlGaps`, `SqlUnpaired`) and built by the domain
functions for the items read, and their partnerships and hospitals are fetched only for the
items a page shows (`LazyViews`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Generic, TypeVar

from bangfu.accounts.models import User
from bangfu.core.pagination import LazyRows
from bangfu.partnerships.domain.lifecycle import AgreementStatus, Gap, UnpairedRecipient
from bangfu.partnerships.models import Partnership
from bangfu.partnerships.selectors import (
    CoverageExplanation,
    PartnershipFilters,
    PartnershipRows,
    coverage_explanations_on,
    coverage_on,
    gaps_for_user,
    partnership_list_for_user,
    unpaired_for_user,
)
from bangfu.registry.models import County, Institution
from bangfu.registry.selectors import CountyFilters, county_list_for_user, prefecture_list_for_user

Item = TypeVar("Item")
View = TypeVar("View")


class LazyViews(LazyRows[View], Generic[Item, View]):
    """Views of `items` made by `build` (one or two queries per call) only for the slice read
    (`core.pagination.LazyRows`): `len()` and truth are the items' (a COUNT at most),
    iterating builds them all once."""

    def __init__(self, items: Sequence[Item], build: Callable[[Sequence[Item]], list[View]]):
        super().__init__()
        self._items = items
        self._build = build

    def _count(self) -> int:
        return len(self._items)

    def _page(self, start: int, stop: int | None) -> list[View]:
        return self._build(self._items[start:stop])


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

    @property
    def uncovered(self) -> int:
        return self.target - self.covered


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
    gaps: Sequence[GapView]
    lapsed: Sequence[UnpairedView]
    never_paired: Sequence[UnpairedView]
    expiring: PartnershipRows
    prefecture_names: dict[int, str]
    # The partnerships with a gap, as ids (one query; for the map's county colours).
    gap_partnership_ids: Callable[[], list[int]]
    # Read only when shown (the coverage page), not by the dashboard.
    explain: Callable[[], list[CoverageExplanation]]

    @property
    def explanations(self) -> list[CoverageExplanation]:
        """Uncovered target counties with an agreement in force, and why it does not count."""
        return self.explain()

    @property
    def percent(self) -> int:
        return self.covered * 100 // self.target_total if self.target_total else 0

    @property
    def unpaired_count(self) -> int:
        return len(self.lapsed) + len(self.never_paired)


# How many items of each list the coverage page and the home page show; the export has all.
SHOWN = 50


def _gap_views(gaps: Sequence[Gap[int]]) -> list[GapView]:
    partnerships = Partnership.objects.select_related(
        "helper", "recipient__county__prefecture"
    ).in_bulk([g.pair for g in gaps])
    return [GapView(g, partnerships[g.pair]) for g in gaps]


def _unpaired(items: Sequence[UnpairedRecipient[int]]) -> list[UnpairedView]:
    recipients = Institution.objects.select_related("county").in_bulk([u.recipient for u in items])
    return [UnpairedView(u, recipients[u.recipient]) for u in items]


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
    unpaired = unpaired_for_user(user=user, today=day)
    gaps = gaps_for_user(user=user, today=day)
    return CoverageReport(
        day=day,
        target_total=result.target_total,
        covered=result.covered,
        covered_other=result.covered_other,
        reasons=result.reasons,
        prefectures=prefectures,
        uncovered=[c for c in targets if c.code not in covered],
        gaps=LazyViews(gaps, _gap_views),
        gap_partnership_ids=gaps.partnership_ids,
        lapsed=LazyViews(unpaired.lapsed, _unpaired),
        never_paired=LazyViews(unpaired.never_paired, _unpaired),
        expiring=partnership_list_for_user(
            user=user,
            today=day,
            filters=PartnershipFilters(status=AgreementStatus.EXPIRING.value),
        ),
        prefecture_names={p.pk: p.name for p in in_scope},
        explain=cache(
            lambda: coverage_explanations_on(
                on=day, user=user, county_codes=[c.code for c in targets if c.code not in covered]
            )
        ),
    )
