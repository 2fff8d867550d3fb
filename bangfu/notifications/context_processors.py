from __future__ import annotations

from django.http import HttpRequest

from bangfu.accounts.models import User
from bangfu.notifications.selectors import notification_unread_count


def unread_notifications(request: HttpRequest) -> dict[str, object]:
    """The menu's unread badge (one query, only for a signed-in user)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    return {"unread_notifications": notification_unread_count(user=user)}
