"""Page-number pagination for the API: `{"items": [...], "count": N}` with `page`, `page_size` ≤ 500."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet
from ninja import Field, Schema
from ninja.pagination import PaginationBase

T = TypeVar("T", bound=Model)


@dataclass(frozen=True)
class PerPage(Generic[T]):
    """A queryset whose rows are turned into API items only for the page asked for, so an
    endpoint whose items need per-row work (statuses, team checks) costs one page, not the
    whole scope. `convert` receives the page's model instances in order."""

    queryset: QuerySet[T]
    convert: Callable[[list[T]], list[Any]]


class PageNumber(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, description="页码，从 1 开始")
        page_size: int = Field(50, ge=1, le=500, description="每页条数，最多 500")

    class Output(Schema):
        items: list[Any]
        count: int

    items_attribute: str = "items"

    def paginate_queryset(self, queryset: QuerySet[Any], pagination: Input, **params: Any) -> Any:  # type: ignore[override]
        size = min(pagination.page_size, settings.API_MAX_PAGE_SIZE)
        offset = (pagination.page - 1) * size
        if isinstance(queryset, PerPage):
            page = list(queryset.queryset[offset : offset + size])
            return {"items": queryset.convert(page), "count": queryset.queryset.count()}
        count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        return {"items": list(queryset[offset : offset + size]), "count": count}
