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


def test_most_demo_teams_are_clean_and_the_list_counts_only_must_fix(client, province_officer):
    from bangfu.people.domain.team import Grade
    from bangfu.people.selectors import team_list_for_user, team_rows

    people_demo_load()
    rows = team_rows(team_list_for_user(user=province_officer).filter(is_demo=True))
    assert len(rows) >= 8
    with_must_fix = [r for r in rows if r.check.must_fix]
    assert len(with_must_fix) <= len(rows) // 4
    main = next(r for r in rows if r.team.captain and r.team.captain.name == "陈志远")
    assert {f.grade for f in main.check.findings} == {Grade.SHOULD_FIX, Grade.NOTE}

    client.force_login(province_officer)
    html = client.get(reverse("people:team_list"), {"q": "威宁"}).content.decode()
    assert "无必须整改" in html and "必须整改 " not in html
    html = client.get(reverse("people:team_detail", args=[main.team.pk])).content.decode()
    assert 'data-grade="should_fix"' in html and 'data-grade="note"' in html
    assert "建议整改" in html and "提示" in html and 'data-grade="must_fix"' not in html
