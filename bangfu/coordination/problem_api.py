"""The problem log over the API (§五): raise, list, read, and the department's replies."""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from bangfu.accounts.request import request_user
from bangfu.coordination.domain.problems import CATEGORY_LABELS, STATUS_LABELS
from bangfu.coordination.models import Problem
from bangfu.coordination.problem_selectors import problem_get_for_user, problem_list_for_user
from bangfu.coordination.problem_services import ProblemDraft, problem_raise, problem_reply
from bangfu.core.pagination import PageNumber
from bangfu.core.schema_types import (
    CREATE_ERRORS,
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Id,
    Line,
    Text,
)

router = Router()

Category = Literal[
    "post", "title", "insurance_catalogue", "research", "tourism_card", "living", "other"
]
StatusName = Literal["submitted", "accepted", "in_progress", "closed", "declined"]


class ReplyOut(Schema):
    author: str
    text: str
    status_after: str
    created_at: datetime

    @staticmethod
    def resolve_author(obj: Any) -> str:
        return str(obj.author)


class ProblemOut(Schema):
    id: int
    category: str
    category_label: str
    department: str = Field(..., description="承办部门代码")
    department_label: str
    title: str
    description: str
    status: str
    status_label: str
    status_reason: str
    partnership_id: int | None
    county_code: str
    raised_by: str
    created_at: datetime
    closed_at: datetime | None

    @staticmethod
    def resolve_category_label(obj: Problem) -> str:
        return CATEGORY_LABELS[obj.category]

    @staticmethod
    def resolve_department_label(obj: Problem) -> str:
        return obj.get_department_display()

    @staticmethod
    def resolve_status_label(obj: Problem) -> str:
        return STATUS_LABELS[obj.status]

    @staticmethod
    def resolve_county_code(obj: Problem) -> str:
        return obj.county.code

    @staticmethod
    def resolve_raised_by(obj: Problem) -> str:
        return str(obj.raised_by)


class ProblemDetailOut(ProblemOut):
    replies: list[ReplyOut]

    @staticmethod
    def resolve_replies(obj: Problem) -> list[Any]:
        return list(obj.replies.all())


class ProblemIn(Schema):
    category: Category
    title: Annotated[str, Line(200, min_length=1)]
    description: Annotated[str, Text(5000, min_length=1)]
    partnership_id: Id | None = None


class ReplyIn(Schema):
    text: Annotated[str, Text(5000, min_length=1)]
    status: StatusName
    reason: Annotated[str, Text(1000)] = ""


class ProblemQuery(Schema):
    status: StatusName | None = None


@router.get("/problems", response={200: list[ProblemOut], **LIST_ERRORS}, summary="问题清单")
@paginate(PageNumber)
def problems(request: HttpRequest, filters: Query[ProblemQuery]) -> Any:
    return problem_list_for_user(user=request_user(request), status=filters.status or "")


@router.post("/problems", response={201: ProblemDetailOut, **CREATE_ERRORS}, summary="提出问题")
def problem_create(request: HttpRequest, payload: ProblemIn) -> Status[Problem]:
    user = request_user(request)
    problem = problem_raise(
        actor=user,
        draft=ProblemDraft(
            category=payload.category,
            title=payload.title,
            description=payload.description,
            partnership_id=payload.partnership_id,
        ),
    )
    return Status(201, problem_get_for_user(user=user, problem_id=problem.pk))


@router.get(
    "/problems/{problem_id}", response={200: ProblemDetailOut, **READ_ERRORS}, summary="问题详情"
)
def problem_detail(request: HttpRequest, problem_id: Id) -> Problem:
    return problem_get_for_user(user=request_user(request), problem_id=problem_id)


@router.post(
    "/problems/{problem_id}/replies",
    response={200: ProblemDetailOut, **WRITE_ERRORS},
    summary="承办部门答复并更新状态",
)
def problem_reply_api(request: HttpRequest, problem_id: Id, payload: ReplyIn) -> Problem:
    user = request_user(request)
    problem = problem_get_for_user(user=user, problem_id=problem_id)
    problem_reply(
        actor=user, problem=problem, text=payload.text, status=payload.status, reason=payload.reason
    )
    return problem_get_for_user(user=user, problem_id=problem_id)
