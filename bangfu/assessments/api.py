"""The self-assessment API (§七, issue #12): list, read, edit a draft, and the review chain."""

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError
from ninja.pagination import paginate
from pydantic import ValidationError as PydanticValidationError

from bangfu.accounts.request import request_user
from bangfu.assessments.domain.review import Action, Status
from bangfu.assessments.models import COMMENT_MAX_LENGTH, NARRATIVE_MAX_LENGTH, Assessment
from bangfu.assessments.selectors import (
    AssessmentFilters,
    assessment_get_for_user,
    assessment_list_for_user,
    assessment_measure_rows,
)
from bangfu.assessments.services import AssessmentChanges, assessment_act, assessment_update
from bangfu.core.pagination import PageNumber, PerPage
from bangfu.core.schema_types import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    DivisionCode,
    Line,
    Text,
    Year,
)

router = Router()

STATUS_PATTERN = "^(|" + "|".join(s.value for s in Status) + ")$"


class ApprovalOut(Schema):
    level: str = Field(..., description="hospital / county / prefecture / province")
    decision: str = Field(..., description="submit / approve / accept / return / reopen")
    by: str = Field(..., description="办理人用户名")
    at: dt.datetime
    comment: str


class AssessmentOut(Schema):
    id: int
    year: int
    agreement_id: int
    recipient_id: int
    helper_id: int
    status: str = Field(..., description=" / ".join(s.value for s in Status))
    due_on: dt.date | None
    approvals: list[ApprovalOut]


class NarrativeOut(Schema):
    results: str = Field(..., description="工作成效")
    problems: str = Field(..., description="存在问题")
    next_steps: str = Field(..., description="下一步打算")


class MeasureOut(Schema):
    code: str
    title: str
    targets: str
    target: int | None
    achieved: int | None = Field(..., description="本年度已确认完成量（来自帮扶活动，只读）")
    progress: str
    rating: str = Field(..., description="completed / basically_completed / not_completed / 空")


class AssessmentDetailOut(AssessmentOut):
    narrative: NarrativeOut
    ratings: dict[str, str]
    helper_comments: str
    measures: list[MeasureOut]


def _out(assessment: Assessment) -> dict[str, object]:
    partnership = assessment.agreement.partnership
    return {
        "id": assessment.pk,
        "year": assessment.year,
        "agreement_id": assessment.agreement_id,
        "recipient_id": partnership.recipient_id,
        "helper_id": partnership.helper_id,
        "status": assessment.status,
        "due_on": assessment.due_on,
        "approvals": [
            {
                "level": a.level,
                "decision": a.decision,
                "by": a.by.get_username() if a.by else "",
                "at": a.at,
                "comment": a.comment,
            }
            for a in assessment.approvals.all()
        ],
    }


def _detail(request: HttpRequest, assessment_id: int) -> dict[str, object]:
    user = request_user(request)
    assessment = assessment_get_for_user(user=user, pk=assessment_id)
    return {
        **_out(assessment),
        "narrative": {
            "results": assessment.results_text,
            "problems": assessment.problems_text,
            "next_steps": assessment.next_steps_text,
        },
        "ratings": dict(assessment.ratings),
        "helper_comments": assessment.helper_comments,
        "measures": [
            {
                "code": r.code,
                "title": r.title,
                "targets": r.targets,
                "target": r.target,
                "achieved": r.achieved,
                "progress": r.progress_label,
                "rating": r.rating,
            }
            for r in assessment_measure_rows(user=user, assessment=assessment)
        ],
    }


class AssessmentQuery(Schema):
    year: Year | None = Field(None, description="年度")
    status: str = Field("", pattern=STATUS_PATTERN, description="状态")
    county: DivisionCode = Field("", description="受扶医院所在县代码")


@router.get(
    "/assessments", response={200: list[AssessmentOut], **LIST_ERRORS}, summary="年度自查自评列表"
)
@paginate(PageNumber)
def assessments(request: HttpRequest, filters: Query[AssessmentQuery]) -> PerPage[Assessment]:
    qs = assessment_list_for_user(
        user=request_user(request),
        filters=AssessmentFilters(year=filters.year, status=filters.status, county=filters.county),
    )
    return PerPage(qs, lambda page: [_out(a) for a in page])


@router.get(
    "/assessments/{assessment_id}",
    response={200: AssessmentDetailOut, **READ_ERRORS},
    summary="年度自查自评详情（含各措施目标、本年度完成情况与自评）",
)
def assessment_detail(request: HttpRequest, assessment_id: int) -> dict[str, object]:
    return _detail(request, assessment_id)


Narrative = Annotated[str, Text(NARRATIVE_MAX_LENGTH)]


class NarrativeIn(Schema):
    results: Narrative | None = Field(None, description="工作成效")
    problems: Narrative | None = Field(None, description="存在问题")
    next_steps: Narrative | None = Field(None, description="下一步打算")


class AssessmentIn(Schema):
    narrative: NarrativeIn | None = Field(None, description="受扶医院填写；不给的部分不变")
    ratings: dict[Annotated[str, Line(4)], Annotated[str, Line(30)]] | None = Field(
        None,
        description="受扶医院填写：措施编号 → 完成 / 基本完成 / 未完成（或 completed / "
        'basically_completed / not_completed），如 {"M07": "完成"}；只改给出的措施',
    )
    helper_comments: Narrative | None = Field(None, description="帮扶医院填写")


@router.put(
    "/assessments/{assessment_id}",
    response={200: AssessmentDetailOut, **WRITE_ERRORS},
    summary="填写自查自评（草稿或已退回时；受扶医院填自评与总结，帮扶医院填意见）",
)
def assessment_put(
    request: HttpRequest, assessment_id: int, payload: AssessmentIn
) -> dict[str, object]:
    user = request_user(request)
    narrative = payload.narrative or NarrativeIn(results=None, problems=None, next_steps=None)
    assessment_update(
        actor=user,
        assessment=assessment_get_for_user(user=user, pk=assessment_id),
        changes=AssessmentChanges(
            ratings=payload.ratings,
            results_text=narrative.results,
            problems_text=narrative.problems,
            next_steps_text=narrative.next_steps,
            helper_comments=payload.helper_comments,
        ),
    )
    return _detail(request, assessment_id)


class CommentIn(Schema):
    comment: Annotated[str, Text(COMMENT_MAX_LENGTH)] = ""


class ReturnIn(Schema):
    comment: Annotated[str, Text(COMMENT_MAX_LENGTH, min_length=1)]


class ReopenIn(Schema):
    reason: Annotated[str, Text(COMMENT_MAX_LENGTH, min_length=1)]


def _act(
    request: HttpRequest, assessment_id: int, action: Action, comment: str
) -> dict[str, object]:
    user = request_user(request)
    assessment_act(
        actor=user,
        assessment=assessment_get_for_user(user=user, pk=assessment_id),
        action=action,
        comment=comment,
    )
    return _out(assessment_get_for_user(user=user, pk=assessment_id))


@router.post(
    "/assessments/{assessment_id}/submit",
    response={200: AssessmentOut, **WRITE_ERRORS},
    summary="受扶医院提交自查自评",
)
def assessment_submit(request: HttpRequest, assessment_id: int) -> dict[str, object]:
    return _act(request, assessment_id, Action.SUBMIT, "")


def _optional_comment(request: HttpRequest) -> str:
    """The approve body is optional: none at all, or `{"comment": "..."}` checked by CommentIn
    (declared below through openapi_extra, since a declared body would be required JSON)."""
    if not request.body.strip():
        return ""
    try:
        return CommentIn.model_validate_json(request.body).comment
    except PydanticValidationError as exc:
        raise ValidationError([dict(e) for e in exc.errors()]) from exc


@router.post(
    "/assessments/{assessment_id}/approve",
    response={200: AssessmentOut, **WRITE_ERRORS},
    summary="审核通过（县、市州依次审核；省审核通过即验收）",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": CommentIn.model_json_schema()}},
        }
    },
)
def assessment_approve(request: HttpRequest, assessment_id: int) -> dict[str, object]:
    return _act(request, assessment_id, Action.APPROVE, _optional_comment(request))


@router.post(
    "/assessments/{assessment_id}/return",
    response={200: AssessmentOut, **WRITE_ERRORS},
    summary="退回修改（须填写意见）",
)
def assessment_return(
    request: HttpRequest, assessment_id: int, payload: ReturnIn
) -> dict[str, object]:
    return _act(request, assessment_id, Action.RETURN, payload.comment)


@router.post(
    "/assessments/{assessment_id}/reopen",
    response={200: AssessmentOut, **WRITE_ERRORS},
    summary="重新打开（高于最近处理层级的部门，须填写原因；验收后仅省卫健委）",
)
def assessment_reopen(
    request: HttpRequest, assessment_id: int, payload: ReopenIn
) -> dict[str, object]:
    return _act(request, assessment_id, Action.REOPEN, payload.reason)
