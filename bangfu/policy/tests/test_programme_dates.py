"""The plausible window for programme dates (bangfu.policy.domain.dates)."""

from __future__ import annotations

from datetime import date

import pytest

from bangfu.policy.domain.dates import (
    PROGRAMME_DATE_MAX,
    PROGRAMME_DATE_MIN,
    programme_date_in_range,
    programme_date_issues,
    programme_date_problem,
)


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        (date(1999, 12, 31), False),
        (date(2000, 1, 1), True),
        (date(2025, 6, 1), True),
        (date(2100, 12, 31), True),
        (date(2101, 1, 1), False),
        (date(9999, 12, 31), False),
        (date(1, 1, 1), False),
    ],
)
def test_programme_date_window_is_2000_to_2100_inclusive(value: date, accepted: bool) -> None:
    assert programme_date_in_range(value) is accepted
    problem = programme_date_problem(value, "开始日期")
    if accepted:
        assert problem is None
    else:
        assert problem is not None
        assert problem.startswith("开始日期：")
        assert "2000-01-01 至 2100-12-31" in problem


def test_missing_date_is_not_a_range_problem() -> None:
    assert programme_date_problem(None, "结束日期") is None


def test_message_without_label_has_no_prefix() -> None:
    problem = programme_date_problem(date(9999, 1, 1))
    assert problem is not None
    assert problem.startswith("日期须在")


def test_a_full_cycle_added_to_the_last_date_stays_representable() -> None:
    # The window exists so that cycle arithmetic never overflows date.max.
    assert PROGRAMME_DATE_MAX.replace(year=PROGRAMME_DATE_MAX.year + 100) < date.max
    assert PROGRAMME_DATE_MIN.year > 1


def test_issues_name_each_out_of_range_field_in_order() -> None:
    issues = programme_date_issues(
        start=date(9999, 1, 1), end=date(2027, 12, 31), signed_on=date(1900, 1, 1), other=None
    )
    assert [name for name, _ in issues] == ["start", "signed_on"]
    assert all("2000-01-01 至 2100-12-31" in message for _, message in issues)
