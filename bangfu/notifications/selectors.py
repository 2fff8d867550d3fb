"""Reads of the inbox (a user sees only their own notifications), and the people a reminder
about an object goes to (the reminder sources of the apps above ask `users_acting_on`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from bangfu.accounts.models import Role, User
from bangfu.notifications.domain.kinds import (
    ACTING_SIDES,
    COUNTY_SIDE,
    HELPER_SIDE,
    KIND_LABELS,
    RECIPIENT_SIDE,
    email_wanted,
)
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


@dataclass(frozen=True)
class Parties:
    """The institutions and county an object concerns (ids; None when it has none)."""

    helper_id: int | None
    recipient_id: int | None
    county_id: int | None


def users_acting_on(*, kind: str, parties: Parties) -> list[User]:
    """The active users who act on an object of `kind` concerning `parties` (ACTING_SIDES): the
    recipient's and the helper's hospital users, the county officers of the recipient's county."""
    return users_acting_on_each(kind=kind, parties=[parties])[parties]


def _acting(kind: str, parties: Parties) -> Q:
    sides = ACTING_SIDES.get(kind, frozenset())
    q = Q(pk__in=[])
    if RECIPIENT_SIDE in sides and parties.recipient_id is not None:
        q |= Q(role=Role.RECIPIENT, institution_id=parties.recipient_id)
    if HELPER_SIDE in sides and parties.helper_id is not None:
        q |= Q(role=Role.HELPER, institution_id=parties.helper_id)
    if COUNTY_SIDE in sides and parties.county_id is not None:
        q |= Q(role=Role.COUNTY, county_id=parties.county_id)
    return q


def _acts_for(kind: str, parties: Parties, user: User) -> bool:
    sides = ACTING_SIDES.get(kind, frozenset())
    return (
        (
            RECIPIENT_SIDE in sides
            and parties.recipient_id is not None
            and user.role == Role.RECIPIENT
            and user.institution_id == parties.recipient_id
        )
        or (
            HELPER_SIDE in sides
            and parties.helper_id is not None
            and user.role == Role.HELPER
            and user.institution_id == parties.helper_id
        )
        or (
            COUNTY_SIDE in sides
            and parties.county_id is not None
            and user.role == Role.COUNTY
            and user.county_id == parties.county_id
        )
    )


def users_acting_on_each(*, kind: str, parties: Iterable[Parties]) -> dict[Parties, list[User]]:
    """`users_acting_on` for many objects in one query: each `parties` with its users."""
    wanted = list(dict.fromkeys(parties))
    q = Q(pk__in=[])
    for one in wanted:
        q |= _acting(kind, one)
    users = list(User.objects.filter(q, is_active=True).order_by("pk")) if wanted else []
    return {one: [u for u in users if _acts_for(kind, one, u)] for one in wanted}
