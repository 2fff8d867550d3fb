from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, Protocol

from django.core.exceptions import ValidationError as ServiceValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from bangfu.accounts.models import User
from bangfu.accounts.request import request_user
from bangfu.core.pagination import PageNumber, PerPage
from bangfu.core.schema_types import (
    CREATE_ERRORS,
    LIST_ERRORS,
    READ_ERRORS,
    SMALL_INT_MAX,
    WRITE_ERRORS,
    DivisionCode,
    Id,
    Line,
    Money,
    ProgrammeDate,
    Search,
    SmallCount,
)
from bangfu.partnerships.selectors import partnership_get_for_user
from bangfu.people.models import (
    AppointmentLetter,
    CoverageLink,
    Deployment,
    Expert,
    InsuranceBriefing,
    Recognition,
    SciTechApplication,
    Team,
    TitleEvaluationApplication,
)
from bangfu.people.selectors import (
    DeploymentFilters,
    ExpertFilters,
    TeamFilters,
    TeamRow,
    appointment_letter_list_for_user,
    coverage_link_get_for_user,
    deployment_get_for_user,
    deployment_list_for_user,
    expert_get_for_user,
    expert_list_for_user,
    expert_with_deployments_for_user,
    insurance_briefing_list_for_user,
    recipient_department_for_deployment,
    recognition_get_for_user,
    recognition_list_for_user,
    scitech_application_list_for_user,
    team_get_for_user,
    team_list_for_user,
    team_rows,
    team_service_target_for_user,
    title_application_get_for_user,
    title_application_list_for_user,
)
from bangfu.people.services import (
    DeploymentInput,
    ExpertInput,
    RecognitionInput,
    appointment_letter_create,
    coverage_link_add,
    coverage_link_remove,
    deployment_create,
    deployment_end,
    deployment_update,
    expert_create,
    expert_sensitive_view,
    insurance_briefing_create,
    recognition_create,
    recognition_withdraw,
    scitech_application_create,
    team_create,
    team_set_captain,
    title_application_create,
    title_application_decide,
)
from bangfu.registry.selectors import institution_get_for_user

router = Router()


class OnDeployment(Protocol):
    """A model row recorded for one deployment (a travel claim, a title application)."""

    @property
    def deployment(self) -> Deployment: ...


class ExpertDeploymentOut(Schema):
    id: int
    team_id: int
    recipient_name: str
    kind: str
    start: date
    planned_end: date
    actual_end: date | None


class ExpertOut(Schema):
    id: int
    name: str
    sex: str
    title: str
    job_title: str
    degree: str
    specialty: str | None
    home_institution_id: int
    home_institution_name: str
    prior_year_pay: str = Field(
        ..., description="派驻前一年度薪酬；列表中一律为 ***，详情中仅有权查看者可见完整值"
    )
    id_number: str = Field(
        ...,
        description="身份证号；列表中一律脱敏（如 5205********1234），详情中仅有权查看者可见完整值",
    )
    sensitive_visible: bool = Field(
        ...,
        description="当前用户是否有权查看完整薪酬和身份证号（在详情接口中查看，并记入审计记录）",
    )
    leadership_qualified: bool
    outstanding: bool = Field(..., description="今天是否有有效的表现突出认定（见 /recognitions）")
    deployments: list[ExpertDeploymentOut] = Field(..., description="当前用户可查看的派驻")

    @staticmethod
    def resolve_sex(obj: Expert) -> str:
        return obj.get_sex_display()

    @staticmethod
    def resolve_specialty(obj: Expert) -> str | None:
        return obj.specialty.name if obj.specialty else None

    @staticmethod
    def resolve_home_institution_name(obj: Expert) -> str:
        return obj.home_institution.name

    @staticmethod
    def resolve_prior_year_pay(obj: Expert) -> str:
        return obj.pay_display

    @staticmethod
    def resolve_id_number(obj: Expert) -> str:
        return obj.id_number_display

    @staticmethod
    def resolve_sensitive_visible(obj: Expert) -> bool:
        return obj.sensitive_is_visible

    @staticmethod
    def resolve_deployments(obj: Expert) -> list[dict[str, object]]:
        visible: list[Deployment] = getattr(obj, "visible_deployments", [])
        return [
            {
                "id": d.pk,
                "team_id": d.team_id,
                "recipient_name": d.team.partnership.recipient.name,
                "kind": d.kind,
                "start": d.start,
                "planned_end": d.planned_end,
                "actual_end": d.actual_end,
            }
            for d in visible
        ]


class DeploymentOut(Schema):
    id: int
    expert_id: int
    expert_name: str
    team_id: int
    batch: int
    helper_name: str
    recipient_id: int
    recipient_name: str
    kind: str
    kind_label: str
    department: str | None
    start: date
    planned_end: date
    actual_end: date | None
    helper_exception_reason: str = Field(
        "", description="专家不属于该队帮扶医院时登记的例外派驻原因（§三(四)）；否则为空"
    )


class FindingOut(Schema):
    code: str
    severity: str = Field(
        ...,
        description="整改等级：must_fix 必须整改 / should_fix 建议整改 / note 提示",
    )
    severity_label: str = Field(..., description="整改等级的中文名")
    message: str
    clause: str
    deployment_id: int | None


class TeamMemberOut(Schema):
    deployment_id: int
    expert_id: int
    expert_name: str
    title: str
    kind: str
    is_captain: bool


class TeamOut(Schema):
    id: int
    partnership_id: int
    helper_name: str
    recipient_id: int
    recipient_name: str
    batch: int
    captain_name: str | None
    on_site_today: int
    members: list[TeamMemberOut]
    findings: list[FindingOut]


def _deployment_out(d: Deployment) -> dict[str, object]:
    partnership = d.team.partnership
    return {
        "id": d.pk,
        "expert_id": d.expert_id,
        "expert_name": d.expert.name,
        "team_id": d.team_id,
        "batch": d.team.batch,
        "helper_name": partnership.helper.name,
        "recipient_id": partnership.recipient_id,
        "recipient_name": partnership.recipient.name,
        "kind": d.kind,
        "kind_label": d.get_kind_display(),
        "department": d.department.name if d.department else None,
        "start": d.start,
        "planned_end": d.planned_end,
        "actual_end": d.actual_end,
        "helper_exception_reason": d.helper_exception_reason,
    }


def _team_out(row: TeamRow) -> dict[str, object]:
    team = row.team
    return {
        "id": team.pk,
        "partnership_id": team.partnership_id,
        "helper_name": team.partnership.helper.name,
        "recipient_id": team.partnership.recipient_id,
        "recipient_name": team.partnership.recipient.name,
        "batch": team.batch,
        "captain_name": team.captain.name if team.captain else None,
        "on_site_today": row.on_site_today,
        "members": [
            {
                "deployment_id": d.pk,
                "expert_id": d.expert_id,
                "expert_name": d.expert.name,
                "title": d.expert.title,
                "kind": d.kind,
                "is_captain": d.expert_id == team.captain_id,
            }
            for d in row.members
        ],
        "findings": [
            {
                "code": f.code.value,
                "severity": f.grade.value,
                "severity_label": f.grade.label,
                "message": f.message,
                "clause": f.clause,
                "deployment_id": int(f.member_id) if f.member_id else None,
            }
            for f in row.check.findings
        ],
    }


class ExpertQuery(Schema):
    q: Search = Field("", description="按姓名或派出单位搜索")
    title: str = Field("", pattern="^(|正高|副高|中级|初级)$")
    kind: str = Field("", pattern="^(|resident|short_term|flexible|silver_age|remote|short_trip)$")
    recipient: Id | None = Field(None, description="派驻到该受扶医院（机构编号）")
    home_institution: Id | None = Field(None, description="派出单位（机构编号）")


@router.get(
    "/experts",
    response={200: list[ExpertOut], **LIST_ERRORS},
    summary="帮扶专家列表（敏感字段按权限脱敏）",
)
@paginate(PageNumber)
def experts(request: HttpRequest, filters: Query[ExpertQuery]) -> QuerySet[Expert]:
    return expert_list_for_user(user=request_user(request), filters=ExpertFilters(**filters.dict()))


@router.get(
    "/experts/{expert_id}", response={200: ExpertOut, **READ_ERRORS}, summary="帮扶专家详情"
)
def expert_detail(request: HttpRequest, expert_id: int) -> Expert:
    # Full pay and identity number for entitled readers (the view is audited); masked otherwise.
    user = request_user(request)
    expert = expert_with_deployments_for_user(user=user, pk=expert_id)
    expert_sensitive_view(actor=user, expert=expert, channel="API")
    return expert


class ExpertIn(Schema):
    name: Annotated[str, Line(50)]
    sex: str = Field(..., pattern="^(M|F)$", description="M 男 / F 女")
    title: Annotated[str, Line(4)] = Field(..., description="正高、副高、中级或初级")
    degree: Annotated[str, Line(4)] = Field(..., description="博士、硕士、学士或无")
    home_institution_id: Id
    prior_year_pay: Annotated[Decimal, Money(12, minimum=Decimal(0))] = Field(
        ..., description="派驻前一年度薪酬（元，含绩效）"
    )
    job_title: Annotated[str, Line(20)] = ""
    specialty_id: Id | None = None
    leadership_qualified: bool = False
    phone: Annotated[str, Line(30)] = ""
    id_number: Annotated[str, Line(18)] = ""


@router.post("/experts", response={201: ExpertOut, **CREATE_ERRORS}, summary="登记帮扶专家")
def expert_create_endpoint(request: HttpRequest, body: ExpertIn) -> Status[Expert]:
    user = request_user(request)
    expert = expert_create(actor=user, data=ExpertInput(**body.dict()))
    return Status(201, expert_with_deployments_for_user(user=user, pk=expert.pk))


class TeamQuery(Schema):
    q: Search = Field("", description="按帮扶医院或受扶医院名称搜索")
    prefecture: DivisionCode = Field("", description="受扶医院所在市州代码")
    partnership: Id | None = None


@router.get(
    "/teams",
    response={200: list[TeamOut], **LIST_ERRORS},
    summary="帮扶队及组队提示（§三(四)；A1-(15)）",
)
@paginate(PageNumber)
def teams(request: HttpRequest, filters: Query[TeamQuery]) -> PerPage[Team]:
    qs = team_list_for_user(user=request_user(request), filters=TeamFilters(**filters.dict()))
    return PerPage(qs, lambda page: [_team_out(r) for r in team_rows(page)])


class DeploymentQuery(Schema):
    q: Search = Field("", description="按专家姓名搜索")
    kind: str = Field("", pattern="^(|resident|short_term|flexible|silver_age|remote|short_trip)$")
    team: Id | None = None
    on_site_on: ProgrammeDate | None = Field(None, description="在该日期在岗")


@router.get("/deployments", response={200: list[DeploymentOut], **LIST_ERRORS}, summary="派驻列表")
@paginate(PageNumber)
def deployments(request: HttpRequest, filters: Query[DeploymentQuery]) -> PerPage[Deployment]:
    rows = deployment_list_for_user(
        user=request_user(request), filters=DeploymentFilters(**filters.dict())
    )
    return PerPage(rows, lambda page: [_deployment_out(d) for d in page])


class DeploymentIn(Schema):
    team_id: Id = Field(..., description="帮扶队编号")
    expert_id: Id = Field(..., description="专家编号（须为当前用户可查看的专家）")
    kind: Literal["resident", "short_term", "flexible", "silver_age", "remote", "short_trip"] = (
        Field(..., description="派驻方式；short_trip 为附件1（十六）相邻受扶医院短期巡诊")
    )
    start: ProgrammeDate = Field(..., description="开始日期（须在已签订且有效的协议期内）")
    planned_end: ProgrammeDate = Field(..., description="计划结束日期")
    department_id: Id | None = Field(None, description="派驻科室（受扶医院的科室）")
    helper_exception_reason: Annotated[str, Line(500)] = Field(
        "", description="专家不属于该队帮扶医院时必填的例外派驻原因（§三(四)）"
    )


@router.post(
    "/deployments",
    response={201: DeploymentOut, **CREATE_ERRORS},
    summary="登记派驻（省卫健委或帮扶关系双方；须在协议期内，跨院派驻须填写例外原因）",
)
def deployment_create_endpoint(
    request: HttpRequest, body: DeploymentIn
) -> Status[dict[str, object]]:
    user = request_user(request)
    team = team_get_for_user(user=user, pk=body.team_id)
    deployment = deployment_create(
        actor=user,
        team=team,
        data=_deployment_input(body, expert_id=body.expert_id),
    )
    return Status(201, _deployment_out(deployment_get_for_user(user=user, pk=deployment.pk)))


class DeploymentUpdateIn(Schema):
    kind: Literal["resident", "short_term", "flexible", "silver_age", "remote", "short_trip"] = (
        Field(..., description="派驻方式；short_trip 为附件1（十六）相邻受扶医院短期巡诊")
    )
    start: ProgrammeDate = Field(..., description="开始日期（须在已签订且有效的协议期内）")
    planned_end: ProgrammeDate = Field(..., description="计划结束日期")
    department_id: Id | None = Field(None, description="派驻科室（受扶医院的科室）；空为不指定")
    helper_exception_reason: Annotated[str, Line(500)] = Field(
        "", description="专家不属于该队帮扶医院时必填的例外派驻原因（§三(四)）"
    )


def _deployment_input(
    body: DeploymentIn | DeploymentUpdateIn, *, expert_id: int | None
) -> DeploymentInput:
    """The service input from either body; `expert_id` None on an update, which keeps it."""
    return DeploymentInput(
        expert_id=expert_id,
        kind=body.kind,
        start=body.start,
        planned_end=body.planned_end,
        department_id=body.department_id,
        helper_exception_reason=body.helper_exception_reason,
    )


@router.put(
    "/deployments/{deployment_id}",
    response={200: DeploymentOut, **WRITE_ERRORS},
    summary="修改派驻（整体替换方式、日期、科室和例外原因；专家和帮扶队不变；规则同登记）",
)
def deployment_update_endpoint(
    request: HttpRequest, deployment_id: Id, body: DeploymentUpdateIn
) -> dict[str, object]:
    user = request_user(request)
    deployment = deployment_get_for_user(user=user, pk=deployment_id)
    deployment_update(
        actor=user,
        deployment=deployment,
        data=_deployment_input(body, expert_id=None),
    )
    return _deployment_out(deployment_get_for_user(user=user, pk=deployment.pk))


# ---- teams, captains, 3X links and the end of a stay: the services of the team page ----
#
# A team, deployment or expert the user may not read is a 404; one it reads but may not manage
# (only the province or either party of the partnership, §三(四)) a 403; a refused value a 422.


class TeamIn(Schema):
    partnership_id: Id = Field(..., description="帮扶关系编号")
    batch: int = Field(
        ..., ge=1, le=SMALL_INT_MAX, description="批次（正整数，同一帮扶关系不重复）"
    )
    note: Annotated[str, Line(300)] = ""


def _team_row_out(user: User, team_id: int) -> dict[str, object]:
    (row,) = team_rows([team_get_for_user(user=user, pk=team_id)])
    return _team_out(row)


@router.post(
    "/teams",
    response={201: TeamOut, **CREATE_ERRORS},
    summary="组建帮扶队（省卫健委或帮扶关系双方，§三(四)）",
)
def team_create_endpoint(request: HttpRequest, body: TeamIn) -> Status[dict[str, object]]:
    user = request_user(request)
    row = partnership_get_for_user(user=user, pk=body.partnership_id)
    team = team_create(actor=user, partnership=row.partnership, batch=body.batch, note=body.note)
    return Status(201, _team_row_out(user, team.pk))


@router.get("/teams/{team_id}", response={200: TeamOut, **READ_ERRORS}, summary="帮扶队详情")
def team_detail(request: HttpRequest, team_id: Id) -> dict[str, object]:
    return _team_row_out(request_user(request), team_id)


class CaptainIn(Schema):
    expert_id: Id | None = Field(..., description="队长（须为该队队员）；null 取消队长")


@router.post(
    "/teams/{team_id}/captain",
    response={200: TeamOut, **WRITE_ERRORS},
    summary="指定帮扶队队长（须为队员，§三(四)）",
)
def team_captain_endpoint(request: HttpRequest, team_id: Id, body: CaptainIn) -> dict[str, object]:
    user = request_user(request)
    team = team_get_for_user(user=user, pk=team_id)
    captain = None if body.expert_id is None else expert_get_for_user(user=user, pk=body.expert_id)
    team_set_captain(actor=user, team=team, captain=captain)
    return _team_row_out(user, team.pk)


class CoverageLinkIn(Schema):
    department_id: Id = Field(..., description="受扶医院的临床科室（无派驻专家的科室计入3X）")


class CoverageLinkOut(Schema):
    id: int
    deployment_id: int
    department_id: int
    department_name: str


def _coverage_link_out(link: CoverageLink) -> dict[str, object]:
    return {
        "id": link.pk,
        "deployment_id": link.deployment_id,
        "department_id": link.department_id,
        "department_name": link.department.name,
    }


@router.post(
    "/deployments/{deployment_id}/coverage-links",
    response={201: CoverageLinkOut, **CREATE_ERRORS},
    summary="登记3X联系科室（常驻队员，A1-(15)）",
)
def coverage_link_add_endpoint(
    request: HttpRequest, deployment_id: Id, body: CoverageLinkIn
) -> Status[dict[str, object]]:
    user = request_user(request)
    deployment = deployment_get_for_user(user=user, pk=deployment_id)
    department = recipient_department_for_deployment(deployment=deployment, pk=body.department_id)
    if department is None:
        raise ServiceValidationError({"department_id": "联系科室应为受扶医院的科室"})
    link = coverage_link_add(actor=user, deployment=deployment, department=department)
    return Status(201, _coverage_link_out(link))


@router.delete(
    "/deployments/{deployment_id}/coverage-links/{link_id}",
    response={204: None, **WRITE_ERRORS},
    summary="删除3X联系科室",
)
def coverage_link_remove_endpoint(
    request: HttpRequest, deployment_id: Id, link_id: Id
) -> Status[None]:
    user = request_user(request)
    link = coverage_link_get_for_user(user=user, deployment_id=deployment_id, pk=link_id)
    coverage_link_remove(actor=user, link=link)
    return Status(204, None)


class DeploymentEndIn(Schema):
    actual_end: ProgrammeDate = Field(..., description="实际结束日期（不早于开始，不晚于今天）")


@router.post(
    "/deployments/{deployment_id}/end",
    response={200: DeploymentOut, **WRITE_ERRORS},
    summary="登记派驻实际结束（省卫健委或帮扶关系双方）",
)
def deployment_end_endpoint(
    request: HttpRequest, deployment_id: Id, body: DeploymentEndIn
) -> dict[str, object]:
    user = request_user(request)
    deployment = deployment_get_for_user(user=user, pk=deployment_id)
    deployment_end(actor=user, deployment=deployment, actual_end=body.actual_end)
    return _deployment_out(deployment_get_for_user(user=user, pk=deployment.pk))


# ---- department services (§五, §六): the same scope as the department-services page ----
#
# Writes call the services: a service's ValidationError is a 422 naming the field, its
# PermissionDenied a 403; a referenced deployment, team or hospital the user may not read is a 404.


SERVICES = "/department-services"


class TeamServiceOut(Schema):
    id: int
    team_id: int
    batch: int
    helper_id: int
    helper_name: str
    recipient_id: int
    recipient_name: str

    @staticmethod
    def resolve_batch(obj: SciTechApplication | InsuranceBriefing) -> int:
        return obj.team.batch

    @staticmethod
    def resolve_helper_id(obj: SciTechApplication | InsuranceBriefing) -> int:
        return obj.team.partnership.helper_id

    @staticmethod
    def resolve_helper_name(obj: SciTechApplication | InsuranceBriefing) -> str:
        return obj.team.partnership.helper.name

    @staticmethod
    def resolve_recipient_id(obj: SciTechApplication | InsuranceBriefing) -> int:
        return obj.team.partnership.recipient_id

    @staticmethod
    def resolve_recipient_name(obj: SciTechApplication | InsuranceBriefing) -> str:
        return obj.team.partnership.recipient.name


class OnDeploymentOut(Schema):
    """What a record made for one deployment says about it: the expert and the hospital served."""

    id: int
    deployment_id: int
    expert_id: int
    expert_name: str
    recipient_id: int
    recipient_name: str

    @staticmethod
    def resolve_expert_id(obj: OnDeployment) -> int:
        return obj.deployment.expert_id

    @staticmethod
    def resolve_expert_name(obj: OnDeployment) -> str:
        return obj.deployment.expert.name

    @staticmethod
    def resolve_recipient_id(obj: OnDeployment) -> int:
        return obj.deployment.team.partnership.recipient_id

    @staticmethod
    def resolve_recipient_name(obj: OnDeployment) -> str:
        return obj.deployment.team.partnership.recipient.name


class TitleApplicationOut(OnDeploymentOut):
    applied_title: str
    has_entrustment_letter: bool
    route: str
    route_label: str
    valid_scope: str = Field(..., description="职称有效范围")
    reasons: list[str] = Field(..., description="评审路径依据（§五）")
    status: str
    status_label: str
    submitted_on: date
    decided_on: date | None

    @staticmethod
    def resolve_route_label(obj: TitleEvaluationApplication) -> str:
        return obj.get_route_display()

    @staticmethod
    def resolve_reasons(obj: TitleEvaluationApplication) -> list[str]:
        return [line for line in obj.reasons.splitlines() if line]

    @staticmethod
    def resolve_status_label(obj: TitleEvaluationApplication) -> str:
        return obj.get_status_display()


class SciTechApplicationOut(TeamServiceOut):
    project_title: str
    programme: str
    submitted_on: date
    status: str
    status_label: str

    @staticmethod
    def resolve_status_label(obj: SciTechApplication) -> str:
        return obj.get_status_display()


class InsuranceBriefingOut(TeamServiceOut):
    held_on: date
    topic: str
    attendees: int


class AppointmentLetterOut(Schema):
    id: int
    helper_id: int
    helper_name: str
    head_name: str
    position: str
    letter_number: str
    issued_on: date

    @staticmethod
    def resolve_helper_name(obj: AppointmentLetter) -> str:
        return obj.helper.name


class TitleApplicationQuery(Schema):
    q: Search = Field("", description="按专家姓名或申报职称搜索")
    expert: Id | None = Field(None, description="专家编号")
    status: str = Field("", pattern="^(|submitted|approved|rejected)$")


class SciTechQuery(Schema):
    q: Search = Field("", description="按项目名称、帮扶医院或受扶医院名称搜索")
    team: Id | None = Field(None, description="帮扶队编号")
    status: str = Field("", pattern="^(|submitted|accepted|approved|rejected)$")


class BriefingQuery(Schema):
    q: Search = Field("", description="按培训内容、帮扶医院或受扶医院名称搜索")
    team: Id | None = Field(None, description="帮扶队编号")


class LetterQuery(Schema):
    q: Search = Field("", description="按负责人姓名、帮扶医院名称或聘书编号搜索")
    helper: Id | None = Field(None, description="帮扶医院（机构编号）")


@router.get(
    f"{SERVICES}/title-applications",
    response={200: list[TitleApplicationOut], **LIST_ERRORS},
    summary="职称评审申报（§五）",
)
@paginate(PageNumber)
def title_applications(
    request: HttpRequest, filters: Query[TitleApplicationQuery]
) -> QuerySet[TitleEvaluationApplication]:
    return title_application_list_for_user(user=request_user(request), **filters.dict())


@router.get(
    f"{SERVICES}/title-applications/{{application_id}}",
    response={200: TitleApplicationOut, **READ_ERRORS},
    summary="职称评审申报详情",
)
def title_application_detail(
    request: HttpRequest, application_id: int
) -> TitleEvaluationApplication:
    return title_application_get_for_user(user=request_user(request), pk=application_id)


class TitleApplicationIn(Schema):
    deployment_id: Id = Field(..., description="派驻编号（决定受扶县，从而决定评审路径）")
    applied_title: Annotated[str, Line(30)] = Field(..., description="申报职称，如 主任医师")
    has_entrustment_letter: bool = Field(
        False, description="已取得派出单位所在省份人社部门的委托评审函（§五）"
    )
    submitted_on: ProgrammeDate = Field(..., description="申报日期")


@router.post(
    f"{SERVICES}/title-applications",
    response={201: TitleApplicationOut, **CREATE_ERRORS},
    summary="登记职称评审申报（专家本人、受扶医院或省卫健委；评审路径按§五判定）",
)
def title_application_create_endpoint(
    request: HttpRequest, body: TitleApplicationIn
) -> Status[TitleEvaluationApplication]:
    user = request_user(request)
    deployment = deployment_get_for_user(user=user, pk=body.deployment_id)
    application = title_application_create(
        actor=user,
        deployment=deployment,
        applied_title=body.applied_title,
        has_entrustment_letter=body.has_entrustment_letter,
        submitted_on=body.submitted_on,
    )
    return Status(201, title_application_get_for_user(user=user, pk=application.pk))


class TitleDecisionIn(Schema):
    status: Literal["approved", "rejected"] = Field(
        ..., description="approved：已通过；rejected：未通过"
    )
    decided_on: ProgrammeDate = Field(..., description="评审结果日期，不早于申报日期")


@router.post(
    f"{SERVICES}/title-applications/{{application_id}}/decide",
    response={200: TitleApplicationOut, **CREATE_ERRORS},
    summary="登记职称评审结果（省卫健委转达人社部门的评审结果，§五）",
)
def title_application_decide_endpoint(
    request: HttpRequest, application_id: int, body: TitleDecisionIn
) -> TitleEvaluationApplication:
    user = request_user(request)
    application = title_application_get_for_user(user=user, pk=application_id)
    title_application_decide(
        actor=user, application=application, status=body.status, decided_on=body.decided_on
    )
    return title_application_get_for_user(user=user, pk=application_id)


@router.get(
    f"{SERVICES}/scitech-applications",
    response={200: list[SciTechApplicationOut], **LIST_ERRORS},
    summary="省级科技计划项目申报（§五 省科技厅）",
)
@paginate(PageNumber)
def scitech_applications(
    request: HttpRequest, filters: Query[SciTechQuery]
) -> QuerySet[SciTechApplication]:
    return scitech_application_list_for_user(user=request_user(request), **filters.dict())


class SciTechApplicationIn(Schema):
    team_id: Id = Field(..., description="帮扶队编号")
    project_title: Annotated[str, Line(200)] = Field(..., description="项目名称")
    programme: Annotated[str, Line(100)] = Field("省级科技计划项目", description="计划类别")
    submitted_on: ProgrammeDate = Field(..., description="申报日期")


@router.post(
    f"{SERVICES}/scitech-applications",
    response={201: SciTechApplicationOut, **CREATE_ERRORS},
    summary="登记科技项目申报（省卫健委或帮扶关系双方）",
)
def scitech_application_create_endpoint(
    request: HttpRequest, body: SciTechApplicationIn
) -> Status[SciTechApplication]:
    user = request_user(request)
    team = team_service_target_for_user(user=user, pk=body.team_id)
    application = scitech_application_create(
        actor=user,
        team=team,
        project_title=body.project_title,
        programme=body.programme,
        submitted_on=body.submitted_on,
    )
    return Status(201, application)


@router.get(
    f"{SERVICES}/insurance-briefings",
    response={200: list[InsuranceBriefingOut], **LIST_ERRORS},
    summary="医保政策培训（§五 省医保局）",
)
@paginate(PageNumber)
def insurance_briefings(
    request: HttpRequest, filters: Query[BriefingQuery]
) -> QuerySet[InsuranceBriefing]:
    return insurance_briefing_list_for_user(user=request_user(request), **filters.dict())


class InsuranceBriefingIn(Schema):
    team_id: Id = Field(..., description="帮扶队编号")
    held_on: ProgrammeDate = Field(..., description="培训日期")
    topic: Annotated[str, Line(200)] = Field(..., description="培训内容")
    attendees: SmallCount = Field(0, description="参加人数")


@router.post(
    f"{SERVICES}/insurance-briefings",
    response={201: InsuranceBriefingOut, **CREATE_ERRORS},
    summary="登记医保政策培训（省卫健委或受扶医院）",
)
def insurance_briefing_create_endpoint(
    request: HttpRequest, body: InsuranceBriefingIn
) -> Status[InsuranceBriefing]:
    user = request_user(request)
    team = team_service_target_for_user(user=user, pk=body.team_id)
    briefing = insurance_briefing_create(
        actor=user,
        team=team,
        held_on=body.held_on,
        topic=body.topic,
        attendees=body.attendees,
    )
    return Status(201, briefing)


@router.get(
    f"{SERVICES}/appointment-letters",
    response={200: list[AppointmentLetterOut], **LIST_ERRORS},
    summary="东西部协作指导专家聘书（§六）",
)
@paginate(PageNumber)
def appointment_letters(
    request: HttpRequest, filters: Query[LetterQuery]
) -> QuerySet[AppointmentLetter]:
    return appointment_letter_list_for_user(user=request_user(request), **filters.dict())


class AppointmentLetterIn(Schema):
    helper_id: Id = Field(..., description="帮扶医院（机构编号）")
    head_name: Annotated[str, Line(50)] = Field(..., description="主要负责人姓名")
    position: Annotated[str, Line(50)] = Field("院长", description="职务")
    letter_number: Annotated[str, Line(50)] = Field(..., description="聘书编号")
    issued_on: ProgrammeDate = Field(..., description="发放日期")


@router.post(
    f"{SERVICES}/appointment-letters",
    response={201: AppointmentLetterOut, **CREATE_ERRORS},
    summary="发放东西部协作指导专家聘书（省卫健委）",
)
def appointment_letter_create_endpoint(
    request: HttpRequest, body: AppointmentLetterIn
) -> Status[AppointmentLetter]:
    user = request_user(request)
    helper = institution_get_for_user(user=user, pk=body.helper_id)
    letter = appointment_letter_create(
        actor=user,
        helper=helper,
        head_name=body.head_name,
        letter_number=body.letter_number,
        issued_on=body.issued_on,
        position=body.position,
    )
    return Status(201, letter)


# ---- 表现突出认定 (§六): dated recognitions, scoped like the expert ----


class RecognitionOut(Schema):
    id: int
    expert_id: int
    expert_name: str
    deployment_id: int | None
    start: date = Field(..., description="认定起始日期")
    end: date | None = Field(..., description="认定截止日期；为空表示长期有效")
    last_day: date | None = Field(..., description="实际有效的最后一天（含撤销）；为空表示长期")
    reason: str
    decided_by: str | None = Field(..., description="认定人；为空表示由原“表现突出”标记迁移")
    decided_at: datetime
    withdrawn_from: date | None = Field(..., description="撤销生效日期（该日起不再有效）")
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    withdrawal_reason: str
    status: str = Field(..., description="有效 / 待生效 / 已到期 / 已撤销")

    @staticmethod
    def resolve_expert_name(obj: Recognition) -> str:
        return obj.expert.name

    @staticmethod
    def resolve_decided_by(obj: Recognition) -> str | None:
        return str(obj.decided_by) if obj.decided_by else None

    @staticmethod
    def resolve_withdrawn_by(obj: Recognition) -> str | None:
        return str(obj.withdrawn_by) if obj.withdrawn_by else None

    @staticmethod
    def resolve_status(obj: Recognition) -> str:
        return obj.status_label


class RecognitionQuery(Schema):
    expert_id: Id | None = Field(None, description="只看该专家的认定")


@router.get(
    "/recognitions",
    response={200: list[RecognitionOut], **LIST_ERRORS},
    summary="表现突出认定列表（范围同专家）",
)
@paginate(PageNumber)
def recognitions(request: HttpRequest, filters: Query[RecognitionQuery]) -> QuerySet[Recognition]:
    return recognition_list_for_user(user=request_user(request), expert_id=filters.expert_id)


class RecognitionIn(Schema):
    expert_id: Id = Field(..., description="专家编号")
    start: ProgrammeDate = Field(
        ..., description="认定起始日期，不早于本月1日（不改写已计算的月份）"
    )
    end: ProgrammeDate | None = Field(None, description="认定截止日期；不填表示长期有效")
    reason: Annotated[str, Line(500)] = Field(..., description="认定依据")
    deployment_id: Id | None = Field(None, description="针对的派驻（可选，须为该专家的派驻）")


@router.post(
    "/recognitions",
    response={201: RecognitionOut, **CREATE_ERRORS},
    summary="认定表现突出（省卫健委或专家服务的受扶医院，§六；记入审计记录）",
)
def recognition_create_endpoint(request: HttpRequest, body: RecognitionIn) -> Status[Recognition]:
    user = request_user(request)
    expert = expert_get_for_user(user=user, pk=body.expert_id)
    recognition = recognition_create(
        actor=user,
        data=RecognitionInput(
            expert_id=expert.pk,
            start=body.start,
            end=body.end,
            reason=body.reason,
            deployment_id=body.deployment_id,
        ),
    )
    return Status(201, recognition_get_for_user(user=user, pk=recognition.pk))


class RecognitionWithdrawIn(Schema):
    reason: Annotated[str, Line(500)] = Field(..., description="撤销原因")
    on: ProgrammeDate | None = Field(
        None, description="撤销生效日期（该日起不再有效），不早于本月1日；不填为今天"
    )


@router.post(
    "/recognitions/{recognition_id}/withdraw",
    response={200: RecognitionOut, **WRITE_ERRORS},
    summary="撤销表现突出认定（自生效日起；之前的月份不受影响）",
)
def recognition_withdraw_endpoint(
    request: HttpRequest, recognition_id: int, body: RecognitionWithdrawIn
) -> Recognition:
    user = request_user(request)
    recognition = recognition_get_for_user(user=user, pk=recognition_id)
    recognition_withdraw(actor=user, recognition=recognition, reason=body.reason, on=body.on)
    return recognition_get_for_user(user=user, pk=recognition_id)
