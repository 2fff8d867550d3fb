"""The coverage-and-gaps report (§一, §七) as one scoped read, shared by the coverage page,
its Excel export and the dashboard.

Its lists are sequences whose length is a COUNT and whose slices build only their rows: the
expiring list is a `PartnershipRows` filtered in SQL (ADR 0012), gaps and unpaired recipients
are found, counted and ordered in SQL (`gaps_for_user`: the stored gaps, ADR 0023, or
`SqlGaps` for a day before a later signature; `SqlUnpaired`) and built by the domain
functions for the items read, and their partnerships and hospitals are fetched only for the
items a page shows (`LazyViews`). Each list is made only when it is first read
(`DeferredRows`), so a page of one list (`coverage_lists_for_user`, a section of the coverage
page) reads nothing of the others."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Generic, TypeVar

from bangfu.accounts.models import User
from bangfu.core.pagination import DeferredRows, LazyRows
from bangfu.partnerships.domain.lifecycle import AgreementStatus, Gap, UnpairedRecipient
from bangfu.partnerships.models import Partnership
from bangfu.partnerships.selectors import (
    CoverageExplanation,
    PartnershipFilters,
    PartnershipRow,
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
    expiring: Sequence[PartnershipRow]
    prefecture_names: dict[int, str]
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


class CoverageList(StrEnum):
    """The coverage page's four lists, each a paged section of its own (`coverage_list`)."""

    EXPIRING = "expiring"
    GAPS = "gaps"
    LAPSED = "lapsed"
    NEVER_PAIRED = "never_paired"


@dataclass(frozen=True)
class CoverageLists:
    """The report's lists for a day, scoped to the user, none read yet: each costs a COUNT for
    its length and one or two queries for the rows of a slice, whichever others are read."""

    expiring: Sequence[PartnershipRow]
    gaps: Sequence[GapView]
    lapsed: Sequence[UnpairedView]
    never_paired: Sequence[UnpairedView]

    def rows(self, which: CoverageList) -> Sequence[object]:
        return {
            CoverageList.EXPIRING: self.expiring,
            CoverageList.GAPS: self.gaps,
            CoverageList.LAPSED: self.lapsed,
            CoverageList.NEVER_PAIRED: self.never_paired,
        }[which]


def _gap_views(gaps: Sequence[Gap[int]]) -> list[GapView]:
    partnerships = Partnership.objects.select_related(
        "helper", "recipient__county__prefecture"
    ).in_bulk([g.pair for g in gaps])
    return [GapView(g, partnerships[g.pair]) for g in gaps]


def _unpaired(items: Sequence[UnpairedRecipient[int]]) -> list[UnpairedView]:
    recipients = Institution.objects.select_related("county").in_bulk([u.recipient for u in items])
    return [UnpairedView(u, recipients[u.recipient]) for u in items]


def coverage_lists_for_user(*, user: User, day: date) -> CoverageLists:
    """The report's four lists (expiring agreements, 断档 gaps, lapsed and never-paired
    recipients) without its figures: what `coverage_report_for_user` lists, for a page of one
    list (the coverage page's sections) without the coverage counting."""
    # Each list is made when first read: making one already costs a query (the expiring
    # list's ids) or compiling its SQL, which a section of another list does not need.
    unpaired = cache(lambda: unpaired_for_user(user=user, today=day))
    gaps = cache(lambda: gaps_for_user(user=user, today=day))
    return CoverageLists(
        expiring=DeferredRows(
            lambda: partnership_list_for_user(
                user=user,
                today=day,
                filters=PartnershipFilters(status=AgreementStatus.EXPIRING.value),
            )
        ),
        gaps=LazyViews(DeferredRows(gaps), _gap_views),
        lapsed=LazyViews(DeferredRows(lambda: unpaired().lapsed), _unpaired),
        never_paired=LazyViews(DeferredRows(lambda: unpaired().never_paired), _unpaired),
    )


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
    lists = coverage_lists_for_user(user=user, day=day)
    return CoverageReport(
        day=day,
        target_total=result.target_total,
        covered=result.covered,
        covered_other=result.covered_other,
        reasons=result.reasons,
        prefectures=prefectures,
        uncovered=[c for c in targets if c.code not in covered],
        gaps=lists.gaps,
        lapsed=lists.lapsed,
        never_paired=lists.never_paired,
        expiring=lists.expiring,
        prefecture_names={p.pk: p.name for p in in_scope},
        explain=cache(
            lambda: coverage_explanations_on(
                on=day, user=user, county_codes=[c.code for c in targets if c.code not in covered]
            )
        ),
    )
