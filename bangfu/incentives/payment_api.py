"""API: approving a statement (a frozen payment) and reading payments (§六; A2-四(三)).

Same services and scopes as the pages: `statement_approve` decides who approves
(`statement_approval_recipient`), `payment_list_for_user` / `payment_get_for_user` who reads,
and `payment_view` what stays masked (ADR 0004).
"""

import calendar
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from bangfu.accounts.request import request_user
from bangfu.core.pagination import PageNumber
from bangfu.core.schema_types import (
    CREATE_ERRORS,
    LIST_ERRORS,
    READ_ERRORS,
    Id,
    ProgrammeDate,
    Year,
)
from bangfu.incentives.models import Payment
from bangfu.incentives.payment_selectors import (
    PaymentView,
    payment_amounts_visible,
    payment_get_for_user,
    payment_list_for_user,
    payment_view,
)
from bangfu.incentives.payment_services import statement_approve
from bangfu.incentives.statement_selectors import statement_period
from bangfu.people.selectors import expert_get_for_user
from bangfu.policy.domain.periods import Period

router = Router()


class PaymentLineOut(Schema):
    item: str = Field(..., description="项目代码；adjustment 为以前期间核定调整")
    item_label: str
    deployment_id: int | None
    deployment_label: str
    days: int | None = Field(..., description="该派驻在结算期内的天数；调整行为空")
    amount: str = Field(..., description="元，两位小数；无权查看薪酬时薪酬补足为 ***")
    clause: str
    reason: str
    adjusts: int | None = Field(..., description="调整行所调整的支付记录编号")


class PaymentOut(Schema):
    id: int
    expert_id: int
    expert_name: str
    recipient_id: int
    recipient_name: str
    start: date
    end: date
    total: str = Field(..., description="合计（元）；含薪酬补足且无权查看时为 ***")
    amounts_visible: bool
    policy_version: str
    basis: str
    approved_by: str
    approved_at: datetime
    lines: list[PaymentLineOut]


class PaymentSummaryOut(Schema):
    id: int
    expert_id: int
    expert_name: str
    recipient_id: int
    recipient_name: str
    start: date
    end: date
    total: str = Field(..., description="合计（元）；含薪酬补足且无权查看时为 ***")
    amounts_visible: bool
    approved_at: datetime

    @staticmethod
    def resolve_expert_name(obj: Payment) -> str:
        return obj.expert.name

    @staticmethod
    def resolve_recipient_name(obj: Payment) -> str:
        return obj.recipient.name

    @staticmethod
    def resolve_start(obj: Payment) -> date:
        return obj.period_start

    @staticmethod
    def resolve_end(obj: Payment) -> date:
        return obj.period_end

    @staticmethod
    def resolve_total(obj: Payment, context: dict[str, Any]) -> str:
        return payment_view(request_user(context["request"]), obj).total_text

    @staticmethod
    def resolve_amounts_visible(obj: Payment, context: dict[str, Any]) -> bool:
        return payment_amounts_visible(request_user(context["request"]), obj)


class ApproveIn(Schema):
    start: ProgrammeDate | None = Field(None, description="结算开始日期（与 end 同用）")
    end: ProgrammeDate | None = Field(None, description="结算结束日期（与 start 同用）")
    year: Year | None = Field(None, description="按月核定：年份（与 month 同用）")
    month: int | None = Field(None, ge=1, le=12, description="按月核定：月份（与 year 同用）")


class PaymentQuery(Schema):
    expert_id: Id | None = Field(None, description="专家编号")
    hospital_id: Id | None = Field(None, description="受扶医院（机构编号）")


def _approval_period(body: ApproveIn) -> Period:
    if body.year is not None and body.month is not None:
        last = calendar.monthrange(body.year, body.month)[1]
        return Period(date(body.year, body.month, 1), date(body.year, body.month, last))
    if body.start is not None and body.end is not None:
        return statement_period(body.start, body.end)
    raise ValidationError({"start": "请给出结算期间：start 和 end，或 year 和 month"})


def _payment_out(view: PaymentView) -> dict[str, object]:
    payment = view.payment
    return {
        "id": payment.pk,
        "expert_id": payment.expert_id,
        "expert_name": payment.expert.name,
        "recipient_id": payment.recipient_id,
        "recipient_name": payment.recipient.name,
        "start": payment.period_start,
        "end": payment.period_end,
        "total": view.total_text,
        "amounts_visible": view.amounts_visible,
        "policy_version": payment.policy_version,
        "basis": payment.basis,
        "approved_by": payment.approved_by.get_full_name() or payment.approved_by.username,
        "approved_at": payment.approved_at,
        "lines": [
            {
                "item": line.item,
                "item_label": line.item_label,
                "deployment_id": line.deployment_id,
                "deployment_label": line.deployment_label,
                "days": line.days,
                "amount": line.amount_text,
                "clause": line.clause,
                "reason": line.reason,
                "adjusts": line.adjusts,
            }
            for line in view.lines
        ],
    }


@router.post(
    "/statements/{expert_id}/approve",
    response={201: PaymentOut, **CREATE_ERRORS},
    summary="核定专家待遇明细，生成不可更改的支付记录（专家服务的受扶医院）",
    description="核定后明细和合计不再改变；以后专家、派驻或协议变化的差额，"
    "作为“以前期间核定调整”计入以后期间的待遇明细。同一期间重复核定返回 409；"
    "非该专家服务的受扶医院返回 403（看不到该专家时 404）；期间未结束返回 422。",
)
def statement_approve_endpoint(
    request: HttpRequest, expert_id: int, body: ApproveIn
) -> Status[dict[str, object]]:
    user = request_user(request)
    period = _approval_period(body)
    expert = expert_get_for_user(user=user, pk=expert_id)
    payment = statement_approve(actor=user, expert=expert, period=period)
    return Status(201, _payment_out(payment_view(user, payment)))


@router.get(
    "/payments",
    response={200: list[PaymentSummaryOut], **LIST_ERRORS},
    summary="已核定的待遇支付记录（按可查看范围）",
)
@paginate(PageNumber)
def payment_list(request: HttpRequest, filters: Query[PaymentQuery]) -> QuerySet[Payment]:
    user = request_user(request)
    return payment_list_for_user(
        user=user, expert_id=filters.expert_id, hospital_id=filters.hospital_id
    )


@router.get(
    "/payments/{payment_id}",
    response={200: PaymentOut, **READ_ERRORS},
    summary="一条待遇支付记录（冻结的明细、合计、依据、核定人和时间）",
)
def payment_detail(request: HttpRequest, payment_id: int) -> dict[str, object]:
    user = request_user(request)
    return _payment_out(payment_view(user, payment_get_for_user(user=user, pk=payment_id)))
