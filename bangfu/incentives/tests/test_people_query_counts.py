"""People's list pages, exports and API lists cost a constant number of queries as rows grow
(DESIGN §5), with the health checks incentives adds to the team check (`people.contributions`)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangfu.incentives.services import health_check_create
from bangfu.people.services import coverage_link_add, mentorship_create
from bangfu.people.tests.fixtures import deploy, make_expert, today
from bangfu.registry.models import Department

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _grow(actor, team, departments, n=4):
    """More experts on the team, each with a 3X link, a mentorship and a health check, and more
    departments at the recipient (they are form choices)."""
    for i in range(n):
        Department.objects.create(institution=team.partnership.recipient, name=f"加量科{i}")
        e = make_expert(actor, f"加量{i}", team.partnership.helper)
        d = deploy(actor, team, e)
        coverage_link_add(actor=actor, deployment=d, department=departments["眼科"])
        mentorship_create(actor=actor, deployment=d, mentee_name=f"徒{i}", start=today())
        health_check_create(actor=actor, expert=e, checked_on=today())


@pytest.mark.parametrize(
    "url",
    [
        "/people/experts/",
        "/people/experts/export.xlsx",
        "/people/teams/",
        "/people/teams/export.xlsx",
        "/people/deployments/",
        "/people/deployments/export.xlsx",
        "/people/department-services/",
        "TEAM",
        "/api/v1/experts?page_size=500",
        "/api/v1/teams?page_size=500",
        "/api/v1/deployments?page_size=500",
    ],
)
def test_query_count_is_constant_as_rows_grow(
    client, province_officer, recipient_user, team, expert, departments, url
):
    if url == "TEAM":
        url = f"/people/teams/{team.pk}/"
    if url.startswith("/api/"):
        from bangfu.accounts.services import token_create

        token = token_create(user=recipient_user)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        client.get(url)  # the first call stamps the token's last use
    else:
        client.force_login(recipient_user)
    before = _queries(client, url)
    _grow(province_officer, team, departments)
    assert _queries(client, url) == before
    assert before <= 20, before


@pytest.mark.parametrize("url", ["/people/teams/", "/api/v1/teams?page_size=500"])
def test_province_team_list_query_count_is_constant(
    client, province_officer, team, expert, departments, url
):
    """The province's team list and API list (every team; issue #13) at two sizes."""
    if url.startswith("/api/"):
        from bangfu.accounts.services import token_create

        token = token_create(user=province_officer)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        client.get(url)
    else:
        client.force_login(province_officer)
    before = _queries(client, url)
    _grow(province_officer, team, departments)
    assert _queries(client, url) == before
    assert before <= 12, before
