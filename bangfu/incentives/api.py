from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from bangfu.core.request import request_user
from bangfu.incentives.domain.money import yuan
from bangfu.incentives.selectors import (
    DEFAULT_ROUND_TRIP_COST,
    BudgetReport,
    ExpertStatement,
    budget_for_user,
    expert_statement_for_user,
    statement_period,
)

router = Router()


class StatementLineOut(Schema):
    deployment_id: int
    item: str
    item_label: str
    amount: str = Field(..., description="元，两位小数；无权查看薪酬时薪酬补足为 ***")
    clause: str
    reason: str


class RejectedClaimOut(Schema):
    deployment_id: int
    date: date
    amount: str
    reason: str


class StatementOut(Schema):
    expert_id: int
    expert_name: str
    start: date
    end: date
    sensitive_visible: bool
    lines: list[StatementLineOut]
    total: str = Field(..., description="合计；含薪酬补足且无权查看时为 ***")
    rejected_claims: list[RejectedClaimOut]


class StatementQuery(Schema):
    start: date | None = Field(None, description="结算开始日期，默认本年1月1日")
    end: date | None = Field(None, description="结算结束日期，默认开始日期所在年的12月31日")


def _statement_out(statement: ExpertStatement) -> dict[str, object]:
    return {
        "expert_id": statement.expert.pk,
        "expert_name": statement.expert.name,
        "start": statement.period.start,
        "end": statement.period.end,
        "sensitive_visible": statement.sensitive_visible,
        "lines": [
            {
                "deployment_id": row.deployment_id,
                "item": row.item,
                "item_label": row.item_label,
                "amount": row.amount_text,
                "clause": row.clause,
                "reason": row.reason,
            }
            for row in statement.rows
        ],
        "total": statement.total_text,
        "rejected_claims": [
            {
                "deployment_id": r.deployment_id,
                "date": r.date,
                "amount": r.amount_text,
                "reason": r.reason,
            }
            for r in statement.rejected
        ],
    }


def _unprocessable(exc: ValidationError) -> HttpError:
    return HttpError(422, "；".join(f"{f}：{'；'.join(m)}" for f, m in exc.message_dict.items()))


@router.get(
    "/experts/{expert_id}/statement",
    response=StatementOut,
    summary="专家待遇明细（§六；A2-四(三)），每行注明依据条款",
)
def statement(
    request: HttpRequest, expert_id: int, params: Query[StatementQuery]
) -> dict[str, object]:
    try:
        period = statement_period(params.start, params.end)
    except ValidationError as exc:
        raise _unprocessable(exc) from exc
    return _statement_out(
        expert_statement_for_user(user=request_user(request), expert_id=expert_id, period=period)
    )


class BudgetLineOut(Schema):
    expert_name: str
    item_label: str
    amount: str
    clause: str
    reason: str


class BudgetRowOut(Schema):
    key: str
    name: str
    prefecture: str
    hospitals: int
    deployments: int
    items: dict[str, str] = Field(..., description="按项目汇总（元）")
    total: str
    details_visible: bool
    lines: list[BudgetLineOut] = Field(..., description="逐人明细，仅省卫健委和受扶医院本院可见")


class BudgetOut(Schema):
    year: int
    level: str
    round_trip_cost: str
    available: bool
    rows: list[BudgetRowOut]
    item_totals: dict[str, str]
    total: str


class BudgetQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度，默认今年")
    level: str = Field(
        "hospital", pattern="^(hospital|prefecture|province)$", description="汇总层级"
    )
    round_trip_cost: Decimal = Field(
        DEFAULT_ROUND_TRIP_COST, ge=0, description="预计每次往返交通费（元）"
    )


def _budget_out(report: BudgetReport) -> dict[str, object]:
    return {
        "year": report.year,
        "level": report.level,
        "round_trip_cost": yuan(report.round_trip_cost),
        "available": report.available,
        "rows": [
            {
                "key": r.key,
                "name": r.name,
                "prefecture": r.prefecture,
                "hospitals": r.hospitals,
                "deployments": r.deployments,
                "items": {k: yuan(v) for k, v in r.items.items()},
                "total": yuan(r.total),
                "details_visible": r.details_visible,
                "lines": [
                    {
                        "expert_name": line.expert_name,
                        "item_label": line.item_label,
                        "amount": line.amount_text,
                        "clause": line.clause,
                        "reason": line.reason,
                    }
                    for line in r.lines
                ],
            }
            for r in report.rows
        ],
        "item_totals": {k: yuan(v) for k, v in report.item_totals.items()},
        "total": yuan(report.total),
    }


@router.get("/budget", response=BudgetOut, summary="年度激励保障预算（受扶医院/市州/全省）")
def budget(request: HttpRequest, params: Query[BudgetQuery]) -> dict[str, object]:
    try:
        report = budget_for_user(
            user=request_user(request),
            year=params.year or timezone.localdate().year,
            level=params.level,
            round_trip_cost=params.round_trip_cost,
        )
    except ValidationError as exc:
        raise _unprocessable(exc) from exc
    return _budget_out(report)
