"""The overview map's one read: each county-level unit in the user's scope with the figure of
the chosen metric, computed from the same scoped selectors as the lists the map links to."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.db.models import Count

from bangfu.accounts.models import User
from bangfu.activities.selectors import ActivityFilters, activity_list_for_user
from bangfu.capability.selectors import capability_summary, summary_year
from bangfu.overview.domain.map_metrics import CountyFacts, coverage_cell, coverage_legend
from bangfu.overview.geo import county_features, map_source
from bangfu.partnerships.models import Partnership
from bangfu.partnerships.selectors import (
    covered_county_codes_on,
    expiring_county_ids_on,
    gap_county_ids,
    governing_agreements,
    partnership_filter_for_user,
)
from bangfu.people.selectors import DeploymentFilters, deployment_list_for_user
from bangfu.registry.models import County
from bangfu.registry.selectors import county_list_for_user


class MapMetric(StrEnum):
    COVERAGE = "coverage"
    AGREEMENTS = "agreements"
    EXPERTS = "experts"
    ACTIVITIES = "activities"
    STANDARD = "standard"

    @property
    def label(self) -> str:
        return _METRIC_LABELS[self]

    @property
    def percent(self) -> bool:
        """A share in percent (0–100), not a count."""
        return self is MapMetric.STANDARD


_METRIC_LABELS = {
    MapMetric.COVERAGE: "覆盖状态",
    MapMetric.AGREEMENTS: "生效协议数",
    MapMetric.EXPERTS: "在岗专家数",
    MapMetric.ACTIVITIES: "本年已确认活动数",
    MapMetric.STANDARD: "能力达标率",
}


@dataclass(frozen=True)
class CountyCellView:
    code: str
    name: str
    prefecture_code: str
    prefecture_name: str
    # None: the county has no figure for the metric (standard: no assisted hospital that year).
    value: int | None
    label: str


@dataclass(frozen=True)
class CountyMap:
    metric: MapMetric
    day: date
    cells: list[CountyCellView]
    legend: list[dict[str, object]]
    source: str

    @property
    def prefecture_codes(self) -> list[str]:
        return sorted({c.prefecture_code for c in self.cells})

    def feature_collection(self) -> dict[str, Any]:
        """GeoJSON: one feature per county-level unit in scope, properties with the figure."""
        features = county_features()
        return {
            "type": "FeatureCollection",
            "metric": self.metric.value,
            "day": self.day.isoformat(),
            "source": self.source,
            "features": [
                {
                    "type": "Feature",
                    "properties": {
                        "code": c.code,
                        "name": c.name,
                        "prefecture_code": c.prefecture_code,
                        "value": c.value,
                        "label": c.label,
                    },
                    "geometry": features[c.code]["geometry"],
                }
                for c in self.cells
                if c.code in features
            ],
        }


def county_map_for_user(*, user: User, metric: MapMetric, day: date) -> CountyMap:
    counties = list(county_list_for_user(user=user))
    if metric == MapMetric.COVERAGE:
        cells, legend = _coverage(user, day, counties), coverage_legend()
    elif metric == MapMetric.AGREEMENTS:
        cells, legend = _counted(counties, _agreements_in_force(user, day), "份"), []
    elif metric == MapMetric.STANDARD:
        cells, legend = _standard(user, day, counties), []
    elif metric == MapMetric.ACTIVITIES:
        confirmed = Counter(
            activity_list_for_user(user=user, filters=ActivityFilters(confirmed=True))
            .filter(date__year=day.year, date__lte=day)
            .values_list("partnership__recipient__county__code", flat=True)
        )
        cells, legend = _counted(counties, confirmed, "项"), []
    else:
        on_site = Counter(
            deployment_list_for_user(
                user=user, filters=DeploymentFilters(on_site_on=day)
            ).values_list("team__partnership__recipient__county__code", flat=True)
        )
        cells, legend = _counted(counties, on_site, "人"), []
    return CountyMap(metric=metric, day=day, cells=cells, legend=legend, source=map_source())


def _coverage(user: User, day: date, counties: list[County]) -> list[CountyCellView]:
    """Each county's coverage cell: covered as `coverage_on` judges it, and gaps and expiring
    agreements by the same reads as the county list's filters the map links to
    (`gap_county_ids`, `expiring_county_ids_on`): one query each, in the database."""
    covered = covered_county_codes_on(on=day, user=user)
    gap_ids = gap_county_ids(user=user, today=day)
    expiring_ids = set(expiring_county_ids_on(on=day, user=user))
    cells = []
    for c in counties:
        cell = coverage_cell(
            CountyFacts(
                target=c.programme_group == "target",
                covered=c.code in covered,
                has_gap=c.pk in gap_ids,
                has_expiring=c.pk in expiring_ids,
            )
        )
        cells.append(_view(c, cell.rank, cell.label))
    return cells


def _standard(user: User, day: date, counties: list[County]) -> list[CountyCellView]:
    """Assisted hospitals meeting the capability standard, per county, in the year the
    capability summary shows by default (its figure, `capability_summary`, narrowed to each
    county)."""
    year = summary_year(day)
    by_county = capability_summary(year=year, user=user).by_county()
    cells = []
    for c in counties:
        figure = by_county.get(c.code)
        if figure is None or figure.percent is None:
            cells.append(_view(c, None, f"无数据（{year}年无受帮扶医院）"))
            continue
        label = f"{figure.percent}%（{year}年 {figure.meeting_standard}/{figure.assisted} 家达标）"
        cells.append(_view(c, figure.percent, label))
    return cells


def _agreements_in_force(user: User, day: date) -> Counter[str]:
    """Partnerships with an agreement governing `day`, per recipient county (one SQL count)."""
    return agreements_in_force_by(user, day, "partnership__recipient__county__code")


def agreements_in_force_by(user: User, day: date, key: str) -> Counter[Any]:
    """How many partnerships in the user's scope have an agreement governing `day`, grouped by
    `key` (a path from Agreement) — counted in the database (ADR 0012)."""
    rows = (
        governing_agreements(day)
        .filter(partnership__in=Partnership.objects.filter(partnership_filter_for_user(user)))
        .values(key)
        .annotate(n=Count("pk"))
        .values_list(key, "n")
    )
    return Counter({k: n for k, n in rows if k is not None})


def _counted(counties: list[County], counts: Counter[str], unit: str) -> list[CountyCellView]:
    return [_view(c, counts[c.code], f"{counts[c.code]} {unit}") for c in counties]


def _view(county: County, value: int | None, label: str) -> CountyCellView:
    return CountyCellView(
        code=county.code,
        name=county.name,
        prefecture_code=county.prefecture.code,
        prefecture_name=county.prefecture.name,
        value=value,
        label=label,
    )
