"""The capability API (§一): a hospital's yearly indicator values and the standard share."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from bangfu.accounts.request import request_user
from bangfu.capability.domain.standard import value_to_json
from bangfu.capability.selectors import HospitalYear, capability_summary, hospital_year_for_user
from bangfu.capability.services import capability_values_save
from bangfu.core.schema_types import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS, Id, Line

router = Router()

Year = Annotated[int, Field(ge=2000, le=2100, description="年度")]


class IndicatorOut(Schema):
    code: str
    name: str
    core: bool
    value: bool | str | None
    status: str
    confirmed: bool


class HospitalYearOut(Schema):
    institution_id: int
    year: int
    catalogue_version: str
    catalogue_draft: bool
    meets_standard: bool
    missing: list[str]
    failing: list[str]
    indicators: list[IndicatorOut]


def _out(hy: HospitalYear) -> dict[str, object]:
    result = hy.result
    return {
        "institution_id": hy.institution.pk,
        "year": hy.year,
        "catalogue_version": hy.catalogue.version,
        "catalogue_draft": hy.catalogue.is_draft,
        "meets_standard": result.meets,
        "missing": [c.indicator.code for c in result.missing],
        "failing": [c.indicator.code for c in result.failing],
        "indicators": [
            {
                "code": c.indicator.code,
                "name": c.indicator.name,
                "core": c.indicator.core,
                "value": value_to_json(c.value) if c.value is not None else None,
                "status": c.status.value,
                "confirmed": c.indicator.code in hy.rows
                and hy.rows[c.indicator.code].confirmed_at is not None,
            }
            for c in result.checks
        ],
    }


class SummaryQuery(Schema):
    year: Year
    prefecture: Annotated[str, Line(12)] = Field("", description="市州代码")
    county: Annotated[str, Line(12)] = Field("", description="县代码")


class SummaryOut(Schema):
    year: int
    assisted: int
    meeting_standard: int
    share: Decimal | None
    goal: Decimal


@router.get(
    "/capability/summary",
    response={200: SummaryOut, **LIST_ERRORS},
    summary="能力达标比例（受帮扶县级医院达到推荐标准）",
)
def summary(request: HttpRequest, filters: Query[SummaryQuery]) -> dict[str, object]:
    s = capability_summary(
        year=filters.year,
        user=request_user(request),
        prefecture=filters.prefecture,
        county=filters.county,
    )
    return {
        "year": s.year,
        "assisted": s.assisted,
        "meeting_standard": s.meeting_standard,
        "share": s.share,
        "goal": s.goal,
    }


@router.get(
    "/capability/{institution_id}/{year}",
    response={200: HospitalYearOut, **READ_ERRORS},
    summary="受扶医院年度能力指标",
)
def hospital_year(request: HttpRequest, institution_id: Id, year: Year) -> dict[str, object]:
    return _out(
        hospital_year_for_user(user=request_user(request), institution_id=institution_id, year=year)
    )


class ValuesIn(Schema):
    values: dict[
        Annotated[str, Line(12, min_length=1)],
        bool | Decimal | Annotated[str, Line(500)] | None,
    ] = Field(
        ...,
        description='指标编码 → 数值（数字、true/false 或选项文字；null 删除），如 {"DX-05": true}',
    )


@router.put(
    "/capability/{institution_id}/{year}",
    response={200: HospitalYearOut, **WRITE_ERRORS},
    summary="填报受扶医院年度能力指标（全部校验通过才保存）",
)
def hospital_year_put(
    request: HttpRequest, institution_id: Id, year: Year, payload: ValuesIn
) -> dict[str, object]:
    user = request_user(request)
    current = hospital_year_for_user(user=user, institution_id=institution_id, year=year)
    capability_values_save(
        actor=user, institution=current.institution, year=year, values=payload.values
    )
    return _out(hospital_year_for_user(user=user, institution_id=institution_id, year=year))
