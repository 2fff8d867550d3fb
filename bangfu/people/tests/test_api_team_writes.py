"""The team page's writes through the API, with the page's services and scopes (issue #10):
create a team, name its captain, add and remove 3X links, end a stay. Each endpoint is taken by
an allowed persona (a party of the partnership) and refused to one that reads but may not
manage (403) or does not read at all (404); refused writes leave no row and no audit entry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bangfu.core.models import AuditEntry
from bangfu.people.models import CoverageLink, Team
from bangfu.people.tests.fixtures import today

pytestmark = pytest.mark.django_db


def _delete(client, user, path):
    from bangfu.accounts.services import token_create

    return client.delete(path, headers={"Authorization": f"Bearer {token_create(user=user)}"})


def test_a_party_creates_a_team_and_an_observer_may_not(
    api_client, recipient_user, observer_user, pair
):
    batch = (Team.objects.filter(partnership=pair).order_by("-batch").first().batch or 0) + 1
    body = {"partnership_id": pair.pk, "batch": batch, "note": "接口组队"}
    api_client.login(observer_user)
    response = api_client.post("/api/v1/teams", body)
    assert response.status_code == 403
    assert not Team.objects.filter(partnership=pair, batch=batch).exists()

    api_client.login(recipient_user)
    response = api_client.post("/api/v1/teams", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["batch"] == batch and created["members"] == []
    assert AuditEntry.objects.filter(
        object_type="people.team", object_id=str(created["id"]), action="create"
    ).exists()
    again = api_client.post("/api/v1/teams", body)
    assert again.status_code == 422 and "batch" in again.content.decode()
    assert api_client.get(f"/api/v1/teams/{created['id']}").json()["id"] == created["id"]


def test_batch_bounds_come_from_the_column(api_client, recipient_user, pair):
    api_client.login(recipient_user)
    for batch in (0, 40000):
        body = {"partnership_id": pair.pk, "batch": batch}
        assert api_client.post("/api/v1/teams", body).status_code == 422


def test_a_team_out_of_scope_is_404(api_client, recipient_user, other_pair, other_team):
    api_client.login(recipient_user)
    body = {"partnership_id": other_pair.pk, "batch": 99}
    assert api_client.post("/api/v1/teams", body).status_code == 404
    assert api_client.get(f"/api/v1/teams/{other_team.pk}").status_code == 404


def test_the_captain_is_named_by_a_party_and_must_be_a_member(
    api_client, helper_user, county_officer, team, expert, idle_expert
):
    api_client.login(county_officer)
    path = f"/api/v1/teams/{team.pk}/captain"
    assert api_client.post(path, {"expert_id": None}).status_code == 403
    team.refresh_from_db()
    assert team.captain_id == expert.pk

    api_client.login(helper_user)
    response = api_client.post(path, {"expert_id": None})
    assert response.status_code == 200 and team.__class__.objects.get(pk=team.pk).captain is None
    response = api_client.post(path, {"expert_id": idle_expert.pk})
    assert response.status_code == 422 and "不是该队队员" in response.json()["detail"]
    response = api_client.post(path, {"expert_id": expert.pk})
    assert response.status_code == 200
    assert [m["is_captain"] for m in response.json()["members"]] == [True]


def test_3x_links_are_added_and_removed_by_a_party_only(
    client, api_client, recipient_user, expert_user, resident, departments
):
    path = f"/api/v1/deployments/{resident.pk}/coverage-links"
    body = {"department_id": departments["眼科"].pk}
    api_client.login(expert_user)  # reads its own deployment, may not manage the team
    assert api_client.post(path, body).status_code == 403
    assert not CoverageLink.objects.filter(deployment=resident).exists()

    api_client.login(recipient_user)
    response = api_client.post(path, body)
    assert response.status_code == 201, response.content
    link = response.json()
    assert link["department_name"] == "眼科"
    assert api_client.post(path, body).status_code == 422  # already linked
    response = api_client.post(path, {"department_id": 10**9})
    assert response.status_code == 422 and "department_id" in response.content.decode()

    assert _delete(client, expert_user, f"{path}/{link['id']}").status_code == 403
    assert _delete(client, recipient_user, f"{path}/{link['id']}").status_code == 204
    assert not CoverageLink.objects.filter(pk=link["id"]).exists()
    assert _delete(client, recipient_user, f"{path}/{link['id']}").status_code == 404


def test_a_stay_is_ended_by_a_party_and_not_by_an_observer(
    api_client, helper_user, observer_user, resident, other_expert
):
    path = f"/api/v1/deployments/{resident.pk}/end"
    api_client.login(observer_user)
    assert api_client.post(path, {"actual_end": today().isoformat()}).status_code == 403
    resident.refresh_from_db()
    assert resident.actual_end is None

    api_client.login(helper_user)
    tomorrow = (today() + timedelta(days=1)).isoformat()
    assert api_client.post(path, {"actual_end": tomorrow}).status_code == 422
    response = api_client.post(path, {"actual_end": today().isoformat()})
    assert response.status_code == 200, response.content
    resident.refresh_from_db()
    assert resident.actual_end == today()
    other = other_expert.deployments.get()
    response = api_client.post(f"/api/v1/deployments/{other.pk}/end", {"actual_end": "2025-01-01"})
    assert response.status_code == 404
