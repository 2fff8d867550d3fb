"""表现突出 as a dated recognition (§六: 对表现突出的帮扶人员，可探索差异化激励政策（如正高职称或
博士研究生、副高职称或硕士研究生的可再分别每月补贴1000元、600元）). Pure functions.

A recognition is in force from its start through its end (open-ended when none), and once
withdrawn up to the day before the withdrawal takes effect. The monthly subsidy counts only days
both on site and recognised (`incentives.domain.benefits.subsidy_months`), so a month's amount
depends only on the recognitions in force in that month. Product rule: a recognition may not
start, and a withdrawal may not take effect, before the first day of the current month, so
recognising or withdrawing never rewrites a past month.
"""

from __future__ import annotations

from datetime import date, timedelta

ONE_DAY = timedelta(days=1)
CLAUSE = "§六"


def last_day_in_force(end: date | None, withdrawn_from: date | None) -> date | None:
    """The last day a recognition is in force; None when open-ended."""
    if withdrawn_from is None:
        return end
    stop = withdrawn_from - ONE_DAY
    return stop if end is None else min(end, stop)


def in_force_on(start: date, end: date | None, withdrawn_from: date | None, day: date) -> bool:
    last = last_day_in_force(end, withdrawn_from)
    return start <= day and (last is None or day <= last)


def earliest_change_day(today: date) -> date:
    """The first day a new recognition or a withdrawal may affect: months before the current
    one are already computed and stay as they were."""
    return today.replace(day=1)


def start_problem(start: date, end: date | None, today: date) -> tuple[str, str] | None:
    """(field, Chinese message) when the dates of a new recognition are refused, else None."""
    first = earliest_change_day(today)
    if start < first:
        return (
            "start",
            f"认定起始日期不能早于本月1日（{first.isoformat()}）：已计算的月份不因新的认定而改写",
        )
    if end is not None and end < start:
        return ("end", "认定截止日期不能早于起始日期")
    return None


def withdrawal_problem(
    start: date, end: date | None, withdrawn_from: date | None, on: date, today: date
) -> str | None:
    """Why a withdrawal taking effect on `on` is refused, else None."""
    if withdrawn_from is not None:
        return f"该认定已于{withdrawn_from.isoformat()}起撤销"
    first = earliest_change_day(today)
    if on < first:
        return f"撤销生效日期不能早于本月1日（{first.isoformat()}）：已计算的月份不因撤销而改写"
    if end is not None and on > end:
        return f"该认定已于{end.isoformat()}截止，无需撤销"
    return None


def periods_overlap(
    start: date, last: date | None, other_start: date, other_last: date | None
) -> bool:
    """Whether two in-force spans (None = open-ended) share a day."""
    return (last is None or other_start <= last) and (other_last is None or start <= other_last)
