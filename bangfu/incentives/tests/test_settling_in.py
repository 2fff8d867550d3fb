from datetime import date

import pytest

from bangfu.incentives.domain.benefits import BenefitItem, settling_in_allowance
from bangfu.incentives.tests.guizhou_rates import RATES
from bangfu.people.domain.experts import Deployment, DeploymentKind
from bangfu.policy.domain.periods import Period

R = DeploymentKind.RESIDENT


@pytest.mark.parametrize(
    ("deployment", "period", "paid"),
    [
        # Resident one year, period contains the start: 2000 once.
        (Deployment(R, date(2025, 3, 1), date(2026, 2, 28)), Period(date(2025, 1, 1), date(2025, 3, 31)), True),
        (Deployment(R, date(2025, 3, 1), date(2026, 2, 28)), Period(date(2025, 3, 1), date(2025, 3, 1)), True),
        # A later period of the same deployment: already paid.
        (Deployment(R, date(2025, 3, 1), date(2026, 2, 28)), Period(date(2025, 4, 1), date(2025, 12, 31)), False),
        # Resident but one day short of a year.
        (Deployment(R, date(2025, 3, 1), date(2026, 2, 27)), Period(date(2025, 1, 1), date(2025, 12, 31)), False),
        # Not resident.
        (Deployment(DeploymentKind.SHORT_TERM, date(2025, 3, 1), date(2026, 3, 1)), Period(date(2025, 1, 1), date(2025, 12, 31)), False),
    ],
)  # fmt: skip
def test_settling_in_is_2000_once_in_the_period_of_arrival_for_a_resident_year(
    deployment, period, paid
):
    line = settling_in_allowance(deployment, period, RATES)
    if not paid:
        assert line is None
        return
    assert line is not None
    assert line.item is BenefitItem.SETTLING_IN
    assert str(line.amount) == "2000.00"
    assert line.clause == "§六；A2-四(三)5"
