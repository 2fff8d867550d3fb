"""The activities API (F8, F13): the catalogue, activity records, confirmation and progress."""

import datetime as dt
from typing import Annotated

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from bangfu.accounts.request import request_user
from bangfu.activities.models import (
    EXTERNAL_ID_MAX_LENGTH,
    KIND_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Activity,
)
from bangfu.activities.selectors import (
    ActivityFilters,
    activity_catalogue,
    activity_get_for_user,
    activity_list_for_user,
    partnership_progress,
    today_local,
    writable_partnerships_for_user,
)
from bangfu.activities.services import ActivityInput, activity_confirm, activity_create
from bangfu.core.pagination import PageNumber, PerPage
from bangfu.core.schema_types import (
    CREATE_ERRORS,
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Id,
    Line,
    ProgrammeDate,
    Text,
)

router = Router()

QUANTITY_MAX = 100_000


class QuantityOut(Schema):
    name: str
    label: str
    unit: str
    main: bool
    people: bool
    max: int


class ActivityKindOut(Schema):
    code: str
    name: str
    clause: str
    measures: list[str]
    modes: list[str]
    quantities: list[QuantityOut]


class ActivityKindList(Schema):
    items: list[ActivityKindOut]
    count: int


@router.get(
    "/activity-kinds", response={200: ActivityKindList, **LIST_ERRORS}, summary="活动类型目录"
)
def activity_kinds(request: HttpRequest) -> dict[str, object]:
    items = [
        {
            "code": k.code,
            "name": k.name,
            "clause": k.clause,
            "measures": list(k.measures),
            "modes": list(k.modes),
            "quantities": [
                {
                    "name": q.name,
                    "label": q.label,
                    "unit": q.unit,
                    "main": q.main,
                    "people": q.people,
                    "max": q.maximum,
                }
                for q in k.quantities
            ],
        }
        for k in activity_catalogue().kinds
    ]
    return {"items": items, "count": len(items)}


class ActivityOut(Schema):
    id: int
    partnership_id: int
    date: dt.date
    kind: str
    quantities: dict[str, int]
    attributes: dict[str, str]
    department: str
    title: str
    note: str
    external_id: str
    recorded_side: str
    confirmed: bool
    confirmed_at: dt.datetime | None


def _out(activity: Activity) -> dict[str, object]:
    return {
        "id": activity.pk,
        "partnership_id": activity.partnership_id,
        "date": activity.date,
        "kind": activity.kind,
        "quantities": activity.quantities,
        "attributes": activity.attributes,
        "department": activity.department,
        "title": activity.title,
        "note": activity.note,
        "external_id": activity.external_id,
        "recorded_side": activity.recorded_side,
        "confirmed": activity.is_confirmed,
        "confirmed_at": activity.confirmed_at,
    }


class ActivityQuery(Schema):
    county: Annotated[str, Line(12)] = Field("", description="受扶医院所在县代码")
    partnership_id: Id | None = None
    kind: Annotated[str, Line(KIND_MAX_LENGTH)] = Field("", description="活动类型代码")
    month: str = Field("", pattern=r"^(|\d{4}-\d{2})$", description="月份 YYYY-MM")
    confirmed: bool | None = None


@router.get("/activities", response={200: list[ActivityOut], **LIST_ERRORS}, summary="帮扶活动列表")
@paginate(PageNumber)
def activities(request: HttpRequest, filters: Query[ActivityQuery]) -> PerPage[Activity]:
    qs = activity_list_for_user(
        user=request_user(request),
        filters=ActivityFilters(
            county=filters.county,
            partnership=filters.partnership_id,
            kind=filters.kind,
            month=filters.month,
            confirmed=filters.confirmed,
        ),
    )
    return PerPage(qs, lambda page: [_out(a) for a in page])


class ActivityIn(Schema):
    partnership_id: Id
    date: ProgrammeDate
    kind: Annotated[str, Line(KIND_MAX_LENGTH, min_length=1)]
    quantities: dict[Annotated[str, Line(40)], Annotated[int, Field(ge=0, le=QUANTITY_MAX)]] = (
        Field(..., description='数量名 → 整数，如 {"sessions": 2}')
    )
    title: Annotated[str, Line(TITLE_MAX_LENGTH)] = ""
    note: Annotated[str, Text(NOTE_MAX_LENGTH)] = ""
    external_id: Annotated[str, Line(EXTERNAL_ID_MAX_LENGTH)] = ""


@router.post("/activities", response={201: ActivityOut, **CREATE_ERRORS}, summary="填报帮扶活动")
def activity_create_api(request: HttpRequest, payload: ActivityIn) -> Status[dict[str, object]]:
    user = request_user(request)
    partnership = writable_partnerships_for_user(user).filter(pk=payload.partnership_id).first()
    if partnership is None:
        raise Http404("未找到可填报的帮扶关系")
    activity = activity_create(
        actor=user,
        partnership=partnership,
        data=ActivityInput(
            date=payload.date,
            kind=payload.kind,
            quantities=payload.quantities,
            title=payload.title,
            note=payload.note,
            external_id=payload.external_id,
        ),
    )
    return Status(201, _out(activity))


@router.get(
    "/activities/{activity_id}", response={200: ActivityOut, **READ_ERRORS}, summary="帮扶活动详情"
)
def activity_detail(request: HttpRequest, activity_id: int) -> dict[str, object]:
    return _out(activity_get_for_user(user=request_user(request), pk=activity_id))


@router.post(
    "/activities/{activity_id}/confirm",
    response={200: ActivityOut, **WRITE_ERRORS},
    summary="确认帮扶活动（另一方）",
)
def activity_confirm_api(request: HttpRequest, activity_id: int) -> dict[str, object]:
    user = request_user(request)
    activity = activity_confirm(
        actor=user, activity=activity_get_for_user(user=user, pk=activity_id)
    )
    return _out(activity)


class MeasureProgressOut(Schema):
    code: str
    target: int | None
    achieved: int
    unconfirmed: int
    status: str
    status_label: str
    rule: str


class ProgressOut(Schema):
    year: int
    agreement_id: int | None
    measures: list[MeasureProgressOut]


class ProgressQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度，默认今年")


@router.get(
    "/partnerships/{partnership_id}/progress",
    response={200: ProgressOut, **READ_ERRORS},
    summary="帮扶关系的协议目标进度（某年度）",
)
def progress(
    request: HttpRequest, partnership_id: int, query: Query[ProgressQuery]
) -> dict[str, object]:
    year = query.year or today_local().year
    rows = partnership_progress(user=request_user(request), pk=partnership_id, year=year)
    latest = rows[-1] if rows else None
    return {
        "year": year,
        "agreement_id": latest.agreement.pk if latest else None,
        "measures": [
            {
                "code": m.code,
                "target": m.target,
                "achieved": m.achieved,
                "unconfirmed": m.unconfirmed,
                "status": m.status.value,
                "status_label": m.status.label,
                "rule": m.rule,
            }
            for m in (latest.progress.measures if latest else ())
        ],
    }
