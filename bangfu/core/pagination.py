"""Page-number pagination for the API: `{"items": [...], "count": N}` with `page` ≤ 1,000,000 and
`page_size` ≤ 500; a page past the last is an empty `items` with the true `count`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PaginationBase

T = TypeVar("T")

# A page number past this is a typing mistake, not a page: bounding it keeps the row offset
# ((page - 1) × page_size) inside a 64-bit integer for every database (issue #9).
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class PerPage(Generic[T]):
    """Rows turned into API items only for the page asked for, so an endpoint whose items need
    per-row work (statuses, team checks) costs one page, not the whole scope. `source` is a
    queryset or a lazily sliced sequence; `convert` receives the page's rows in order."""

    source: Sequence[T] | QuerySet[Any]
    convert: Callable[[list[T]], list[Any]]


class PageNumber(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description=f"页码，从 1 开始，最大 {MAX_PAGE}")
        page_size: int = Field(50, ge=1, le=500, description="每页条数，最多 500")

    class Output(Schema):
        items: list[Any]
        count: int

    items_attribute: str = "items"

    def paginate_queryset(self, queryset: QuerySet[Any], pagination: Input, **params: Any) -> Any:  # type: ignore[override]
        size = min(pagination.page_size, settings.API_MAX_PAGE_SIZE)
        offset = (pagination.page - 1) * size
        if isinstance(queryset, PerPage):
            source = queryset.source
            total = source.count() if isinstance(source, QuerySet) else len(source)
            page = list(source[offset : offset + size])
            return {"items": queryset.convert(page), "count": total}
        count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        return {"items": list(queryset[offset : offset + size]), "count": count}
