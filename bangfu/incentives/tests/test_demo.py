"""`incentives_demo_load`: the demo teams' ledger rows after `people_demo_load` — realistic, not
flawless — and nothing twice."""

from __future__ import annotations

import pytest

from bangfu.incentives.demo import incentives_demo_load
from bangfu.incentives.models import (
    HealthCheck,
    InsurancePolicy,
    TourismCard,
    TravelClaim,
    WorkFund,
)
from bangfu.people.demo import MAIN_HELPER, MAIN_RECIPIENT, people_demo_load
from bangfu.people.models import Team

pytestmark = pytest.mark.django_db


def test_demo_ledger_is_loaded_once_with_the_main_team_insured_and_one_check_to_do():
    people_demo_load()
    incentives_demo_load()
    policies = InsurancePolicy.objects.count()
    assert incentives_demo_load() == 0
    assert InsurancePolicy.objects.count() == policies

    main = Team.objects.get(
        is_demo=True,
        partnership__helper__name=MAIN_HELPER,
        partnership__recipient__name=MAIN_RECIPIENT,
    )
    members = list(main.deployments.select_related("expert").order_by("pk"))
    experts = [d.expert for d in members]
    assert all(InsurancePolicy.objects.filter(expert=e).exists() for e in experts)
    checked = [HealthCheck.objects.filter(expert=e).exists() for e in experts]
    assert checked == [True, True, True, False]  # the remote member's check is still to do
    assert TourismCard.objects.filter(expert=main.captain).exists()
    assert WorkFund.objects.filter(recipient=main.partnership.recipient).exists()
    assert set(
        TravelClaim.objects.filter(deployment__team=main).values_list("deployment", flat=True)
    ) <= {members[0].pk}


def test_some_small_demo_team_misses_one_insurance_and_the_others_are_insured():
    people_demo_load()
    incentives_demo_load()
    small = Team.objects.filter(is_demo=True).exclude(partnership__recipient__name=MAIN_RECIPIENT)
    for team in small:
        members = list(team.deployments.order_by("pk"))
        insured = [InsurancePolicy.objects.filter(expert=d.expert_id).exists() for d in members]
        expected = (
            [i != 2 for i in range(len(members))]
            if team.partnership_id % 8 == 3
            else [True] * len(members)
        )
        assert insured == expected, team
