"""An expert reads its own team, deployments and partnership, read-only, on pages and the API;
others' stay "not found" (issue #10: the expert got 404 on its own partnership and team)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_expert_opens_its_own_team_and_partnership_pages(client, expert_user, world):
    client.force_login(expert_user)
    own = world["甲"].deployments.get()
    response = client.get(reverse("people:team_detail", args=[own.team_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "测试甲" in html
    # read-only: no team-management button
    assert reverse("people:deployment_create", args=[own.team_id]) not in html
    assert response.context["d"].can_manage is False

    response = client.get(
        reverse("partnerships:partnership_detail", args=[own.team.partnership_id])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "/renew" not in html and "/terminate" not in html and "/sign" not in html


def test_the_expert_still_gets_404_on_other_teams_and_partnerships(client, expert_user, world):
    client.force_login(expert_user)
    other = world["乙"].deployments.get()
    assert client.get(reverse("people:team_detail", args=[other.team_id])).status_code == 404
    url = reverse("partnerships:partnership_detail", args=[other.team.partnership_id])
    assert client.get(url).status_code == 404


def test_the_expert_lists_its_own_team_deployments_and_partnerships(client, expert_user, world):
    client.force_login(expert_user)
    own = world["甲"].deployments.get()
    other = world["乙"].deployments.get()
    teams = {r.team.pk for r in client.get(reverse("people:team_list")).context["rows"]}
    assert own.team_id in teams and other.team_id not in teams
    page = client.get(reverse("people:deployment_list")).context["page"]
    listed = {d.pk for d in page.paginator.object_list}
    assert own.pk in listed and other.pk not in listed
    page = client.get(reverse("partnerships:partnership_list")).context["page"]
    partnerships = {r.partnership.pk for r in page.paginator.object_list}
    assert own.team.partnership_id in partnerships
    assert other.team.partnership_id not in partnerships


def test_the_expert_reads_its_own_team_and_partnership_through_the_api(
    api_client, expert_user, world
):
    api_client.login(expert_user)
    own = world["甲"].deployments.get()
    other = world["乙"].deployments.get()
    teams = {t["id"] for t in api_client.get("/api/v1/teams", page_size=500).json()["items"]}
    assert own.team_id in teams and other.team_id not in teams
    response = api_client.get(f"/api/v1/partnerships/{own.team.partnership_id}")
    assert response.status_code == 200
    response = api_client.get(f"/api/v1/partnerships/{other.team.partnership_id}")
    assert response.status_code == 404
    ids = {d["id"] for d in api_client.get("/api/v1/deployments", page_size=500).json()["items"]}
    assert own.pk in ids and other.pk not in ids
