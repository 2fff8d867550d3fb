"""Annotated types for API request schemas: every input the database cannot hold is a 422.

The API's request schemas and query parameters use these instead of bare `str`, `int`,
`Decimal` and `date`, so a value is refused with a Chinese message naming its field before it
reaches a service or the database (issue #9 "No 500 on any input"):
- `Annotated[str, Text(n)]` / `Annotated[str, Line(n)]`: at most `n` characters (the model column's `max_length`), no control
  characters or lone surrogates (`bangfu.core.text`, the one rule: PostgreSQL refuses NUL);
  a `Line` is also a single line;
- `Search` (a search box) and `DivisionCode` (a 6-digit 行政区划代码) for query filters;
- `SmallCount`, `Count`, `Id`, `Year`: integers bounded by their column (`SMALL_INT_MAX` for a
  PositiveSmallIntegerField, `INT_MAX` for an IntegerField, `ID_MAX` for a BigAutoField);
- `Annotated[Decimal, Money(max_digits)]`: a finite Decimal with at most two decimal places and
  `max_digits` digits, as its DecimalField;
- `ProgrammeDate`: a `YYYY-MM-DD` date inside the programme window (`policy.domain.dates`).

`ErrorOut` is the body of every 4xx the API answers; `LIST_ERRORS`, `READ_ERRORS`, `WRITE_ERRORS`
(also 403: in scope but not allowed) and `CREATE_ERRORS` (also 409: a write that inserts rows
collided with an identical one) are the usual sets of documented error statuses, spread into an
endpoint's `response={200: X, **READ_ERRORS}`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from annotated_types import GroupedMetadata
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, StringConstraints
from pydantic_core import PydanticCustomError

from bangfu.core.text import forbidden_characters_message
from bangfu.policy.domain.dates import (
    PROGRAMME_DATE_MAX,
    PROGRAMME_DATE_MIN,
    PROGRAMME_DATE_RANGE_MESSAGE,
)

SMALL_INT_MAX = 32_767  # PositiveSmallIntegerField / SmallIntegerField
INT_MAX = 2_147_483_647  # IntegerField / PositiveIntegerField
ID_MAX = 9_223_372_036_854_775_807  # BigAutoField (DEFAULT_AUTO_FIELD)
YEAR_MIN = PROGRAMME_DATE_MIN.year
YEAR_MAX = PROGRAMME_DATE_MAX.year

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _acceptable_characters(value: str) -> str:
    message = forbidden_characters_message(value)
    if message is not None:
        raise PydanticCustomError("forbidden_characters", message)
    return value


def _single_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise PydanticCustomError("single_line", "不能包含换行")
    return value


@dataclass(frozen=True)
class Text(GroupedMetadata):
    """`Annotated[str, Text(n)]`: at most `n` characters, tabs and line breaks allowed.
    `Text()` leaves the length to the service, when it refuses too long a text in its own words."""

    max_length: int | None = None
    min_length: int = 0

    def __iter__(self) -> Iterator[object]:
        yield StringConstraints(min_length=self.min_length or None, max_length=self.max_length)
        yield AfterValidator(_acceptable_characters)


@dataclass(frozen=True)
class Line(GroupedMetadata):
    """`Annotated[str, Line(n)]`: one line of at most `n` characters (names, numbers, searches).
    `Line()` leaves the length to the service, when it refuses too long a text in its own words."""

    max_length: int | None = None
    min_length: int = 0

    def __iter__(self) -> Iterator[object]:
        yield StringConstraints(min_length=self.min_length or None, max_length=self.max_length)
        yield AfterValidator(_acceptable_characters)
        yield AfterValidator(_single_line)


def Money(
    max_digits: int,
    *,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    decimal_places: int | None = 2,
) -> Any:
    """`Annotated[Decimal, Money(12)]`: yuan, finite, ≤ 2 decimal places, ≤ `max_digits` digits
    in all (so at most `maximum`, by default the largest value the column holds). Negative
    amounts are left to the services, which refuse them with their own reasons, unless a
    `minimum` is given; so are decimal places when `decimal_places=None` (the service says
    "金额最多保留两位小数" itself)."""
    largest = Decimal(10) ** (max_digits - 2) - Decimal("0.01")
    return Field(
        ge=minimum,
        le=largest if maximum is None else min(maximum, largest),
        max_digits=max_digits,
        decimal_places=decimal_places,
        allow_inf_nan=False,
    )


# A search box: longer text than any name it could match is a mistake, not a search.
SEARCH_MAX_LENGTH = 100
Search = Annotated[str, Line(SEARCH_MAX_LENGTH)]
# An administrative-division code (市州/县 行政区划代码, 6 digits).
DivisionCode = Annotated[str, Line(6)]

# A partnership mode code (帮扶方式, e.g. `group`): codes are short identifiers.
MODE_MAX_LENGTH = 30

# Counts bounded by their column; a negative count is refused by the service in its own words
# (e.g. "参加人数不能为负数"), so the lower bound here only keeps the value a database integer.
SmallCount = Annotated[int, Field(ge=-SMALL_INT_MAX - 1, le=SMALL_INT_MAX)]
Count = Annotated[int, Field(ge=-INT_MAX - 1, le=INT_MAX)]
Id = Annotated[int, Field(ge=1, le=ID_MAX)]
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]


def _iso_date(value: object) -> object:
    """Only `YYYY-MM-DD` (or a `date`) is a date: no timestamps, no datetimes, no numbers."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise PydanticCustomError("date_format", "应为日期（YYYY-MM-DD）")


def _in_programme_window(value: date) -> date:
    if not PROGRAMME_DATE_MIN <= value <= PROGRAMME_DATE_MAX:
        raise PydanticCustomError("programme_date_range", PROGRAMME_DATE_RANGE_MESSAGE)
    return value


ProgrammeDate = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_in_programme_window)]


class ErrorItem(Schema):
    field: str = Field(..., description="出错的字段（点号分隔路径）；空为整体错误")
    message: str = Field(..., description="中文说明，以字段名开头")


class ErrorOut(Schema):
    """Every 4xx answer: a Chinese `detail`, and for 422 each problem with its field."""

    detail: str = Field(..., description="中文说明")
    errors: list[ErrorItem] | None = Field(None, description="逐字段的问题（422 时给出）")


# A list: no token (401), a bad filter or page (422).
LIST_ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 422: ErrorOut}
# One record: also not found or out of the user's scope (404, never 403: reads do not reveal).
READ_ERRORS: dict[int, type[ErrorOut]] = {**LIST_ERRORS, 404: ErrorOut}
WRITE_ERRORS: dict[int, type[ErrorOut]] = {**READ_ERRORS, 403: ErrorOut}
CREATE_ERRORS: dict[int, type[ErrorOut]] = {**WRITE_ERRORS, 409: ErrorOut}
