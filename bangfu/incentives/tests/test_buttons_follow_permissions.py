"""Every persona is offered a ledger button exactly when the service would accept the action
(issue #10: the observer was offered 登记交通费 with an empty form), on the ledger page and on
the expert page's 待遇台账 (incentives' section of the people page). Each row asks the same
permission function the service enforces."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bangfu.incentives.ledger_selectors import LedgerKind
from bangfu.incentives.permissions import (
    deployments_claimable_by_user,
    experts_payable_by_user,
    recipients_fundable_by_user,
)

pytestmark = pytest.mark.django_db

LEDGER_CREATE = {
    LedgerKind.TRAVEL: "incentives:travel_claim_create",
    LedgerKind.INSURANCE: "incentives:insurance_create",
    LedgerKind.HEALTH: "incentives:health_check_create",
    LedgerKind.TOURISM: "incentives:tourism_card_create",
    LedgerKind.WORK_FUND: "incentives:work_fund_set",
}


def _may_create(user, kind: str) -> bool:
    if kind == LedgerKind.TRAVEL:
        return deployments_claimable_by_user(user=user).exists()
    if kind == LedgerKind.WORK_FUND:
        return recipients_fundable_by_user(user=user).exists()
    return experts_payable_by_user(user=user).exists()


@pytest.mark.parametrize("kind", list(LEDGER_CREATE))
def test_ledger_create_buttons_follow_the_scoped_choices(client, persona, world, kind):
    client.force_login(persona)
    html = client.get(reverse("incentives:ledger"), {"kind": kind}).content.decode()
    shown = f'href="{reverse(LEDGER_CREATE[kind])}"' in html
    assert shown == _may_create(persona, kind), (persona.username, kind)
    if persona.username == "demo_observer":
        assert not shown  # reads everything, writes nothing


def test_expert_page_travel_link_follows_who_records_travel(client, persona, world):
    client.force_login(persona)
    expert = world["甲"]
    response = client.get(reverse("people:expert_detail", args=[expert.pk]))
    if response.status_code == 404:
        return
    html = response.content.decode()
    shown = f"{reverse('incentives:travel_claim_create')}?expert={expert.pk}" in html
    may = deployments_claimable_by_user(user=persona, expert_id=expert.pk).exists()
    assert shown == may, persona.username
