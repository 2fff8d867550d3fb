"""The statement page's 核定 button is shown exactly when `statement_approve` accepts the
approval (issue #10): one decision, `statement_selectors.statement_approval` (who pays:
`permissions.statement_approval_recipient`; whether now: `domain.payments.approval_refusal`),
for the page, the API and the service. For every role and three periods — ended, not ended yet,
approved already — the button is present iff POSTing it makes a payment; otherwise nothing is
written and the hospital that pays reads why."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from bangfu.incentives.domain.payments import approval_refusal
from bangfu.incentives.models import Payment
from bangfu.incentives.payment_services import statement_approve
from bangfu.incentives.statement_selectors import statement_approval
from bangfu.people.selectors import expert_get_for_user
from bangfu.people.tests.fixtures import today
from bangfu.policy.domain.periods import Period

pytestmark = pytest.mark.django_db


def _periods() -> dict[str, Period]:
    last = today().year - 1
    return {
        "ended": Period(date(last, 1, 1), date(last, 6, 30)),
        "not_ended": Period(date(today().year, 1, 1), date(today().year, 12, 31)),
        "approved": Period(date(last, 7, 1), date(last, 12, 31)),
    }


@pytest.fixture
def approved_second_half(recipient_user, expert, resident):
    period = _periods()["approved"]
    return statement_approve(
        actor=recipient_user,
        expert=expert_get_for_user(user=recipient_user, pk=expert.pk),
        period=period,
    )


@pytest.mark.parametrize("which", ["ended", "not_ended", "approved"])
def test_approve_button_equals_what_the_service_accepts(
    client, persona, world, approved_second_half, which
):
    expert = world["甲"]
    period = _periods()[which]
    client.force_login(persona)
    query = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    response = client.get(reverse("incentives:statement", args=[expert.pk]), query)
    if response.status_code == 404:
        shown = False
    else:
        assert response.status_code == 200
        html = response.content.decode()
        shown = 'data-testid="approve-form"' in html
        expected = statement_approval(persona, expert, period)
        assert shown == expected.accepted, (persona.username, which)
        if expected.recipient_id is not None and not expected.accepted:
            assert expected.refusal is not None
            assert expected.refusal.message in html  # the paying hospital reads why
    # only the paying hospital, and only for the ended period not yet approved
    assert shown == (persona.username == "demo_recipient" and which == "ended")
    before = Payment.objects.count()
    posted = client.post(reverse("incentives:statement_approve", args=[expert.pk]), query)
    if shown:
        assert posted.status_code == 302
        assert Payment.objects.count() == before + 1
    else:
        assert posted.status_code in (302, 403, 404), persona.username  # 302: back with why
        assert Payment.objects.count() == before


def test_api_refusals_come_from_the_same_decision(
    api_client, recipient_user, expert, approved_second_half
):
    api_client.login(recipient_user)
    for which, status in [("not_ended", 422), ("approved", 409)]:
        period = _periods()[which]
        before = Payment.objects.count()
        response = api_client.post(
            f"/api/v1/statements/{expert.pk}/approve",
            {"start": period.start.isoformat(), "end": period.end.isoformat()},
        )
        assert response.status_code == status, (which, response.content)
        refusal = statement_approval(recipient_user, expert, period).refusal
        assert refusal is not None and refusal.message in response.json()["detail"]
        assert Payment.objects.count() == before


@pytest.mark.parametrize(
    ("end", "overlaps", "has_lines", "field", "duplicate"),
    [
        (date(2026, 6, 30), False, True, None, False),
        (date(2026, 7, 1), False, True, "end", False),
        (date(2026, 7, 2), False, True, "end", False),
        (date(2026, 6, 30), True, True, "period", True),
        (date(2026, 6, 30), False, False, "period", False),
    ],
)
def test_approval_refusal_rule(end, overlaps, has_lines, field, duplicate):
    refusal = approval_refusal(
        period_start=date(2026, 1, 1),
        period_end=end,
        today=date(2026, 7, 1),
        overlaps_approved=overlaps,
        has_lines=has_lines,
    )
    assert (refusal.field if refusal else None) == field
    assert (refusal.duplicate if refusal else False) == duplicate
