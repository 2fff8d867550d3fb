"""Dates as day numbers in SQL, the same on SQLite and PostgreSQL.

A rule that adds or compares days ("the day after the last day in force") is plain integer
arithmetic on day numbers, where date arithmetic differs between the two databases (SQLite
stores dates as text). `DayNumber(column)` is the number of days from `EPOCH` to the date;
`day_number` and `from_day_number` convert on the Python side.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Func, IntegerField

EPOCH = date(2000, 1, 1)
# julianday('2000-01-01') in SQLite: day numbers there are julianday(x) minus this.
_EPOCH_JULIAN = 2451544.5


def day_number(day: date) -> int:
    return (day - EPOCH).days


def from_day_number(number: int) -> date:
    return EPOCH + timedelta(days=number)


class DayNumber(Func):
    """Days from `EPOCH` to a date expression, as an integer (NULL stays NULL)."""

    arity = 1
    output_field = IntegerField()
    template = f"(%(expressions)s - DATE '{EPOCH.isoformat()}')"

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # julianday() of a 'YYYY-MM-DD' text is a whole day plus .5, exactly: the difference
        # is a whole number.
        return self.as_sql(
            compiler,
            connection,
            template=f"CAST(julianday(%(expressions)s) - {_EPOCH_JULIAN} AS INTEGER)",
            **extra_context,
        )
