"""Which calendar dates the platform accepts for a programme (pure Python; no Django).

The pairing programme runs in cycles of a few years (方案 §二, 2025–2027 and renewals); any
date a user types for an agreement, deployment, ledger entry, title application or matching
round must fall in a plausible window. The window is wide enough for every real record and
narrow enough that date arithmetic (adding cycle years, deployment days) can never overflow
Python's `date` range (year 9999): a date past 2100 is a typing mistake, not a plan.

Forms, API schemas and services all check with this one rule.
"""

from __future__ import annotations

from datetime import date

PROGRAMME_DATE_MIN = date(2000, 1, 1)
PROGRAMME_DATE_MAX = date(2100, 12, 31)

PROGRAMME_DATE_RANGE_MESSAGE = (
    f"日期须在 {PROGRAMME_DATE_MIN.isoformat()} 至 {PROGRAMME_DATE_MAX.isoformat()} 之间"
)


def programme_date_in_range(value: date) -> bool:
    """True when `value` lies within [PROGRAMME_DATE_MIN, PROGRAMME_DATE_MAX], both inclusive."""
    return PROGRAMME_DATE_MIN <= value <= PROGRAMME_DATE_MAX


def programme_date_problem(value: date | None, label: str = "") -> str | None:
    """A Chinese message when a programme date lies outside the accepted window, else None.

    `None` (a date not given) is not a range problem: whether a date is required is the
    caller's rule. `label` (e.g. "开始日期") prefixes the message so it names the field.
    """
    if value is None or programme_date_in_range(value):
        return None
    prefix = f"{label}：" if label else ""
    return f"{prefix}{PROGRAMME_DATE_RANGE_MESSAGE}（收到 {value.isoformat()}）"


def programme_date_issues(**dates: date | None) -> list[tuple[str, str]]:
    """`(field, message)` for every given date outside the window, in argument order.

    Services call this before any date arithmetic (adding cycle years or days), so an
    out-of-range date is refused with a message naming its field instead of overflowing.
    """
    return [
        (name, message)
        for name, value in dates.items()
        if (message := programme_date_problem(value)) is not None
    ]
