"""Calendar arithmetic the people and incentive rules share: periods, overlaps, anniversaries.

Every count of days here is inclusive of both ends: a deployment from 1 March to
31 March is 31 days on site.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    """An inclusive span of dates, e.g. the period a benefits statement covers."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"结束日期 {self.end} 早于开始日期 {self.start}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def within_one_calendar_year(self) -> bool:
        return self.start.year == self.end.year

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class CalendarMonth:
    year: int
    month: int

    @property
    def days(self) -> int:
        return days_in_month(self.year, self.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, self.days)

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"


def days_in_year(year: int) -> int:
    """365, or 366 in a leap year (the Y of the salary top-up formula)."""
    return 366 if calendar.isleap(year) else 365


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def overlap_days(a: Period, b: Period) -> int:
    """Number of days lying in both periods, inclusive; 0 when they do not meet."""
    start = max(a.start, b.start)
    end = min(a.end, b.end)
    return max(0, (end - start).days + 1)


def overlap(a: Period, b: Period) -> Period | None:
    """The days lying in both periods, or None when they do not meet."""
    start = max(a.start, b.start)
    end = min(a.end, b.end)
    return Period(start, end) if start <= end else None


def months_touching(period: Period) -> Iterator[CalendarMonth]:
    """Every calendar month with at least one day in the period, in order."""
    year, month = period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        yield CalendarMonth(year, month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def anniversary(start: date, years: int) -> date:
    """The `years`-th anniversary of `start`.

    A start on 29 February has its anniversary on 28 February in a non-leap year
    (product decision: the anniversary never spills into March).
    """
    target_year = start.year + years
    if start.month == 2 and start.day == 29 and not calendar.isleap(target_year):
        return date(target_year, 2, 28)
    return start.replace(year=target_year)


def covers_years(start: date, planned_end: date, years: int) -> bool:
    """Whether a stay from `start` to `planned_end` covers `years` full years.

    Product decision: it does when the planned end is on or after the day before
    the `years`-th anniversary of the start (1 March 2025 → 28 February 2026
    covers one year; 29 February 2024 → 27 February 2025 covers one year, since
    that anniversary is 28 February 2025).
    """
    return planned_end >= last_day_of_years(start, years)


def last_day_of_years(start: date, years: int) -> date:
    """The day before the `years`-th anniversary: the earliest end covering `years`."""
    return anniversary(start, years) - timedelta(days=1)
