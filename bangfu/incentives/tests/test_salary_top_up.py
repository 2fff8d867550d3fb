from datetime import date
from decimal import Decimal

import pytest

from bangfu.incentives.domain.benefits import BenefitItem, salary_top_up
from bangfu.incentives.tests.guizhou_rates import RATES
from bangfu.people.domain.experts import Degree, Deployment, DeploymentKind, Expert, Title
from bangfu.policy.domain.periods import Period

R = DeploymentKind.RESIDENT


def expert(pay: str) -> Expert:
    return Expert(Title.INTERMEDIATE, Degree.BACHELOR, Decimal(pay), False, False)


@pytest.mark.parametrize(
    ("pay", "deployment", "period", "home_pay", "expected"),
    [
        # d = 1 Mar..31 Dec 2025 = 306, Y = 365, home pay defaults to P·d/Y:
        # 1.5×120000×306/365 − 120000×306/365 = 0.5×120000×306/365 = 18360000/365
        # = 50301.369… → 50301.37
        (
            "120000",
            Deployment(R, date(2025, 3, 1), date(2026, 2, 28)),
            Period(date(2025, 1, 1), date(2025, 12, 31)),
            None,
            "50301.37",
        ),
        # d = 1 Mar..30 Jun = 122: 0.5×120000×122/365 = 7320000/365 = 20054.794… → 20054.79
        (
            "120000",
            Deployment(R, date(2025, 3, 1), date(2027, 2, 27)),
            Period(date(2025, 1, 1), date(2025, 6, 30)),
            None,
            "20054.79",
        ),
        # Leap year: d = Jan..Jun 2024 = 31+29+31+30+31+30 = 182, Y = 366:
        # 0.5×100000×182/366 = 9100000/366 = 24863.387… → 24863.39
        (
            "100000",
            Deployment(R, date(2024, 1, 1), date(2024, 12, 31)),
            Period(date(2024, 1, 1), date(2024, 6, 30)),
            None,
            "24863.39",
        ),
        # Home pay given: d = 30 (April), 1.5×120000×30/365 = 5400000/365 = 14794.520…;
        # − 9000 = 5794.520… → 5794.52
        (
            "120000",
            Deployment(R, date(2025, 3, 1), date(2026, 3, 31)),
            Period(date(2025, 4, 1), date(2025, 4, 30)),
            "9000",
            "5794.52",
        ),
        # Home pay above 1.5×: max(0, 14794.52 − 20000) = 0, the line still applies at 0.00.
        (
            "120000",
            Deployment(R, date(2025, 3, 1), date(2026, 3, 31)),
            Period(date(2025, 4, 1), date(2025, 4, 30)),
            "20000",
            "0.00",
        ),
        # Half up, once at the end: d = 1 Mar..12 May = 31+30+12 = 73 = 365/5;
        # 1.5×120000×73/365 = 36000 exactly; 36000 − 25999.995 = 10000.005 → 10000.01
        # (half-even would give 10000.00; rounding home pay first would give 10000.00).
        (
            "120000",
            Deployment(R, date(2025, 3, 1), date(2026, 3, 1)),
            Period(date(2025, 3, 1), date(2025, 5, 12)),
            "25999.995",
            "10000.01",
        ),
        # Default home pay, exact half cent: 0.5×100.05×73/365 = 100.05/10 = 10.005 → 10.01
        (
            "100.05",
            Deployment(R, date(2025, 3, 1), date(2026, 3, 1)),
            Period(date(2025, 3, 1), date(2025, 5, 12)),
            None,
            "10.01",
        ),
        # 29 Feb start covering one year (anniversary 2025-02-28, end 2025-02-27):
        # d = 31 (March 2024), Y = 366: 0.5×73200×31/366 = 36600×31/366 = 3100.00
        (
            "73200",
            Deployment(R, date(2024, 2, 29), date(2025, 2, 27)),
            Period(date(2024, 3, 1), date(2024, 3, 31)),
            None,
            "3100.00",
        ),
        # Deployment ends inside the period: d = 1 Jan..28 Feb 2026 = 59:
        # 0.5×146000×59/365 = 73000×59/365 = 200×59 = 11800.00
        (
            "146000",
            Deployment(R, date(2025, 3, 1), date(2026, 2, 28)),
            Period(date(2026, 1, 1), date(2026, 12, 31)),
            None,
            "11800.00",
        ),
    ],
)
def test_top_up_is_half_pay_pro_rata_or_one_and_a_half_pay_less_home_pay(
    pay, deployment, period, home_pay, expected
):
    line = salary_top_up(
        expert(pay), deployment, period, RATES, None if home_pay is None else Decimal(home_pay)
    )
    assert line is not None
    assert line.item is BenefitItem.SALARY_TOP_UP
    assert line.amount == Decimal(expected)
    assert str(line.amount) == expected
    assert line.clause == "§六；A2-四(三)2"
    assert "§六；A2-四(三)2" in line.reason


MAR_DEC_2025 = Period(date(2025, 3, 1), date(2025, 12, 31))


@pytest.mark.parametrize(
    ("deployment", "period"),
    [
        # Resident, but the plan ends two days before the anniversary (2026-03-01).
        (Deployment(R, date(2025, 3, 1), date(2026, 2, 27)), MAR_DEC_2025),
        # A year or more, but not resident.
        (Deployment(DeploymentKind.SHORT_TERM, date(2025, 3, 1), date(2026, 3, 1)), MAR_DEC_2025),
        (Deployment(DeploymentKind.FLEXIBLE, date(2025, 3, 1), date(2026, 3, 1)), MAR_DEC_2025),
        (Deployment(DeploymentKind.SILVER_AGE, date(2025, 3, 1), date(2026, 3, 1)), MAR_DEC_2025),
        (Deployment(DeploymentKind.REMOTE, date(2025, 3, 1), date(2026, 3, 1)), MAR_DEC_2025),
        # Resident for a year, but no day of it lies in the period (January 2025).
        (
            Deployment(R, date(2025, 3, 1), date(2026, 3, 1)),
            Period(date(2025, 1, 1), date(2025, 1, 31)),
        ),
    ],
)
def test_no_top_up_without_a_resident_year_on_site_in_the_period(deployment, period):
    assert salary_top_up(expert("120000"), deployment, period, RATES) is None


def test_top_up_refuses_a_period_across_two_calendar_years():
    deployment = Deployment(R, date(2025, 3, 1), date(2027, 3, 1))
    with pytest.raises(ValueError, match="跨越两个自然年"):
        salary_top_up(
            expert("120000"), deployment, Period(date(2025, 12, 1), date(2026, 1, 31)), RATES
        )


def test_zero_top_up_reason_says_home_pay_already_reaches_the_standard():
    line = salary_top_up(
        expert("120000"),
        Deployment(R, date(2025, 3, 1), date(2026, 3, 31)),
        Period(date(2025, 4, 1), date(2025, 4, 30)),
        RATES,
        Decimal("20000"),
    )
    assert line is not None
    assert "无需补足" in line.reason
