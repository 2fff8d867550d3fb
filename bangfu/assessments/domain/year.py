"""Which agreements a year's self-assessment covers (§七 每年开展一次自查自评)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date


def in_force_during(periods: Iterable[tuple[date, date]], year: int) -> bool:
    """An agreement is assessed for ``year`` when it was in force on at least one day of it:
    one of its signed periods (first day in force .. last day, termination included) overlaps
    1 January .. 31 December. A draft (never signed) agreement has no period; one terminated
    before the year ends its period before the year starts."""
    first_day, last_day = date(year, 1, 1), date(year, 12, 31)
    return any(first <= last_day and last >= first_day for first, last in periods)


def is_overdue(*, submitted: bool, due_on: date | None, today: date) -> bool:
    """Not submitted by the due date (the due day itself is still in time)."""
    return not submitted and due_on is not None and today > due_on
