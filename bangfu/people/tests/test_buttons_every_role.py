"""Every role is offered an action on the expert page exactly when the service accepts it
(issue #10: "every button is shown from the same permission function the service enforces").

For each persona and each action — 认定表现突出, 撤销 a recognition, 登记挂任职 — the button is
present iff the function the service asks says yes; a persona offered the button succeeds with
the form's usual values, and one not offered it is refused (403, or 404 where it cannot read the
expert) with nothing written. The team page's and deployment list's 修改 links are tied to
`can_manage_team` in `test_deployment_update.py`, the statement page's 核定 in
`incentives/tests/test_statement_buttons.py`."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from bangfu.core.models import AuditEntry
from bangfu.people import access
from bangfu.people.domain.privacy import SENSITIVE_VIEW_ACTION
from bangfu.people.models import Appointment, Recognition
from bangfu.people.selectors import expert_detail_for_user, recognitions_withdrawable
from bangfu.people.services import RecognitionInput, recognition_create
from bangfu.people.tests.fixtures import today

pytestmark = pytest.mark.django_db


def _page(client, persona, expert):
    client.force_login(persona)
    response = client.get(reverse("people:expert_detail", args=[expert.pk]))
    assert response.status_code in (200, 404)
    return response


def _writes() -> tuple[int, int, int]:
    return (
        Recognition.objects.count(),
        Appointment.objects.count(),
        AuditEntry.objects.exclude(action=SENSITIVE_VIEW_ACTION).count(),
    )


def test_recognise_button_follows_can_pay_for_expert(client, persona, world):
    expert = world["甲"]
    response = _page(client, persona, expert)
    url = reverse("people:recognition_create", args=[expert.pk])
    shown = response.status_code == 200 and f'action="{url}"' in response.content.decode()
    assert shown == access.can_pay_for_expert(persona, expert), persona.username
    before = _writes()
    posted = client.post(url, {"start": today().replace(day=1).isoformat(), "reason": "考核优秀"})
    if shown:
        assert posted.status_code == 302, persona.username
        assert Recognition.objects.filter(expert=expert, reason="考核优秀").exists()
    else:
        assert posted.status_code in (403, 404), persona.username
        assert _writes() == before


@pytest.fixture
def recognitions(province_officer, expert):
    """One recognition in force from this month, one that ended last year (made directly: the
    service no longer accepts a start before this month)."""
    current = recognition_create(
        actor=province_officer,
        data=RecognitionInput(expert_id=expert.pk, start=today().replace(day=1), reason="考核优秀"),
    )
    ended = Recognition.objects.create(
        expert=expert,
        start=date(today().year - 1, 1, 1),
        end=date(today().year - 1, 6, 30),
        reason="上年度考核优秀",
        decided_by=province_officer,
    )
    return {"current": current, "ended": ended}


@pytest.mark.parametrize("which", ["current", "ended"])
def test_withdraw_button_follows_what_recognition_withdraw_accepts(
    client, persona, world, recognitions, which
):
    expert, recognition = world["甲"], recognitions[which]
    response = _page(client, persona, expert)
    url = reverse("people:recognition_withdraw", args=[expert.pk, recognition.pk])
    shown = response.status_code == 200 and f'action="{url}"' in response.content.decode()
    may = recognition.pk in recognitions_withdrawable(
        user=persona, expert=expert, recognitions=[recognition]
    )
    assert shown == may, (persona.username, which)
    assert may == (which == "current" and access.can_pay_for_expert(persona, expert))
    before = _writes()
    posted = client.post(url, {"on": today().isoformat(), "reason": "考核结果更正"})
    recognition.refresh_from_db()
    if shown:
        assert posted.status_code == 302, persona.username
        assert recognition.withdrawn_from == today()
    else:
        assert posted.status_code in (400, 403, 404), (persona.username, which)
        assert recognition.withdrawn_from is None and _writes() == before


def test_appointment_link_follows_can_pay_and_eligibility(client, persona, world):
    expert = world["甲"]
    response = _page(client, persona, expert)
    html = response.content.decode() if response.status_code == 200 else ""
    deployment = expert.deployments.get()
    url = reverse("people:appointment_create", args=[deployment.pk])
    shown = url in html
    if response.status_code == 200:
        detail = expert_detail_for_user(user=persona, pk=expert.pk)
        assert shown == (deployment.pk in detail.appointable), persona.username
    assert shown == access.can_pay(persona, deployment.team.partnership), persona.username
    before = _writes()
    posted = client.post(url, {"post": "vice_president", "start": today().isoformat()})
    if shown:
        assert posted.status_code == 302, persona.username
        assert Appointment.objects.filter(deployment=deployment).exists()
    else:
        assert posted.status_code in (403, 404), persona.username
        assert _writes() == before


def test_an_ineligible_stay_is_offered_no_appointment(client, province_officer, idle_expert, team):
    """A short stay can hold no post (§六; A1-(1)): no 登记挂任职 even for the province."""
    from bangfu.people.tests.fixtures import deploy

    short = deploy(
        province_officer, team, idle_expert, kind="short_term", start=today() - timedelta(days=5)
    )
    client.force_login(province_officer)
    html = client.get(reverse("people:expert_detail", args=[idle_expert.pk])).content.decode()
    assert reverse("people:appointment_create", args=[short.pk]) not in html
