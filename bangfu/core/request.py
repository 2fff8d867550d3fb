"""Request helpers every app's views share (the user of a request is `accounts.request`)."""

from __future__ import annotations

from django.http import HttpRequest


def query_without_page(request: HttpRequest) -> str:
    """The list's query string (filters, search) without its page number, for links that keep
    the filters: pager links, the Excel export."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# The largest value of a BigAutoField / bigint column; a larger id cannot name a row and would
# make the database driver raise instead of finding nothing.
_ID_MAX = 2**63 - 1


def id_from_query(raw: str | None) -> int | None:
    """A row id from a query or form parameter, or None when it cannot be one.

    Only ASCII digits count: `str.isdigit()` also accepts "²" and "١", and `int()` of the first
    raises. Ids past bigint are None too, so a hand-typed parameter never reaches the database
    as something it refuses."""
    if not raw or len(raw) > 19 or not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if 1 <= value <= _ID_MAX else None
