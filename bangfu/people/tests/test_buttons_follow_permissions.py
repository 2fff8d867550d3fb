"""Every persona is offered an action button exactly when the service would accept the action
(issue #10: the observer was offered 登记交通费 with an empty form). Each row asks the same
permission function the service enforces, or opens the form the button leads to."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bangfu.people import access

pytestmark = pytest.mark.django_db


def test_team_page_buttons_follow_can_manage_team(client, persona, world, team):
    client.force_login(persona)
    response = client.get(reverse("people:team_detail", args=[team.pk]))
    if response.status_code == 404:
        return  # out of scope: no page, no button
    html = response.content.decode()
    allowed = access.can_manage_team(persona, team.partnership)
    form_url = reverse("people:deployment_create", args=[team.pk])
    assert (form_url in html) == allowed, persona.username
    # the button's target agrees: the form opens exactly for those offered it
    assert (client.get(form_url).status_code == 200) == allowed, persona.username
