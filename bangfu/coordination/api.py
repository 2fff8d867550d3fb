"""Meetings and follow-up tasks over the API (F11), scoped like the pages."""

from datetime import date
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from bangfu.accounts.models import User
from bangfu.accounts.request import request_user
from bangfu.coordination.domain.meetings import (
    MEETING_KIND_LABELS,
    MEETING_LEVEL_LABELS,
    task_status,
)
from bangfu.coordination.models import FollowUpTask, Meeting
from bangfu.coordination.selectors import (
    meeting_get_for_user,
    meeting_list_for_user,
    meeting_tasks_for_user,
    task_get_for_user,
    task_list_for_user,
)
from bangfu.coordination.services import (
    DecisionDraft,
    MeetingDraft,
    meeting_create,
    task_mark_done,
)
from bangfu.core.pagination import PageNumber
from bangfu.core.schema_types import (
    CREATE_ERRORS,
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    DivisionCode,
    Id,
    Line,
    ProgrammeDate,
    Text,
)

router = Router()

MeetingKind = Literal["consultation", "supervision", "survey", "joint_conference", "inspection"]
TaskStatusName = Literal["open", "done", "overdue"]


class TaskOut(Schema):
    id: int
    meeting_id: int
    meeting_title: str
    text: str
    owner_institution_id: int | None
    owner_institution_name: str
    owner_user_id: int | None
    owner_user_name: str
    due: date
    status: str = Field(..., description="open 进行中 / done 已完成 / overdue 已逾期（计算得出）")
    status_label: str
    done_on: date | None
    result_note: str

    @staticmethod
    def resolve_meeting_title(obj: FollowUpTask) -> str:
        return obj.meeting.title

    @staticmethod
    def resolve_owner_institution_name(obj: FollowUpTask) -> str:
        return obj.owner_institution.name if obj.owner_institution else ""

    @staticmethod
    def resolve_owner_user_name(obj: FollowUpTask) -> str:
        return str(obj.owner_user) if obj.owner_user else ""

    @staticmethod
    def resolve_status(obj: FollowUpTask) -> str:
        return task_status(obj.due, obj.done_on, timezone.localdate()).value

    @staticmethod
    def resolve_status_label(obj: FollowUpTask) -> str:
        return task_status(obj.due, obj.done_on, timezone.localdate()).label


class MeetingOut(Schema):
    id: int
    kind: str
    kind_label: str
    level: str
    level_label: str
    partnership_id: int | None
    county_code: str
    title: str
    held_on: date
    place: str
    concerns: str = Field(..., description="所涉对象：帮扶关系的双方医院、县或市州")

    @staticmethod
    def resolve_kind_label(obj: Meeting) -> str:
        return MEETING_KIND_LABELS[obj.kind]

    @staticmethod
    def resolve_level_label(obj: Meeting) -> str:
        return MEETING_LEVEL_LABELS[obj.level]

    @staticmethod
    def resolve_county_code(obj: Meeting) -> str:
        return obj.county.code if obj.county else ""

    @staticmethod
    def resolve_concerns(obj: Meeting) -> str:
        if obj.partnership is not None:
            return f"{obj.partnership.helper.name} — {obj.partnership.recipient.name}"
        if obj.county is not None:
            return obj.county.name
        if obj.prefecture is not None:
            return obj.prefecture.name
        return "全省"


class OutcomeOut(Schema):
    kind: str
    text: str


class MeetingDetailOut(MeetingOut):
    minutes: str
    attendee_names: str
    outcomes: list[OutcomeOut]
    tasks: list[TaskOut] = Field(..., description="本会议中您可见的跟进任务")

    @staticmethod
    def resolve_outcomes(obj: Meeting) -> list[dict[str, str]]:
        return [
            {"kind": outcome.kind, "text": outcome.text}
            for item in obj.agenda_items.all()
            for outcome in item.outcomes.all()
        ]

    @staticmethod
    def resolve_tasks(obj: Meeting) -> list[FollowUpTask]:
        return list(getattr(obj, "visible_tasks", []))


class DecisionIn(Schema):
    text: Annotated[str, Text(1000, min_length=1)]
    owner_institution_id: Id | None = None
    owner_user_id: Id | None = None
    due: ProgrammeDate | None = None


class MeetingIn(Schema):
    kind: MeetingKind
    title: Annotated[str, Line(200, min_length=1)]
    held_on: ProgrammeDate
    partnership_id: Id | None = None
    county_code: DivisionCode | None = None
    prefecture_code: DivisionCode | None = None
    place: Annotated[str, Line(200)] = ""
    minutes: Annotated[str, Text(20000)] = ""
    attendee_names: Annotated[str, Line(1000)] = ""
    information: list[Annotated[str, Text(1000, min_length=1)]] = Field(
        default_factory=list, max_length=50
    )
    decisions: list[DecisionIn] = Field(default_factory=list, max_length=50)


class TaskDoneIn(Schema):
    result_note: Annotated[str, Text(1000)] = ""


class TaskQuery(Schema):
    mine: bool = Field(False, description="只列我（或本单位）负责的任务")
    status: TaskStatusName | None = None


def _detail(user: User, meeting: Meeting) -> Meeting:
    """The meeting with the tasks this user may see on it (for `resolve_tasks`)."""
    meeting.visible_tasks = list(  # type: ignore[attr-defined]
        meeting_tasks_for_user(user=user, meeting=meeting)
    )
    return meeting


@router.get("/meetings", response={200: list[MeetingOut], **LIST_ERRORS}, summary="会商与督导")
@paginate(PageNumber)
def meeting_list(request: HttpRequest) -> Any:
    return meeting_list_for_user(user=request_user(request))


@router.post(
    "/meetings", response={201: MeetingDetailOut, **CREATE_ERRORS}, summary="登记会商与督导"
)
def meeting_create_api(request: HttpRequest, payload: MeetingIn) -> Status[Meeting]:
    user = request_user(request)
    meeting = meeting_create(
        actor=user,
        draft=MeetingDraft(
            kind=payload.kind,
            title=payload.title,
            held_on=payload.held_on,
            partnership_id=payload.partnership_id,
            county_code=payload.county_code or "",
            prefecture_code=payload.prefecture_code or "",
            place=payload.place,
            minutes=payload.minutes,
            attendee_names=payload.attendee_names,
            information=tuple(payload.information),
            decisions=tuple(
                DecisionDraft(
                    text=d.text,
                    due=d.due,
                    owner_institution_id=d.owner_institution_id,
                    owner_user_id=d.owner_user_id,
                )
                for d in payload.decisions
            ),
        ),
    )
    return Status(201, _detail(user, meeting_get_for_user(user=user, meeting_id=meeting.pk)))


@router.get(
    "/meetings/{meeting_id}", response={200: MeetingDetailOut, **READ_ERRORS}, summary="会议详情"
)
def meeting_detail(request: HttpRequest, meeting_id: Id) -> Meeting:
    user = request_user(request)
    return _detail(user, meeting_get_for_user(user=user, meeting_id=meeting_id))


@router.get("/tasks", response={200: list[TaskOut], **LIST_ERRORS}, summary="跟进任务")
@paginate(PageNumber)
def task_list(request: HttpRequest, filters: Query[TaskQuery]) -> Any:
    return task_list_for_user(
        user=request_user(request),
        mine=filters.mine,
        status=filters.status or "",
        today=timezone.localdate(),
    )


@router.post(
    "/tasks/{task_id}/done", response={200: TaskOut, **WRITE_ERRORS}, summary="办结跟进任务"
)
def task_done(request: HttpRequest, task_id: Id, payload: TaskDoneIn | None = None) -> FollowUpTask:
    user = request_user(request)
    task = task_get_for_user(user=user, task_id=task_id)
    return task_mark_done(
        actor=user,
        task=task,
        done_on=timezone.localdate(),
        result_note=payload.result_note if payload else "",
    )
