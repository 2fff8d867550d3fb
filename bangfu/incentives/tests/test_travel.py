from datetime import date
from decimal import Decimal

import pytest

from bangfu.incentives.domain.benefits import TravelClaim, travel_reimbursement
from bangfu.incentives.tests.guizhou_rates import RATES
from bangfu.people.domain.experts import Deployment, DeploymentKind
from bangfu.policy.domain.periods import Period

PERIOD = Period(date(2025, 1, 1), date(2025, 6, 30))
ON_SITE = Deployment(DeploymentKind.SHORT_TERM, date(2025, 2, 10), date(2025, 12, 31))


def claim(day: date, amount: str = "800") -> TravelClaim:
    return TravelClaim(day, Decimal(amount))


def test_earliest_claim_of_a_month_is_reimbursed_at_its_actual_amount():
    claims = [claim(date(2025, 3, 20), "700"), claim(date(2025, 3, 5), "850.50")]
    decision = travel_reimbursement(ON_SITE, PERIOD, claims, RATES)
    assert [(line.amount, line.clause) for line in decision.lines] == [
        (Decimal("850.50"), "§六；A2-四(三)4")
    ]
    assert [(r.index, r.claim.date) for r in decision.rejected] == [(0, date(2025, 3, 20))]
    assert "每月限报1次" in decision.rejected[0].reason


def test_same_day_claims_are_decided_by_input_order():
    claims = [claim(date(2025, 3, 5), "900"), claim(date(2025, 3, 5), "600")]
    decision = travel_reimbursement(ON_SITE, PERIOD, claims, RATES)
    assert [line.amount for line in decision.lines] == [Decimal("900.00")]
    assert [r.index for r in decision.rejected] == [1]


def test_one_claim_in_each_of_several_months_are_all_reimbursed():
    claims = [claim(date(2025, 4, 30)), claim(date(2025, 3, 1)), claim(date(2025, 5, 31))]
    decision = travel_reimbursement(ON_SITE, PERIOD, claims, RATES)
    assert len(decision.lines) == 3
    assert decision.rejected == ()
    # Lines come in date order.
    assert ["2025-03-01" in line.reason for line in decision.lines] == [True, False, False]


@pytest.mark.parametrize(
    ("day", "reason_fragment"),
    [
        # Outside the period (period ends 30 June) although inside the deployment.
        (date(2025, 7, 1), "不在本期"),
        # Inside the period but before the deployment starts (10 February).
        (date(2025, 2, 9), "不在派驻期"),
    ],
)
def test_claims_outside_the_period_or_the_deployment_are_rejected(day, reason_fragment):
    decision = travel_reimbursement(ON_SITE, PERIOD, [claim(day)], RATES)
    assert decision.lines == ()
    assert len(decision.rejected) == 1
    assert reason_fragment in decision.rejected[0].reason
    assert "§六；A2-四(三)4" in decision.rejected[0].reason


def test_a_rejected_out_of_deployment_claim_does_not_use_up_the_month():
    # 9 Feb is before the deployment; 20 Feb is the first valid claim of February.
    claims = [claim(date(2025, 2, 9), "500"), claim(date(2025, 2, 20), "650")]
    decision = travel_reimbursement(ON_SITE, PERIOD, claims, RATES)
    assert [line.amount for line in decision.lines] == [Decimal("650.00")]
    assert [r.index for r in decision.rejected] == [0]


def test_every_claim_under_a_remote_deployment_is_rejected():
    remote = Deployment(DeploymentKind.REMOTE, date(2025, 1, 1), date(2025, 12, 31))
    decision = travel_reimbursement(remote, PERIOD, [claim(date(2025, 3, 1))], RATES)
    assert decision.lines == ()
    assert "远程" in decision.rejected[0].reason


def test_rejected_claims_are_listed_in_input_order():
    claims = [
        claim(date(2025, 3, 20)),
        claim(date(2025, 8, 1)),
        claim(date(2025, 3, 2)),
        claim(date(2025, 3, 10)),
    ]
    decision = travel_reimbursement(ON_SITE, PERIOD, claims, RATES)
    assert [r.index for r in decision.rejected] == [0, 1, 3]


def test_negative_claim_amount_is_refused():
    with pytest.raises(ValueError, match="负数"):
        claim(date(2025, 3, 1), "-1")
