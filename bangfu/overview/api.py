"""The overview map over the API: GeoJSON of the county-level units in the user's scope."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from bangfu.accounts.request import request_user
from bangfu.overview.selectors import MapMetric, county_map_for_user
from bangfu.partnerships.selectors import today_local

router = Router()


class CountyProperties(Schema):
    code: str = Field(description="县级行政区划代码")
    name: str
    prefecture_code: str
    value: int | None = Field(
        description="指标值（覆盖状态为等级：0 非目标县 … 4 已覆盖；能力达标率为百分数 0–100，"
        "该县当年无受帮扶医院时为 null）"
    )
    label: str = Field(description="指标的中文说明，如“已覆盖”“3 人”")


class CountyFeature(Schema):
    type: Literal["Feature"]
    properties: CountyProperties
    geometry: dict[str, Any]


class CountyFeatureCollection(Schema):
    type: Literal["FeatureCollection"]
    metric: str
    day: date
    source: str = Field(description="边界数据来源（示意图，边界不作为权属依据）")
    features: list[CountyFeature]


class ErrorOut(Schema):
    detail: str


@router.get(
    "/map/counties",
    response={200: CountyFeatureCollection, 401: ErrorOut, 422: ErrorOut},
    summary="县级地图数据（GeoJSON）",
)
def map_counties(
    request: HttpRequest, metric: MapMetric = MapMetric.COVERAGE, on: date | None = None
) -> dict[str, Any]:
    """One feature per county-level unit in the caller's scope, with the metric's figure:
    `coverage` (覆盖状态), `agreements` (生效协议数), `experts` (在岗专家数), `activities`
    (本年截至该日已确认的帮扶活动数) or `standard` (能力达标率: the share of the county's
    assisted hospitals meeting the capability standard in the last completed year, as the
    capability summary shows it; null without assisted hospitals), on `on`
    (default today, Asia/Shanghai)."""
    day = on or today_local()
    return county_map_for_user(
        user=request_user(request), metric=metric, day=day
    ).feature_collection()
