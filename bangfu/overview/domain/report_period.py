"""The period a report for superiors covers: a year, a quarter or a month (F10).

`YYYY`, `YYYY-Qn` (n = 1…4) or `YYYY-MM`; the figures are those at the end of the period, or on
the report day when the period has not ended yet.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from bangfu.policy.domain.dates import PROGRAMME_DATE_MAX, PROGRAMME_DATE_MIN

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class ReportPeriodError(ValueError):
    """The period text is not a year, quarter or month; the message is Chinese."""


@dataclass(frozen=True)
class ReportPeriod:
    code: str
    start: date
    end: date
    label: str

    def as_of(self, today: date) -> date:
        """The day the report's figures are taken on."""
        return min(self.end, today)

    @property
    def slug(self) -> str:
        return self.code.replace("-", "")


def report_period(text: str) -> ReportPeriod:
    value = text.strip()
    if m := _YEAR.match(value):
        year = _year(m.group(1))
        return ReportPeriod(str(year), date(year, 1, 1), date(year, 12, 31), f"{year}年")
    if m := _QUARTER.match(value):
        year, quarter = _year(m.group(1)), int(m.group(2))
        first = 3 * quarter - 2
        last = first + 2
        return ReportPeriod(
            f"{year}-Q{quarter}",
            date(year, first, 1),
            date(year, last, calendar.monthrange(year, last)[1]),
            f"{year}年第{'一二三四'[quarter - 1]}季度",
        )
    if m := _MONTH.match(value):
        year, month = _year(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise ReportPeriodError(f"月份「{m.group(2)}」无效：应为 01–12")
        return ReportPeriod(
            f"{year}-{month:02d}",
            date(year, month, 1),
            date(year, month, calendar.monthrange(year, month)[1]),
            f"{year}年{month}月",
        )
    raise ReportPeriodError(
        f"报告期「{text[:20]}」无效：应为 YYYY、YYYY-Qn 或 YYYY-MM（如 2026、2026-Q3、2026-09）"
    )


def previous_month(day: date) -> ReportPeriod:
    """The month before `day`'s month (the scheduled monthly report, F10)."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return report_period(f"{year}-{month:02d}")


def _year(text: str) -> int:
    year = int(text)
    if not PROGRAMME_DATE_MIN.year <= year <= PROGRAMME_DATE_MAX.year:
        raise ReportPeriodError(
            f"年份 {year} 超出范围（{PROGRAMME_DATE_MIN.year}–{PROGRAMME_DATE_MAX.year}）"
        )
    return year
