from __future__ import annotations

from django.http import HttpRequest

from bangfu.accounts.models import User


def request_user(request: HttpRequest) -> User:
    """The authenticated platform user of a request (views are behind login_required)."""
    user = request.user
    assert isinstance(user, User), "view must be behind login_required"
    return user
