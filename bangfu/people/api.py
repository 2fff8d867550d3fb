from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from bangfu.core.pagination import PageNumber
from bangfu.core.request import request_user
from bangfu.people.models import Deployment, Expert
from bangfu.people.selectors import (
    DeploymentFilters,
    ExpertFilters,
    TeamFilters,
    TeamRow,
    deployment_list_for_user,
    expert_list_for_user,
    expert_with_deployments_for_user,
    team_list_for_user,
    team_rows,
)
from bangfu.people.services import ExpertInput, expert_create

router = Router()


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
    prior_year_pay: str = Field(..., description="派驻前一年度薪酬；无权查看时为 ***")
    id_number: str = Field(..., description="身份证号；无权查看时脱敏，如 5205********1234")
    sensitive_visible: bool = Field(..., description="当前用户能否查看薪酬和身份证号")
    leadership_qualified: bool
    outstanding: bool
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


class FindingOut(Schema):
    code: str
    severity: str
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
                "severity": f.severity.value,
                "message": f.message,
                "clause": f.clause,
                "deployment_id": int(f.member_id) if f.member_id else None,
            }
            for f in row.check.findings
        ],
    }


class ExpertQuery(Schema):
    q: str = Field("", description="按姓名或派出单位搜索")
    title: str = Field("", pattern="^(|正高|副高|中级|初级)$")
    kind: str = Field("", pattern="^(|resident|short_term|flexible|silver_age|remote)$")
    recipient: int | None = Field(None, description="派驻到该受扶医院（机构编号）")
    home_institution: int | None = Field(None, description="派出单位（机构编号）")


@router.get("/experts", response=list[ExpertOut], summary="帮扶专家列表（敏感字段按权限脱敏）")
@paginate(PageNumber)
def experts(request: HttpRequest, filters: Query[ExpertQuery]) -> QuerySet[Expert]:
    return expert_list_for_user(user=request_user(request), filters=ExpertFilters(**filters.dict()))


@router.get("/experts/{expert_id}", response=ExpertOut, summary="帮扶专家详情")
def expert_detail(request: HttpRequest, expert_id: int) -> Expert:
    return expert_with_deployments_for_user(user=request_user(request), pk=expert_id)


class ExpertIn(Schema):
    name: str
    sex: str = Field(..., pattern="^(M|F)$", description="M 男 / F 女")
    title: str = Field(..., description="正高、副高、中级或初级")
    degree: str = Field(..., description="博士、硕士、学士或无")
    home_institution_id: int
    prior_year_pay: Decimal = Field(..., ge=0, description="派驻前一年度薪酬（元，含绩效）")
    job_title: str = ""
    specialty_id: int | None = None
    leadership_qualified: bool = False
    phone: str = ""
    id_number: str = ""


@router.post("/experts", response={201: ExpertOut}, summary="登记帮扶专家")
def expert_create_endpoint(request: HttpRequest, body: ExpertIn) -> Status[Expert]:
    user = request_user(request)
    try:
        expert = expert_create(actor=user, data=ExpertInput(**body.dict()))
    except ValidationError as exc:
        detail = "；".join(f"{f}：{'；'.join(m)}" for f, m in exc.message_dict.items())
        raise HttpError(422, detail) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return Status(201, expert_with_deployments_for_user(user=user, pk=expert.pk))


class TeamQuery(Schema):
    q: str = Field("", description="按帮扶医院或受扶医院名称搜索")
    prefecture: str = Field("", description="受扶医院所在市州代码")
    partnership: int | None = None


@router.get("/teams", response=list[TeamOut], summary="帮扶队及组队提示（§三(四)；A1-(15)）")
@paginate(PageNumber)
def teams(request: HttpRequest, filters: Query[TeamQuery]) -> list[dict[str, object]]:
    qs = team_list_for_user(user=request_user(request), filters=TeamFilters(**filters.dict()))
    return [_team_out(r) for r in team_rows(qs)]


class DeploymentQuery(Schema):
    q: str = Field("", description="按专家姓名搜索")
    kind: str = Field("", pattern="^(|resident|short_term|flexible|silver_age|remote)$")
    team: int | None = None
    on_site_on: date | None = Field(None, description="在该日期在岗")


@router.get("/deployments", response=list[DeploymentOut], summary="派驻列表")
@paginate(PageNumber)
def deployments(request: HttpRequest, filters: Query[DeploymentQuery]) -> list[dict[str, object]]:
    rows = deployment_list_for_user(
        user=request_user(request), filters=DeploymentFilters(**filters.dict())
    )
    return [_deployment_out(d) for d in rows]
