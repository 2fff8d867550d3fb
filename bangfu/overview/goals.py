"""The two headline goals of §一 as the dashboard shows them, with the coverage trend by month.

- 目标县覆盖: target counties with an agreement in force with an out-of-province 三甲 helper,
  against the policy's total (70) for its target year (2027) — `coverage_on`, the one rule.
- 能力达标: the share of assisted county hospitals meeting the national recommended standard,
  against 90%, by year (`standard_trend_for_user`, the capability app's rule).
- The month's activities (F8) and the agreements behind on a measure this year
  (`progress_counts_for_user`: the activities app's stored measure-years judged on the day in
  SQL, ADR 0020 — the same rows and rule as `progress_rows_for_user`).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from bangfu.accounts.models import User
from bangfu.activities.selectors import (
    ActivityFilters,
    activity_list_for_user,
    progress_counts_for_user,
)
from bangfu.capability.selectors import SharePoint, standard_trend_for_user
from bangfu.coordination.selectors import task_list_for_user
from bangfu.partnerships.selectors import covered_target_counts_on_days
from bangfu.policy.loader import load_policy


@dataclass(frozen=True)
class TrendPoint:
    month: str  # YYYY-MM
    day: date
    covered: int


@dataclass(frozen=True)
class HeadlineGoals:
    goal_year: int
    goal_total: int
    standard_share_goal: str
    month: str
    activities_month: int
    activities_unconfirmed: int
    agreements_tracked: int
    agreements_behind: int
    tasks_overdue: int
    standard_trend: tuple[SharePoint, ...] = ()

    @property
    def standard_latest(self) -> SharePoint | None:
        """The last completed year with assisted hospitals."""
        return next((p for p in reversed(self.standard_trend) if p.assisted), None)


def month_ends(day: date, months: int) -> list[date]:
    """The last day of each of the `months` months up to `day`'s month, oldest first; the
    current month ends on `day` itself (figures are never taken from the future)."""
    ends = []
    year, month = day.year, day.month
    for _ in range(months):
        last = date(year, month, calendar.monthrange(year, month)[1])
        ends.append(min(last, day))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(ends))


def coverage_trend_for_user(*, user: User, day: date, months: int = 12) -> list[TrendPoint]:
    """Covered target counties at the end of each month (the same rule as the coverage page,
    `coverage_on(...).covered` for each day, counted in SQL by `covered_target_counts_on_days`)."""
    ends = month_ends(day, months)
    covered = covered_target_counts_on_days(days=ends, user=user)
    return [TrendPoint(month=f"{d.year}-{d.month:02d}", day=d, covered=covered[d]) for d in ends]


def headline_goals_for_user(*, user: User, day: date) -> HeadlineGoals:
    cycle = load_policy().cycle
    month = f"{day.year}-{day.month:02d}"
    activities = activity_list_for_user(user=user, filters=ActivityFilters(month=month))
    counts = activities.aggregate(
        month=Count("pk"), unconfirmed=Count("pk", filter=Q(confirmed_at__isnull=True))
    )
    progress = progress_counts_for_user(user=user, year=day.year, today=day)
    return HeadlineGoals(
        goal_year=cycle.target_year,
        goal_total=cycle.target_county_total,
        standard_share_goal=f"{int(cycle.standard_goal_share * 100)}%",
        month=month,
        activities_month=counts["month"],
        activities_unconfirmed=counts["unconfirmed"],
        agreements_tracked=progress.tracked,
        agreements_behind=progress.behind,
        tasks_overdue=task_list_for_user(user=user, status="overdue", today=day).count(),
        standard_trend=tuple(standard_trend_for_user(user=user, today=day)),
    )
