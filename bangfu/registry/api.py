from typing import Annotated

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from bangfu.accounts.request import request_user
from bangfu.core.pagination import PageNumber
from bangfu.core.schema_types import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    DivisionCode,
    Id,
    Line,
    Search,
)
from bangfu.registry.extensions import county_filter, county_filter_choices
from bangfu.registry.models import County, Department, Institution, Prefecture
from bangfu.registry.selectors import (
    CountyFilters,
    InstitutionFilters,
    county_list_for_user,
    institution_get_for_user,
    institution_list_for_user,
    prefecture_list_for_user,
)
from bangfu.registry.services import INSTITUTION_GRADES, institution_edit_profile

router = Router()


class PrefectureOut(Schema):
    code: str
    name: str
    short_name: str


class CountyOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    prefecture_code: str = Field(..., alias="prefecture.code")
    prefecture_name: str = Field(..., alias="prefecture.name")
    national_key_county: bool
    programme_group: str
    programme_group_basis: str
    programme_group_verified: bool


class InstitutionOut(Schema):
    id: int
    name: str
    category: str
    institution_type: str
    county_code: str | None
    prefecture_code: str | None
    province: str
    city: str
    grade: str
    is_demo: bool

    @staticmethod
    def resolve_county_code(obj: Institution) -> str | None:
        return obj.county.code if obj.county else None

    @staticmethod
    def resolve_prefecture_code(obj: Institution) -> str | None:
        return obj.prefecture.code if obj.prefecture else None


class CountyQuery(Schema):
    prefecture: DivisionCode = Field("", description="市州代码，如 520500")
    programme_group: str = Field("", pattern="^(|target|other)$", description="target 或 other")
    national_key_county: bool | None = Field(None, description="是否国家乡村振兴重点帮扶县")
    q: Search = Field("", description="按名称或代码搜索")
    coverage: str = Field(
        "",
        max_length=20,
        description="覆盖情况（今日）：covered 已覆盖、uncovered 未覆盖、gap 有帮扶断档、"
        "expiring 有协议即将到期",
    )


class InstitutionQuery(Schema):
    category: str = Field("", pattern="^(|recipient|helper|leading)$")
    county: DivisionCode = Field("", description="县代码")
    prefecture: DivisionCode = Field("", description="市州代码")
    q: Search = ""


@router.get("/prefectures", response={200: list[PrefectureOut], **LIST_ERRORS}, summary="市州列表")
@paginate(PageNumber)
def prefectures(request: HttpRequest) -> QuerySet[Prefecture]:
    return prefecture_list_for_user(user=request_user(request))


@router.get(
    "/counties", response={200: list[CountyOut], **LIST_ERRORS}, summary="县（市、区、特区）列表"
)
@paginate(PageNumber)
def counties(request: HttpRequest, filters: Query[CountyQuery]) -> QuerySet[County]:
    if filters.coverage and county_filter(filters.coverage) is None:
        choices = "、".join(value for value, _ in county_filter_choices())
        raise ValidationError({"coverage": f"覆盖情况应为 {choices} 之一"})
    return county_list_for_user(user=request_user(request), filters=CountyFilters(**filters.dict()))


@router.get(
    "/institutions", response={200: list[InstitutionOut], **LIST_ERRORS}, summary="医疗机构列表"
)
@paginate(PageNumber)
def institutions(request: HttpRequest, filters: Query[InstitutionQuery]) -> QuerySet[Institution]:
    return institution_list_for_user(
        user=request_user(request), filters=InstitutionFilters(**filters.dict())
    )


class DepartmentOut(Schema):
    id: int
    name: str
    specialty_code: str | None

    @staticmethod
    def resolve_specialty_code(obj: Department) -> str | None:
        return obj.specialty.code if obj.specialty else None


class InstitutionDetailOut(InstitutionOut):
    departments: list[DepartmentOut]

    @staticmethod
    def resolve_departments(obj: Institution) -> list[Department]:
        return list(obj.departments.all())


class InstitutionPatch(Schema):
    grade: Annotated[str, Line(8)] | None = Field(
        None,
        description="等级："
        + "、".join(f"{v or '空'}（{label}）" for v, label in INSTITUTION_GRADES),
    )
    add_departments: list[Annotated[str, Line()]] = Field(
        default_factory=list, description="新增科室名称"
    )
    remove_department_ids: list[Id] = Field(
        default_factory=list, description="删除的科室编号（未被使用的科室）"
    )


@router.get(
    "/institutions/{institution_id}",
    response={200: InstitutionDetailOut, **READ_ERRORS},
    summary="医疗机构详情",
)
def institution_detail(request: HttpRequest, institution_id: int) -> Institution:
    return institution_get_for_user(user=request_user(request), pk=institution_id)


@router.patch(
    "/institutions/{institution_id}",
    response={200: InstitutionDetailOut, **WRITE_ERRORS},
    summary="修改医疗机构等级和科室（省卫健委）",
)
def institution_patch(
    request: HttpRequest, institution_id: int, body: InstitutionPatch
) -> Institution:
    user = request_user(request)
    institution = institution_get_for_user(user=user, pk=institution_id)
    institution_edit_profile(
        actor=user,
        institution=institution,
        grade=body.grade,
        add_departments=body.add_departments,
        remove_department_ids=body.remove_department_ids,
    )
    return institution_get_for_user(user=user, pk=institution_id)
