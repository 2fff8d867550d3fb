"""Page-number pagination for the API: `{"items": [...], "count": N}` with `page`, `page_size` ≤ 500."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PaginationBase


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
        count = len(queryset) if isinstance(queryset, list) else queryset.count()
        return {"items": list(queryset[offset : offset + size]), "count": count}
