"""Days of a stay no signed agreement governs earn nothing, and the statement says why (§七;
附件2 五(一)); the deployment rules themselves are people's (`people.domain.deployments`)."""

from __future__ import annotations

from datetime import date as D
from datetime import timedelta

import pytest

from bangfu.incentives.domain.benefits import ungoverned_days
from bangfu.incentives.statement_selectors import expert_statement_for_user
from bangfu.partnerships.selectors import governing_agreement_of
from bangfu.partnerships.services import agreement_terminate
from bangfu.people.tests.fixtures import today
from bangfu.policy.domain.periods import Period


def test_ungoverned_days_of_a_stay():
    stay = Period(D(2026, 1, 1), D(2026, 12, 31))
    governed = [Period(D(2026, 3, 1), D(2026, 4, 30)), Period(D(2026, 7, 1), D(2026, 9, 30))]
    assert ungoverned_days(stay, governed) == (
        Period(D(2026, 1, 1), D(2026, 2, 28)),
        Period(D(2026, 5, 1), D(2026, 6, 30)),
        Period(D(2026, 10, 1), D(2026, 12, 31)),
    )
    assert ungoverned_days(stay, [Period(D(2025, 1, 1), D(2027, 1, 1))]) == ()


@pytest.mark.django_db
def test_days_after_the_agreement_ended_earn_nothing_and_the_statement_says_why(
    province_officer, expert, resident
):
    on = today() - timedelta(days=30)
    period = Period(D(on.year, 1, 1), D(on.year, 12, 31))
    before = expert_statement_for_user(user=province_officer, expert_id=expert.pk, period=period)
    assert not [r for r in before.rows if r.item == "ungoverned"]
    agreement = governing_agreement_of(resident.team.partnership.agreements.all(), on)
    assert agreement is not None
    agreement_terminate(actor=province_officer, agreement=agreement, on=on, reason="测试：终止")

    after = expert_statement_for_user(user=province_officer, expert_id=expert.pk, period=period)
    assert after.total < before.total
    [row] = [r for r in after.rows if r.item == "ungoverned"]
    assert row.amount == 0
    assert f"{on.isoformat()}至" in row.reason
    assert "不计发任何待遇" in row.reason and "§七" in row.reason
