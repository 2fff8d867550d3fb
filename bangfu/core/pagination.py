"""Paging: `LazyRows`, a sequence read a page at a time from a source paged in the database
(what Django's Paginator, the API's `PageNumber` and templates slice and walk); and page-number
pagination for the API: `{"items": [...], "count": N}` with `page` ≤ 1,000,000 and
`page_size` ≤ 500; a page past the last is an empty `items` with the true `count`."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from django.conf import settings
from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PaginationBase

T = TypeVar("T")

# A page number past this is a typing mistake, not a page: bounding it keeps the row offset
# ((page - 1) × page_size) inside a 64-bit integer for every database (issue #9).
MAX_PAGE = 1_000_000


class LazyRows(Sequence[T]):
    """A sequence whose rows are read from a paged source only for the part asked for.

    Subclasses say how to count the rows (`_count`, called at most once; or pass `count=` when
    it is already known) and how to read rows `start` to `stop` (`_page`, `stop=None`: to the
    end; it returns fewer rows past the end). Then:

    - `len()` and truth are `_count()`, computed once;
    - a slice with a start and a stop that are not negative reads that page only, without
      counting (what Paginator, the API and `|slice:":50"` ask for); a positive step reads the
      page and keeps every step-th row; a negative bound or a negative step counts first;
    - `rows[i]` reads one row (a negative `i` counts first); past either end, IndexError;
    - iterating reads every row once and keeps them (a template may walk a list twice): later
      indexes, slices and `len()` answer from them.
    """

    def __init__(self, *, count: int | None = None) -> None:
        self._length: int | None = count
        self._all: list[T] | None = None

    @abstractmethod
    def _count(self) -> int:
        """How many rows there are."""

    @abstractmethod
    def _page(self, start: int, stop: int | None) -> list[T]:
        """Rows `start` (≥ 0) up to, not including, `stop` (> start, or None: to the end)."""

    def __len__(self) -> int:
        if self._length is None:
            self._length = self._count()
        return self._length

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if self._all is not None:
            return self._all[index]
        if isinstance(index, slice):
            return self._slice(index)
        if index < 0:
            index += len(self)
            if index < 0:
                raise IndexError("row index out of range")
        rows = self._page(index, index + 1)
        if not rows:
            raise IndexError("row index out of range")
        return rows[0]

    def _slice(self, index: slice) -> list[T]:
        start, stop, step = index.start, index.stop, index.step
        if step == 0:
            raise ValueError("slice step cannot be zero")
        if (start or 0) >= 0 and (stop is None or stop >= 0) and (step or 1) > 0:
            start = start or 0
            if stop is not None and stop <= start:
                return []
            return self._page(start, stop)[:: step or 1]
        # A bound from the end or a backward step: the positions need the length.
        wanted = range(*index.indices(len(self)))
        if not wanted:
            return []
        first, last = min(wanted), max(wanted)
        rows = self._page(first, last + 1)
        return [rows[i - first] for i in wanted if i - first < len(rows)]

    def __iter__(self) -> Iterator[T]:
        if self._all is None:  # read once, however often it is walked
            self._all = self._page(0, None)
            self._length = len(self._all)
        return iter(self._all)


class DeferredRows(LazyRows[T]):
    """A sequence made by `make` only when it is first read (counted, sliced or walked), so
    building several lists costs only the ones read (e.g. one section of the coverage page):
    making some lists already runs a query or compiles their SQL."""

    def __init__(self, make: Callable[[], Sequence[T]]) -> None:
        super().__init__()
        self._make = make
        self._made: Sequence[T] | None = None

    @property
    def made(self) -> Sequence[T]:
        if self._made is None:
            self._made = self._make()
        return self._made

    def _count(self) -> int:
        return len(self.made)

    def _page(self, start: int, stop: int | None) -> list[T]:
        return list(self.made[start:stop])


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
