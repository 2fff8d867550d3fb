from __future__ import annotations

from django.http import HttpRequest

from bangfu.accounts.models import User


def request_user(request: HttpRequest) -> User:
    """The authenticated platform user of a request (views are behind login_required)."""
    user = request.user
    assert isinstance(user, User), "view must be behind login_required"
    return user


def query_without_page(request: HttpRequest) -> str:
    """The list's query string (filters, search) without its page number, for links that keep
    the filters: pager links, the Excel export."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
