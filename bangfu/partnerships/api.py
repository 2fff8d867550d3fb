from datetime import date
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from bangfu.accounts.models import User
from bangfu.accounts.request import request_user
from bangfu.core.pagination import PageNumber, PerPage
from bangfu.core.schema_types import (
    CREATE_ERRORS,
    LIST_ERRORS,
    MODE_MAX_LENGTH,
    READ_ERRORS,
    WRITE_ERRORS,
    DivisionCode,
    Id,
    Line,
    ProgrammeDate,
    Search,
    Text,
)
from bangfu.partnerships.domain.actions import ActionDecision
from bangfu.partnerships.models import Agreement
from bangfu.partnerships.selectors import (
    AgreementRow,
    PartnershipFilters,
    PartnershipRow,
    actions_for_user,
    agreement_get_for_user,
    agreement_list_for_user,
    agreement_rows,
    coverage_on,
    first_agreement_for_user,
    partnership_get_for_user,
    partnership_list_for_user,
    today_local,
)
from bangfu.partnerships.services import (
    AgreementInput,
    agreement_create,
    agreement_record_filing,
    agreement_record_signing,
    agreement_renew,
    agreement_terminate,
    partnership_create,
)
from bangfu.registry.models import Institution
from bangfu.registry.scope import scope_for_user

router = Router()


class MeasureOut(Schema):
    code: str
    targets: dict[str, str]


class ActionOut(Schema):
    allowed: bool
    reason: str = Field(description="不允许时的原因（引用条款）；允许时为空")


class AgreementActionsOut(Schema):
    renew: ActionOut
    sign: ActionOut
    terminate: ActionOut
    file: ActionOut


class AgreementOut(Schema):
    id: int
    partnership_id: int
    cycle_number: int
    helper_name: str
    recipient_name: str
    recipient_county_code: str | None
    start: date
    end: date
    signed_on: date | None
    terminated_on: date | None
    status: str
    status_label: str
    measures: list[MeasureOut]
    actions: AgreementActionsOut = Field(
        description="今天对该协议可做的操作（协议状态与当前用户权限同时允许时 allowed 为 true）"
    )


class PartnershipOut(Schema):
    id: int
    status: str | None
    status_label: str
    helper_name: str
    helper_province: str
    recipient_name: str
    recipient_county_code: str | None
    modes: list[str]
    start: date | None
    end: date | None
    cycles: int
    first_agreement: ActionOut = Field(description="能否登记首期协议（尚无协议且有权限时允许）")


def _action_out(decision: ActionDecision) -> dict[str, object]:
    return {"allowed": decision.allowed, "reason": decision.reason}


def _agreement_out(row: AgreementRow, user: User) -> dict[str, object]:
    a = row.agreement
    p = a.partnership
    return {
        "id": a.pk,
        "partnership_id": p.pk,
        "cycle_number": a.cycle_number,
        "helper_name": p.helper.name,
        "recipient_name": p.recipient.name,
        "recipient_county_code": p.recipient.county.code if p.recipient.county else None,
        "start": a.start,
        "end": a.end,
        "signed_on": a.signed_on,
        "terminated_on": a.terminated_on,
        "status": row.status.status.value,
        "status_label": row.status.status.label,
        "measures": [
            {"code": m.code, "targets": m.targets}
            for m in sorted(a.measures.all(), key=lambda m: m.code)
        ],
        "actions": {
            action.value: _action_out(decision)
            for action, decision in actions_for_user(user, row.actions).items()
        },
    }


def _partnership_out(row: PartnershipRow, user: User) -> dict[str, object]:
    p = row.partnership
    current = row.current
    return {
        "id": p.pk,
        "status": row.status.value if row.status else None,
        "status_label": row.status.label if row.status else "待签协议",
        "helper_name": p.helper.name,
        "helper_province": p.helper.province,
        "recipient_name": p.recipient.name,
        "recipient_county_code": p.recipient.county.code if p.recipient.county else None,
        "modes": p.modes,
        "start": current.agreement.start if current else None,
        "end": current.agreement.end if current else None,
        "cycles": len(row.cycles),
        "first_agreement": _action_out(first_agreement_for_user(user, row)),
    }


class PartnershipQuery(Schema):
    prefecture: DivisionCode = Field("", description="受扶医院所在市州代码")
    county: DivisionCode = Field("", description="受扶医院所在县代码")
    helper_province: Annotated[str, Line(20)] = Field("", description="帮扶医院所在省份，如 广东省")
    mode: Annotated[str, Line(MODE_MAX_LENGTH)] = Field("", description="帮扶方式代码，如 group")
    status: str = Field("", pattern="^(|draft|signed|active|expiring|expired|renewed|terminated)$")
    expiring_within_days: int | None = Field(None, ge=0, le=3650, description="N 天内到期")
    q: Search = ""


@router.get(
    "/partnerships", response={200: list[PartnershipOut], **LIST_ERRORS}, summary="帮扶关系列表"
)
@paginate(PageNumber)
def partnerships(request: HttpRequest, filters: Query[PartnershipQuery]) -> PerPage[PartnershipRow]:
    user = request_user(request)
    rows = partnership_list_for_user(user=user, filters=PartnershipFilters(**filters.dict()))
    return PerPage(rows, lambda page: [_partnership_out(r, user) for r in page])


@router.get(
    "/partnerships/{partnership_id}",
    response={200: PartnershipOut, **READ_ERRORS},
    summary="帮扶关系详情",
)
def partnership_detail(request: HttpRequest, partnership_id: int) -> dict[str, object]:
    user = request_user(request)
    return _partnership_out(partnership_get_for_user(user=user, pk=partnership_id), user)


@router.get(
    "/agreements",
    response={200: list[AgreementOut], **LIST_ERRORS},
    summary="帮扶协议列表（每个周期一份）",
)
@paginate(PageNumber)
def agreements(request: HttpRequest) -> PerPage[Agreement]:
    user = request_user(request)
    return PerPage(
        agreement_list_for_user(user=user).prefetch_related("measures"),
        lambda page: [_agreement_out(r, user) for r in agreement_rows(page)],
    )


# Keys and values of an agreement's measure targets and guarantee overrides (stored as JSON).
TargetKey = Annotated[str, Line(40)]
TargetValue = Annotated[str, Text(500)]
# Other matters agreed (其他约定事宜) is free text; a few pages is the most an agreement holds.
OTHER_MATTERS_MAX_LENGTH = 10_000


class AgreementIn(Schema):
    start: ProgrammeDate
    end: ProgrammeDate | None = Field(None, description="缺省为开始日期起 3 年（§七）")
    signed_on: ProgrammeDate | None = None
    measures: dict[Annotated[str, Line(4)], dict[TargetKey, TargetValue]] = Field(
        ..., description='如 {"M01": {"team_size": "4", ...}}'
    )
    guarantee_overrides: dict[TargetKey, TargetValue | bool] = Field(default_factory=dict)
    other_matters: Annotated[str, Text(OTHER_MATTERS_MAX_LENGTH)] = ""
    helper_exception: bool = False
    helper_exception_reason: Annotated[str, Text(500)] = ""


class PartnershipIn(Schema):
    helper_id: Id
    recipient_id: Id
    modes: list[Annotated[str, Line(MODE_MAX_LENGTH)]]
    leading_institution_ids: list[Id] = Field(default_factory=list)
    helper_liaison: Annotated[str, Line(100)] = ""
    recipient_liaison: Annotated[str, Line(100)] = ""
    agreement: AgreementIn


class RenewIn(Schema):
    start: ProgrammeDate | None = None
    end: ProgrammeDate | None = None
    signed_on: ProgrammeDate | None = None


class TerminateIn(Schema):
    on: ProgrammeDate
    reason: Annotated[str, Text(500)]


def _agreement_input(body: AgreementIn) -> AgreementInput:
    return AgreementInput(**body.dict())


def _institution_in_scope(request: HttpRequest, pk: int, field: str) -> Institution:
    """Institutions outside the user's scope are reported as unknown (404), as on every read."""
    scope = scope_for_user(request_user(request))
    inst = scope.institutions(Institution.objects.filter(pk=pk)).first()
    if inst is None:
        raise HttpError(422, f"{field}：未找到编号为 {pk} 的机构")
    return inst


@router.post(
    "/partnerships",
    response={201: PartnershipOut, **CREATE_ERRORS},
    summary="登记帮扶关系及首期协议",
)
def partnership_create_endpoint(
    request: HttpRequest, body: PartnershipIn
) -> Status[dict[str, object]]:
    user = request_user(request)
    helper = _institution_in_scope(request, body.helper_id, "helper_id")
    recipient = _institution_in_scope(request, body.recipient_id, "recipient_id")
    leading = [
        _institution_in_scope(request, pk, "leading_institution_ids")
        for pk in body.leading_institution_ids
    ]
    partnership = partnership_create(
        actor=user,
        helper=helper,
        recipient=recipient,
        modes=body.modes,
        agreement=_agreement_input(body.agreement),
        leading_institutions=leading,
        helper_liaison=body.helper_liaison,
        recipient_liaison=body.recipient_liaison,
    )
    return Status(
        201, _partnership_out(partnership_get_for_user(user=user, pk=partnership.pk), user)
    )


@router.post(
    "/agreements/{agreement_id}/renew",
    response={201: AgreementOut, **CREATE_ERRORS},
    summary="续签下一周期协议",
)
def agreement_renew_endpoint(
    request: HttpRequest, agreement_id: int, body: RenewIn
) -> Status[dict[str, object]]:
    user = request_user(request)
    previous = agreement_get_for_user(user=user, pk=agreement_id)
    agreement = agreement_renew(
        actor=user,
        previous=previous,
        data=AgreementInput(start=body.start, end=body.end, signed_on=body.signed_on),
    )
    return Status(201, _agreement_row_out(user, agreement))


@router.post(
    "/agreements/{agreement_id}/terminate",
    response={200: AgreementOut, **WRITE_ERRORS},
    summary="终止协议",
)
def agreement_terminate_endpoint(
    request: HttpRequest, agreement_id: int, body: TerminateIn
) -> dict[str, object]:
    user = request_user(request)
    agreement = agreement_get_for_user(user=user, pk=agreement_id)
    agreement_terminate(actor=user, agreement=agreement, on=body.on, reason=body.reason)
    return _agreement_row_out(user, agreement)


class FirstAgreementIn(AgreementIn):
    party_c: Annotated[str, Line(100)] = Field(
        "", description="丙方；缺省为受扶医院所在县（市、特区）人民政府"
    )


@router.post(
    "/partnerships/{partnership_id}/agreements",
    response={201: AgreementOut, **CREATE_ERRORS},
    summary="登记首期协议（帮扶关系尚无协议时，如匹配确认的结对）",
)
def agreement_first_create_endpoint(
    request: HttpRequest, partnership_id: int, body: FirstAgreementIn
) -> Status[dict[str, object]]:
    user = request_user(request)
    row = partnership_get_for_user(user=user, pk=partnership_id)
    agreement = agreement_create(
        actor=user, partnership=row.partnership, data=AgreementInput(**body.dict())
    )
    return Status(201, _agreement_row_out(user, agreement))


class SignIn(Schema):
    signed_on: ProgrammeDate = Field(
        description="三方签字、盖章日期（附件2 五(一)）；扫描件在页面上传"
    )


@router.post(
    "/agreements/{agreement_id}/sign",
    response={200: AgreementOut, **WRITE_ERRORS},
    summary="登记协议签订",
)
def agreement_sign_endpoint(
    request: HttpRequest, agreement_id: int, body: SignIn
) -> dict[str, object]:
    user = request_user(request)
    agreement = agreement_get_for_user(user=user, pk=agreement_id)
    agreement_record_signing(actor=user, agreement=agreement, signed_on=body.signed_on)
    return _agreement_row_out(user, agreement)


class FileIn(Schema):
    level: str = Field(pattern="^(province|prefecture|county)$", description="备案单位层级")
    filed_on: ProgrammeDate = Field(description="备案日期（附件2 五(三)）")


@router.post(
    "/agreements/{agreement_id}/file",
    response={200: AgreementOut, **WRITE_ERRORS},
    summary="登记协议备案",
)
def agreement_file_endpoint(
    request: HttpRequest, agreement_id: int, body: FileIn
) -> dict[str, object]:
    user = request_user(request)
    agreement = agreement_get_for_user(user=user, pk=agreement_id)
    agreement_record_filing(
        actor=user, agreement=agreement, level=body.level, filed_on=body.filed_on
    )
    return _agreement_row_out(user, agreement)


def _agreement_row_out(user: User, agreement: Agreement) -> dict[str, object]:
    """The agreement as read after a write, with its status and actions on today."""
    row = partnership_get_for_user(user=user, pk=agreement.partnership_id)
    return _agreement_out(next(c for c in row.cycles if c.agreement.pk == agreement.pk), user)


class CoverageOut(Schema):
    date: date
    target_total: int
    covered: int
    uncovered: list[str]
    by_prefecture: dict[str, dict[str, int]]


class CoverageQuery(Schema):
    on: ProgrammeDate | None = Field(None, description="统计日期，默认今天")


@router.get(
    "/coverage", response={200: CoverageOut, **LIST_ERRORS}, summary="目标县覆盖情况（§一）"
)
def coverage(request: HttpRequest, params: Query[CoverageQuery]) -> dict[str, object]:
    day = params.on or today_local()
    result = coverage_on(on=day, user=request_user(request))
    return {
        "date": day,
        "target_total": result.target_total,
        "covered": result.covered,
        "uncovered": list(result.uncovered),
        "by_prefecture": {k: dict(v) for k, v in result.by_prefecture.items()},
    }
