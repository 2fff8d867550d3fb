"""The inbox over the API: own notifications only, each naming the object it concerns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from bangfu.accounts.request import request_user
from bangfu.core.pagination import PageNumber
from bangfu.core.schema_types import LIST_ERRORS, WRITE_ERRORS, Id
from bangfu.notifications.models import Notification
from bangfu.notifications.selectors import notification_get_for_user, notification_list_for_user
from bangfu.notifications.services import notification_mark_all_read, notification_mark_read

router = Router()


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    link: str = Field(..., description="站内页面地址（相对路径），空为无")
    object_type: str = Field(..., description="所涉对象的类型（app.model），空为无")
    object_id: str
    object_label: str = Field(..., description="所涉对象的名称，如协议的双方医院")
    created_at: datetime
    read_at: datetime | None
    read: bool

    @staticmethod
    def resolve_kind_label(obj: Notification) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_read(obj: Notification) -> bool:
        return obj.read_at is not None


class ReadAllOut(Schema):
    count: int = Field(..., description="本次标记为已读的条数")


@router.get(
    "/notifications", response={200: list[NotificationOut], **LIST_ERRORS}, summary="我的通知"
)
@paginate(PageNumber)
def notification_list(request: HttpRequest, unread: bool = False) -> Any:
    """`unread=1`: only the unread ones."""
    return notification_list_for_user(user=request_user(request), unread=unread)


@router.post(
    "/notifications/read-all", response={200: ReadAllOut, **LIST_ERRORS}, summary="全部标记已读"
)
def notification_read_all(request: HttpRequest) -> dict[str, int]:
    return {"count": notification_mark_all_read(actor=request_user(request))}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **WRITE_ERRORS},
    summary="标记一条通知已读",
)
def notification_read(request: HttpRequest, notification_id: Id) -> Notification:
    user = request_user(request)
    notification = notification_get_for_user(user=user, notification_id=notification_id)
    return notification_mark_read(actor=user, notification=notification)
