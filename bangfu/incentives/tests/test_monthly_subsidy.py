from datetime import date
from decimal import Decimal

import pytest

from bangfu.incentives.domain.benefits import (
    BenefitItem,
    monthly_subsidy,
    monthly_subsidy_rate,
    subsidy_months,
)
from bangfu.incentives.tests.guizhou_rates import RATES
from bangfu.people.domain.experts import Degree, Deployment, DeploymentKind, Expert, Title
from bangfu.policy.domain.periods import CalendarMonth, Period

YEAR_2025 = Period(date(2025, 1, 1), date(2025, 12, 31))
YEAR_2024 = Period(date(2024, 1, 1), date(2024, 12, 31))


def expert(title=Title.SENIOR, degree=Degree.NONE, outstanding=True) -> Expert:
    return Expert(title, degree, Decimal(150000), outstanding, False)


@pytest.mark.parametrize(
    ("title", "degree", "rate"),
    [
        (Title.SENIOR, Degree.NONE, "1000"),
        (Title.SENIOR, Degree.MASTER, "1000"),
        (Title.ASSOCIATE_SENIOR, Degree.DOCTORATE, "1000"),
        (Title.INTERMEDIATE, Degree.DOCTORATE, "1000"),
        (Title.JUNIOR, Degree.DOCTORATE, "1000"),
        (Title.ASSOCIATE_SENIOR, Degree.BACHELOR, "600"),
        (Title.ASSOCIATE_SENIOR, Degree.MASTER, "600"),
        (Title.INTERMEDIATE, Degree.MASTER, "600"),
        (Title.JUNIOR, Degree.MASTER, "600"),
        (Title.INTERMEDIATE, Degree.BACHELOR, "0"),
        (Title.JUNIOR, Degree.NONE, "0"),
    ],
)
def test_subsidy_rate_is_1000_for_senior_or_doctorate_600_for_associate_or_master(
    title, degree, rate
):
    assert monthly_subsidy_rate(expert(title, degree), RATES)[0] == Decimal(rate)


@pytest.mark.parametrize(
    ("start", "end", "period", "counts"),
    [
        # February 2025 has 28 days: 14 is half, 13 is not.
        (date(2025, 2, 1), date(2025, 2, 14), YEAR_2025, True),
        (date(2025, 2, 1), date(2025, 2, 13), YEAR_2025, False),
        # February 2024 has 29 days: half is 14.5, so 15 counts and 14 does not.
        (date(2024, 2, 1), date(2024, 2, 15), YEAR_2024, True),
        (date(2024, 2, 15), date(2024, 2, 29), YEAR_2024, True),
        (date(2024, 2, 1), date(2024, 2, 14), YEAR_2024, False),
        # April has 30 days: 15 counts, 14 does not.
        (date(2025, 4, 16), date(2025, 4, 30), YEAR_2025, True),
        (date(2025, 4, 17), date(2025, 4, 30), YEAR_2025, False),
        # March has 31 days: half is 15.5, so 16 counts and 15 does not.
        (date(2025, 3, 16), date(2025, 3, 31), YEAR_2025, True),
        (date(2025, 3, 17), date(2025, 3, 31), YEAR_2025, False),
        # Only days also inside the period count: 17..31 March is 15 of 31.
        (date(2025, 1, 1), date(2025, 12, 31), Period(date(2025, 3, 17), date(2025, 3, 31)), False),
        (date(2025, 1, 1), date(2025, 12, 31), Period(date(2025, 3, 16), date(2025, 3, 31)), True),
    ],
)
def test_month_counts_when_at_least_half_its_days_are_on_site_in_the_period(
    start, end, period, counts
):
    deployment = Deployment(DeploymentKind.SHORT_TERM, start, end)
    assert bool(subsidy_months(deployment, period)) is counts


@pytest.mark.parametrize(
    ("title", "degree", "kind", "start", "end", "expected"),
    [
        # Jan 20..31 = 12/31 no; Feb 28/28 yes; Mar 31/31 yes; Apr 1..10 = 10/30 no:
        # 2 months × 600 = 1200.00
        (Title.ASSOCIATE_SENIOR, Degree.BACHELOR, DeploymentKind.FLEXIBLE,
         date(2025, 1, 20), date(2025, 4, 10), "1200.00"),
        # Resident 1 Mar 2025 onward, whole of 2025: Mar..Dec = 10 months × 1000 = 10000.00
        (Title.SENIOR, Degree.NONE, DeploymentKind.RESIDENT,
         date(2025, 3, 1), date(2026, 2, 28), "10000.00"),
        # Silver-age 16 Mar..15 May: Mar 16/31 yes, Apr yes, May 15/31 no: 2 × 1000 = 2000.00
        (Title.INTERMEDIATE, Degree.DOCTORATE, DeploymentKind.SILVER_AGE,
         date(2025, 3, 16), date(2025, 5, 15), "2000.00"),
    ],
)  # fmt: skip
def test_outstanding_on_site_expert_gets_rate_times_counted_months(
    title, degree, kind, start, end, expected
):
    line = monthly_subsidy(expert(title, degree), Deployment(kind, start, end), YEAR_2025, RATES)
    assert line is not None
    assert line.item is BenefitItem.MONTHLY_SUBSIDY
    assert str(line.amount) == expected
    assert line.clause == "§六；A2-四(三)6"


@pytest.mark.parametrize(
    ("who", "kind"),
    [
        (expert(outstanding=False), DeploymentKind.RESIDENT),
        (expert(), DeploymentKind.REMOTE),
        (expert(Title.INTERMEDIATE, Degree.BACHELOR), DeploymentKind.RESIDENT),
    ],
)
def test_no_subsidy_for_ordinary_performers_remote_work_or_lower_qualifications(who, kind):
    deployment = Deployment(kind, date(2025, 1, 1), date(2025, 12, 31))
    assert monthly_subsidy(who, deployment, YEAR_2025, RATES) is None


def test_no_subsidy_line_when_no_month_reaches_half():
    deployment = Deployment(DeploymentKind.SHORT_TERM, date(2025, 3, 20), date(2025, 4, 10))
    assert monthly_subsidy(expert(), deployment, YEAR_2025, RATES) is None


def test_subsidy_reason_lists_the_counted_months():
    deployment = Deployment(DeploymentKind.SHORT_TERM, date(2025, 2, 1), date(2025, 3, 31))
    line = monthly_subsidy(expert(), deployment, YEAR_2025, RATES)
    assert line is not None
    assert "2025年2月" in line.reason and "2025年3月" in line.reason
    assert subsidy_months(deployment, YEAR_2025) == (CalendarMonth(2025, 2), CalendarMonth(2025, 3))
