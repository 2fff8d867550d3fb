"""`people_demo_load`: a team on each demo partnership in force, the full picture on
番禺 → 威宁, demo_expert linked to the captain; nothing without partnerships; idempotent."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from bangfu.people.demo import people_demo_load
from bangfu.people.models import Expert, Team

pytestmark = pytest.mark.django_db


def test_demo_creates_nothing_when_no_partnership_is_in_force():
    already = Expert.objects.filter(is_demo=True).count()
    assert people_demo_load(today=date(2000, 1, 1)) == 0
    assert Expert.objects.filter(is_demo=True).count() == already


def test_demo_builds_teams_links_demo_expert_and_is_idempotent(client, expert_user, recipient_user):
    loaded_before = Expert.objects.filter(is_demo=True).exists()
    created = people_demo_load()
    assert created == 0 if loaded_before else created > 0
    assert people_demo_load() == 0
    captain = Expert.objects.get(name="陈志远", is_demo=True)
    assert captain.user == expert_user
    team = Team.objects.get(captain=captain)
    assert team.partnership.recipient == recipient_user.institution
    assert team.deployments.count() == 4
    assert all(t.deployments.count() >= 3 for t in Team.objects.filter(is_demo=True))

    client.force_login(expert_user)
    statement = client.get(reverse("incentives:statement", args=[captain.pk])).context["statement"]
    assert statement.sensitive_visible and statement.rows
    client.force_login(recipient_user)
    html = client.get(reverse("people:team_detail", args=[team.pk])).content.decode()
    assert "陈志远" in html and "队长" in html
