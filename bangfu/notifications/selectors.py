"""Reads of the inbox: a user sees only their own notifications."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from bangfu.accounts.models import User
from bangfu.notifications.domain.kinds import KIND_LABELS, email_wanted
from bangfu.notifications.models import EmailPreference, Notification


def notification_list_for_user(*, user: User, unread: bool = False) -> QuerySet[Notification, Any]:
    notifications = Notification.objects.filter(recipient=user)
    if unread:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-pk")


def notification_get_for_user(*, user: User, notification_id: int) -> Notification:
    notification: Notification | None = (
        notification_list_for_user(user=user).filter(pk=notification_id).first()
    )
    if notification is None:
        raise Http404("未找到该通知")
    return notification


def notification_unread_count(*, user: User) -> int:
    """The menu's badge: one query."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def email_choices_for_user(*, user: User) -> dict[str, bool]:
    """Every kind with whether it goes out by e-mail to `user` (own choice or the default)."""
    chosen = dict(EmailPreference.objects.filter(user=user).values_list("kind", "by_email"))
    return {kind: email_wanted(kind, chosen) for kind in KIND_LABELS}
