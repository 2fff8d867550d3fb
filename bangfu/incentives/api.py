import datetime
from datetime import date
from decimal import Decimal
from typing import Annotated

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from bangfu.accounts.request import request_user
from bangfu.core.pagination import PageNumber
from bangfu.core.schema_types import (
    CREATE_ERRORS,
    LIST_ERRORS,
    READ_ERRORS,
    Id,
    Line,
    Money,
    ProgrammeDate,
    Search,
    SmallCount,
    Text,
)
from bangfu.incentives.budget_selectors import (
    DEFAULT_ROUND_TRIP_COST,
    BudgetReport,
    budget_for_user,
)
from bangfu.incentives.ledger_selectors import (
    health_check_search_for_user,
    insurance_policy_search_for_user,
    tourism_card_search_for_user,
    travel_claim_get_for_user,
    travel_claim_search_for_user,
    work_fund_recipient_get_for_user,
    work_fund_search_for_user,
)
from bangfu.incentives.models import (
    HealthCheck,
    InsurancePolicy,
    TourismCard,
    TravelClaim,
    WorkFund,
)
from bangfu.incentives.services import (
    health_check_create,
    insurance_policy_create,
    statement_sensitive_view,
    tourism_card_create,
    travel_claim_create,
    work_fund_save,
)
from bangfu.incentives.statement_selectors import (
    ExpertStatement,
    expert_statement_for_user,
    statement_period,
)
from bangfu.people.api import OnDeploymentOut
from bangfu.people.selectors import deployment_get_for_user, expert_get_for_user
from bangfu.policy.domain.money import yuan

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
    start: ProgrammeDate | None = Field(None, description="结算开始日期，默认本年1月1日")
    end: ProgrammeDate | None = Field(
        None, description="结算结束日期，默认开始日期所在年的12月31日"
    )


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


@router.get(
    "/experts/{expert_id}/statement",
    response={200: StatementOut, **READ_ERRORS},
    summary="专家待遇明细（§六；A2-四(三)），每行注明依据条款",
)
def statement(
    request: HttpRequest, expert_id: int, params: Query[StatementQuery]
) -> dict[str, object]:
    period = statement_period(params.start, params.end)
    user = request_user(request)
    result = expert_statement_for_user(user=user, expert_id=expert_id, period=period)
    statement_sensitive_view(actor=user, statement=result, channel="API 待遇明细")
    return _statement_out(result)


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
    items: dict[str, str] = Field(
        ..., description="按项目汇总（元）；不足3人的薪酬补足对无权查看薪酬者为 “<3人不公开”"
    )
    total: str = Field(..., description="合计（元）；薪酬补足不公开时同样为 “<3人不公开”")
    details_visible: bool
    pay_visible: bool = Field(..., description="薪酬补足及合计是否公开给当前用户")
    paid: str = Field(
        ..., description="本年度已核定的待遇支付记录合计（元，含调整）；不公开时为 “<3人不公开”"
    )
    lines: list[BudgetLineOut] = Field(..., description="逐人明细，仅省卫健委和受扶医院本院可见")


class BudgetOut(Schema):
    year: int
    level: str
    round_trip_cost: str
    available: bool
    count: int = Field(..., description="该层级的行数（全部页）")
    page: int = Field(..., description="当前页（按受扶医院每页50行；市州与全省为1页）")
    pages: int = Field(..., description="总页数")
    rows: list[BudgetRowOut] = Field(..., description="当前页的行")
    item_totals: dict[str, str]
    total: str
    note: str = Field(..., description="有单元格因不足3人而不公开时的说明，否则为空")
    paid: str = Field(..., description="已核定支付合计（元），与预测 total 对照")


# A planning estimate per round trip: more is a typing mistake (and would overflow the sums).
ROUND_TRIP_COST_MAX = Decimal("100000")


class BudgetQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度，默认今年")
    level: str = Field(
        "hospital", pattern="^(hospital|prefecture|province)$", description="汇总层级"
    )
    round_trip_cost: Annotated[
        Decimal, Money(10, minimum=Decimal(0), maximum=ROUND_TRIP_COST_MAX)
    ] = Field(DEFAULT_ROUND_TRIP_COST, description="预计每次往返交通费（元），不超过 10 万元")
    q: Search = Field("", description="按受扶医院名称搜索")
    page: int = Field(1, ge=1, le=100000, description="页码（按受扶医院每页50行）")


def _amount_text(amount: Decimal | str) -> str:
    return amount if isinstance(amount, str) else yuan(amount)


def _budget_out(report: BudgetReport) -> dict[str, object]:
    return {
        "year": report.year,
        "level": report.level,
        "round_trip_cost": yuan(report.round_trip_cost),
        "available": report.available,
        "count": report.count,
        "page": report.page,
        "pages": report.pages,
        "rows": [
            {
                "key": r.key,
                "name": r.name,
                "prefecture": r.prefecture,
                "hospitals": r.hospitals,
                "deployments": r.deployments,
                "items": {k: _amount_text(v) for k, v in r.shown_items.items()},
                "total": _amount_text(r.shown_total),
                "details_visible": r.details_visible,
                "pay_visible": r.pay_visible,
                "paid": _amount_text(r.shown_paid),
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
        "item_totals": {k: _amount_text(v) for k, v in report.shown_item_totals.items()},
        "total": _amount_text(report.shown_total),
        "note": report.note,
        "paid": _amount_text(report.shown_paid),
    }


@router.get(
    "/budget",
    response={200: BudgetOut, **LIST_ERRORS},
    summary="年度激励保障预算（受扶医院/市州/全省）",
)
def budget(request: HttpRequest, params: Query[BudgetQuery]) -> dict[str, object]:
    report = budget_for_user(
        user=request_user(request),
        year=params.year or timezone.localdate().year,
        level=params.level,
        round_trip_cost=params.round_trip_cost,
        q=params.q,
        page=params.page,
    )
    return _budget_out(report)


# ---- ledger (§六; A2-四(三)): the same scope as the ledger page ----
#
# Writes call the ledger services: a service's ValidationError is a 422 naming the field, its
# PermissionDenied a 403; a referenced expert, deployment or recipient the user may not read is a
# 404. Ledger rows carry no pay and no identity number.


class TravelClaimOut(OnDeploymentOut):
    date: datetime.date
    amount: str = Field(..., description="元，两位小数")
    has_receipt: bool = Field(..., description="是否已上传票据（票据文件在页面下载）")
    note: str

    @staticmethod
    def resolve_amount(obj: TravelClaim) -> str:
        return yuan(obj.amount)

    @staticmethod
    def resolve_has_receipt(obj: TravelClaim) -> bool:
        return bool(obj.receipt)


class ExpertLedgerOut(Schema):
    id: int
    expert_id: int
    expert_name: str

    @staticmethod
    def resolve_expert_name(obj: InsurancePolicy | HealthCheck | TourismCard) -> str:
        return obj.expert.name


class InsurancePolicyOut(ExpertLedgerOut):
    insurer: str
    policy_number: str
    coverage: str = Field(..., description="保额（元），两位小数")
    start: date
    end: date

    @staticmethod
    def resolve_coverage(obj: InsurancePolicy) -> str:
        return yuan(obj.coverage)


class HealthCheckOut(ExpertLedgerOut):
    checked_on: date
    provider: str


class TourismCardOut(ExpertLedgerOut):
    card_number: str
    issued_on: date
    expires_on: date | None
    electronic: bool


class WorkFundOut(Schema):
    id: int
    recipient_id: int
    recipient_name: str
    year: int
    amount: str = Field(..., description="安排金额（元），两位小数")
    note: str

    @staticmethod
    def resolve_recipient_name(obj: WorkFund) -> str:
        return obj.recipient.name

    @staticmethod
    def resolve_amount(obj: WorkFund) -> str:
        return yuan(obj.amount)


class TravelClaimQuery(Schema):
    q: Search = Field("", description="按专家姓名搜索")
    expert: Id | None = Field(None, description="专家编号")
    recipient: Id | None = Field(None, description="受扶医院（机构编号）")
    year: int | None = Field(None, ge=2000, le=2100, description="乘车日期所在年度")


class ExpertLedgerQuery(Schema):
    q: Search = Field("", description="按专家姓名搜索")
    expert: Id | None = Field(None, description="专家编号")
    year: int | None = Field(
        None,
        ge=2000,
        le=2100,
        description="年度：保险为该年内有效的保单，体检为体检日期、旅游优惠证为办理日期所在年度",
    )


class WorkFundQuery(Schema):
    q: Search = Field("", description="按受扶医院名称搜索")
    recipient: Id | None = Field(None, description="受扶医院（机构编号）")
    year: int | None = Field(None, ge=2000, le=2100, description="年度")


@router.get(
    "/ledger/travel-claims",
    response={200: list[TravelClaimOut], **LIST_ERRORS},
    summary="台账：往返交通费报销（§六；A2-四(三)4）",
)
@paginate(PageNumber)
def travel_claims(request: HttpRequest, filters: Query[TravelClaimQuery]) -> QuerySet[TravelClaim]:
    return travel_claim_search_for_user(user=request_user(request), **filters.dict())


@router.get(
    "/ledger/travel-claims/{claim_id}",
    response={200: TravelClaimOut, **READ_ERRORS},
    summary="交通费报销记录",
)
def travel_claim_detail(request: HttpRequest, claim_id: int) -> TravelClaim:
    return travel_claim_get_for_user(user=request_user(request), pk=claim_id)


class TravelClaimIn(Schema):
    deployment_id: Id = Field(..., description="派驻编号")
    date: ProgrammeDate = Field(..., description="乘车日期，应在派驻期内且不晚于今天")
    amount: Annotated[Decimal, Money(10, decimal_places=None)] = Field(
        ..., description="金额（元），最多两位小数"
    )
    note: Annotated[str, Text(200)] = ""


@router.post(
    "/ledger/travel-claims",
    response={201: TravelClaimOut, **CREATE_ERRORS},
    summary="登记往返交通费（专家本人、受扶医院或省卫健委）",
    description="以 JSON 登记，不含票据；票据文件在“登记往返交通费”页面上传。"
    "是否报销（每月1次、在岗派驻）在待遇明细中按规则判定（§六；A2-四(三)4）。",
)
def travel_claim_create_endpoint(request: HttpRequest, body: TravelClaimIn) -> Status[TravelClaim]:
    user = request_user(request)
    deployment = deployment_get_for_user(user=user, pk=body.deployment_id)
    claim = travel_claim_create(
        actor=user, deployment=deployment, date=body.date, amount=body.amount, note=body.note
    )
    return Status(201, travel_claim_get_for_user(user=user, pk=claim.pk))


@router.get(
    "/ledger/insurance-policies",
    response={200: list[InsurancePolicyOut], **LIST_ERRORS},
    summary="台账：人身意外伤害保险（§六；A2-四(三)3）",
)
@paginate(PageNumber)
def insurance_policies(
    request: HttpRequest, filters: Query[ExpertLedgerQuery]
) -> QuerySet[InsurancePolicy]:
    return insurance_policy_search_for_user(user=request_user(request), **filters.dict())


class InsurancePolicyIn(Schema):
    expert_id: Id
    insurer: Annotated[str, Line(100)] = Field(..., description="保险公司")
    policy_number: Annotated[str, Line(60)] = Field(..., description="保单号")
    coverage: Annotated[Decimal, Money(14)] = Field(..., description="保额（元），不低于100万元")
    start: ProgrammeDate = Field(..., description="保险起期")
    end: ProgrammeDate = Field(..., description="保险止期")


@router.post(
    "/ledger/insurance-policies",
    response={201: InsurancePolicyOut, **CREATE_ERRORS},
    summary="登记人身意外伤害保险（受扶医院或省卫健委）",
)
def insurance_policy_create_endpoint(
    request: HttpRequest, body: InsurancePolicyIn
) -> Status[InsurancePolicy]:
    user = request_user(request)
    expert = expert_get_for_user(user=user, pk=body.expert_id)
    policy = insurance_policy_create(actor=user, expert=expert, **body.dict(exclude={"expert_id"}))
    return Status(201, policy)


@router.get(
    "/ledger/health-checks",
    response={200: list[HealthCheckOut], **LIST_ERRORS},
    summary="台账：年度健康体检（§六；A2-四(三)3）",
)
@paginate(PageNumber)
def health_checks(request: HttpRequest, filters: Query[ExpertLedgerQuery]) -> QuerySet[HealthCheck]:
    return health_check_search_for_user(user=request_user(request), **filters.dict())


class HealthCheckIn(Schema):
    expert_id: Id
    checked_on: ProgrammeDate = Field(..., description="体检日期，不晚于今天")
    provider: Annotated[str, Line(100)] = Field("", description="体检机构")


@router.post(
    "/ledger/health-checks",
    response={201: HealthCheckOut, **CREATE_ERRORS},
    summary="登记健康体检（受扶医院或省卫健委）",
)
def health_check_create_endpoint(request: HttpRequest, body: HealthCheckIn) -> Status[HealthCheck]:
    user = request_user(request)
    expert = expert_get_for_user(user=user, pk=body.expert_id)
    check = health_check_create(
        actor=user, expert=expert, checked_on=body.checked_on, provider=body.provider
    )
    return Status(201, check)


@router.get(
    "/ledger/tourism-cards",
    response={200: list[TourismCardOut], **LIST_ERRORS},
    summary="台账：援黔专家旅游优惠证（§五；§六；A2-四(三)7）",
)
@paginate(PageNumber)
def tourism_cards(request: HttpRequest, filters: Query[ExpertLedgerQuery]) -> QuerySet[TourismCard]:
    return tourism_card_search_for_user(user=request_user(request), **filters.dict())


class TourismCardIn(Schema):
    expert_id: Id
    card_number: Annotated[str, Line(50)] = Field(..., description="证号")
    issued_on: ProgrammeDate = Field(..., description="办理日期")
    expires_on: ProgrammeDate | None = Field(None, description="有效期至")
    electronic: bool = Field(False, description="电子旅游优惠证")


@router.post(
    "/ledger/tourism-cards",
    response={201: TourismCardOut, **CREATE_ERRORS},
    summary="登记援黔专家旅游优惠证（受扶医院或省卫健委）",
)
def tourism_card_create_endpoint(request: HttpRequest, body: TourismCardIn) -> Status[TourismCard]:
    user = request_user(request)
    expert = expert_get_for_user(user=user, pk=body.expert_id)
    card = tourism_card_create(actor=user, expert=expert, **body.dict(exclude={"expert_id"}))
    return Status(201, card)


@router.get(
    "/ledger/work-funds",
    response={200: list[WorkFundOut], **LIST_ERRORS},
    summary="台账：受扶医院年度工作经费（§六；A2-四(三)5）",
)
@paginate(PageNumber)
def work_funds(request: HttpRequest, filters: Query[WorkFundQuery]) -> QuerySet[WorkFund]:
    return work_fund_search_for_user(user=request_user(request), **filters.dict())


class WorkFundIn(Schema):
    recipient_id: Id = Field(..., description="受扶医院（机构编号）")
    year: SmallCount = Field(..., description="年度")
    amount: Annotated[Decimal, Money(12)] = Field(
        ..., description="安排金额（元），每年不超过20万元标准"
    )
    note: Annotated[str, Text(300)] = Field("", description="用途说明")


@router.post(
    "/ledger/work-funds",
    response={200: WorkFundOut, 201: WorkFundOut, **CREATE_ERRORS},
    summary="登记受扶医院年度工作经费（受扶医院本院或省卫健委）",
    description="首次登记返回 201；同一受扶医院同一年度再次登记即为更正，返回 200。",
)
def work_fund_set_endpoint(request: HttpRequest, body: WorkFundIn) -> Status[WorkFund]:
    user = request_user(request)
    recipient = work_fund_recipient_get_for_user(user=user, pk=body.recipient_id)
    fund, created = work_fund_save(
        actor=user, recipient=recipient, year=body.year, amount=body.amount, note=body.note
    )
    return Status(201 if created else 200, fund)
