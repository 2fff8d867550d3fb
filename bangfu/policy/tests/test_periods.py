from datetime import date

import pytest

from bangfu.policy.domain.periods import (
    CalendarMonth,
    Period,
    anniversary,
    covers_years,
    days_in_year,
    last_day_of_years,
    months_touching,
    overlap_days,
)


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        (date(2025, 3, 1), 1, date(2026, 3, 1)),
        (date(2025, 3, 1), 2, date(2027, 3, 1)),
        # 29 Feb start: in a non-leap year the anniversary is 28 Feb (product decision).
        (date(2024, 2, 29), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), 2, date(2026, 2, 28)),
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2023, 2, 28), 1, date(2024, 2, 28)),
    ],
)
def test_anniversary_keeps_month_and_day_and_moves_29_february_to_28(start, years, expected):
    assert anniversary(start, years) == expected


@pytest.mark.parametrize(
    ("start", "planned_end", "years", "covered"),
    [
        # The day before the first anniversary (2026-03-01) is 2026-02-28.
        (date(2025, 3, 1), date(2026, 2, 28), 1, True),
        (date(2025, 3, 1), date(2026, 2, 27), 1, False),
        (date(2025, 3, 1), date(2026, 3, 1), 1, True),
        # Two years: the day before 2027-03-01.
        (date(2025, 3, 1), date(2027, 2, 28), 2, True),
        (date(2025, 3, 1), date(2027, 2, 27), 2, False),
        # Leap-year span: 2023-03-01..2024-02-29 is 366 days and covers a year.
        (date(2023, 3, 1), date(2024, 2, 29), 1, True),
        (date(2023, 3, 1), date(2024, 2, 28), 1, False),
        # 29 Feb start: anniversary 2025-02-28, so 2025-02-27 covers one year.
        (date(2024, 2, 29), date(2025, 2, 27), 1, True),
        (date(2024, 2, 29), date(2025, 2, 26), 1, False),
        (date(2024, 2, 29), date(2026, 2, 27), 2, True),
        (date(2024, 2, 29), date(2026, 2, 26), 2, False),
        # 1 January start: the day before 2026-01-01 is 2025-12-31.
        (date(2025, 1, 1), date(2025, 12, 31), 1, True),
        (date(2025, 1, 1), date(2025, 12, 30), 1, False),
    ],
)
def test_covers_years_means_ending_on_or_after_the_day_before_the_anniversary(
    start, planned_end, years, covered
):
    assert covers_years(start, planned_end, years) is covered


def test_last_day_of_years_is_the_day_before_the_anniversary():
    assert last_day_of_years(date(2025, 3, 1), 1) == date(2026, 2, 28)
    assert last_day_of_years(date(2024, 2, 29), 1) == date(2025, 2, 27)


@pytest.mark.parametrize(("year", "days"), [(2023, 365), (2024, 366), (2100, 365), (2000, 366)])
def test_days_in_year_counts_leap_years_as_366(year, days):
    assert days_in_year(year) == days


@pytest.mark.parametrize(
    ("a", "b", "days"),
    [
        # Inclusive of both ends: 1..31 March is 31 days.
        (
            Period(date(2025, 3, 1), date(2025, 3, 31)),
            Period(date(2025, 1, 1), date(2025, 12, 31)),
            31,
        ),
        (
            Period(date(2025, 3, 1), date(2025, 3, 31)),
            Period(date(2025, 3, 31), date(2025, 4, 30)),
            1,
        ),
        (
            Period(date(2025, 3, 1), date(2025, 3, 31)),
            Period(date(2025, 4, 1), date(2025, 4, 30)),
            0,
        ),
        (
            Period(date(2024, 2, 1), date(2024, 2, 29)),
            Period(date(2024, 1, 1), date(2024, 12, 31)),
            29,
        ),
    ],
)
def test_overlap_days_counts_days_in_both_periods_inclusive(a, b, days):
    assert overlap_days(a, b) == days
    assert overlap_days(b, a) == days


def test_period_refuses_an_end_before_its_start():
    with pytest.raises(ValueError, match="早于"):
        Period(date(2025, 3, 2), date(2025, 3, 1))


def test_months_touching_lists_every_calendar_month_across_a_year_end():
    months = list(months_touching(Period(date(2024, 11, 30), date(2025, 2, 1))))
    assert months == [
        CalendarMonth(2024, 11),
        CalendarMonth(2024, 12),
        CalendarMonth(2025, 1),
        CalendarMonth(2025, 2),
    ]
