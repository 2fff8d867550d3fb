"""The API contract of /api/v1/assessments (issue #12): lists, detail, PUT and the chain."""

from __future__ import annotations

import json

import pytest

from bangfu.accounts.services import token_create
from bangfu.assessments.models import Assessment

from .conftest import all_ratings

pytestmark = pytest.mark.django_db


@pytest.fixture
def put(client):
    def do(user, path, payload):
        return client.put(
            path,
            json.dumps(payload),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token_create(user=user)}"},
        )

    return do


def test_the_list_has_the_documented_items_and_filters(api_client, province_officer, weining, year):
    response = api_client.login(province_officer).get(
        "/api/v1/assessments", year=year, county="520526", status="draft"
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "count"}
    ids = [item["id"] for item in body["items"]]
    assert weining.pk in ids and body["count"] == len(ids)
    item = next(i for i in body["items"] if i["id"] == weining.pk)
    assert item["year"] == year
    assert item["agreement_id"] == weining.agreement_id
    assert item["recipient_id"] == weining.agreement.partnership.recipient_id
    assert item["status"] == "draft" and item["approvals"] == []


def test_the_list_is_scoped(api_client, county_officer, weining, elsewhere, year):
    body = api_client.login(county_officer).get("/api/v1/assessments", year=year).json()
    ids = {item["id"] for item in body["items"]}
    assert weining.pk in ids and elsewhere.pk not in ids
    assert (
        body["count"]
        == Assessment.objects.filter(
            year=year, agreement__partnership__recipient__county__code="520526"
        ).count()
    )


def test_a_bad_status_filter_is_422(api_client, province_officer):
    response = api_client.login(province_officer).get("/api/v1/assessments", status="done")
    assert response.status_code == 422


@pytest.mark.parametrize(
    "persona_name", ["county_officer", "prefecture_officer", "recipient_user", "helper_user"]
)
def test_out_of_scope_is_404(request, api_client, elsewhere, persona_name):
    api_client.login(request.getfixturevalue(persona_name))
    assert api_client.get(f"/api/v1/assessments/{elsewhere.pk}").status_code == 404
    assert api_client.post(f"/api/v1/assessments/{elsewhere.pk}/approve", {}).status_code == 404


def test_the_detail_shows_measures_with_progress(api_client, recipient_user, weining):
    body = api_client.login(recipient_user).get(f"/api/v1/assessments/{weining.pk}").json()
    codes = sorted(m.code for m in weining.agreement.measures.all())
    assert [m["code"] for m in body["measures"]] == codes
    assert all(m["progress"] and m["rating"] == "" for m in body["measures"])
    assert body["narrative"] == {"results": "", "problems": "", "next_steps": ""}


def test_put_by_the_recipient_then_submit(api_client, put, recipient_user, weining):
    ratings = all_ratings(weining)
    response = put(
        recipient_user,
        f"/api/v1/assessments/{weining.pk}",
        {"narrative": {"results": "成效", "next_steps": "继续"}, "ratings": ratings},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["narrative"] == {"results": "成效", "problems": "", "next_steps": "继续"}
    assert set(body["ratings"].values()) == {"completed"}
    response = api_client.login(recipient_user).post(f"/api/v1/assessments/{weining.pk}/submit", {})
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert response.json()["approvals"][0]["level"] == "hospital"
    # Submitted: no more edits.
    again = put(
        recipient_user, f"/api/v1/assessments/{weining.pk}", {"narrative": {"results": "改"}}
    )
    assert again.status_code == 403


def test_put_refused_when_not_yours_to_edit(put, county_officer, helper_user, weining):
    assert (
        put(
            county_officer, f"/api/v1/assessments/{weining.pk}", {"narrative": {"results": "x"}}
        ).status_code
        == 403
    )
    assert (
        put(
            helper_user, f"/api/v1/assessments/{weining.pk}", {"ratings": {"M01": "完成"}}
        ).status_code
        == 403
    )
    ok = put(helper_user, f"/api/v1/assessments/{weining.pk}", {"helper_comments": "帮扶方意见"})
    assert ok.status_code == 200 and ok.json()["helper_comments"] == "帮扶方意见"


def test_put_with_an_unknown_rating_is_422(put, recipient_user, weining):
    response = put(
        recipient_user, f"/api/v1/assessments/{weining.pk}", {"ratings": {"M01": "优秀"}}
    )
    assert response.status_code == 422
    assert "完成" in response.json()["detail"]


def test_the_chain_over_the_api(
    api_client, put, ready, recipient_user, county_officer, prefecture_officer, province_officer
):
    path = f"/api/v1/assessments/{ready.pk}"
    assert api_client.login(recipient_user).post(f"{path}/submit", {}).status_code == 200
    # Out of turn: the province cannot approve what the county holds; the reason is given.
    out_of_turn = api_client.login(province_officer).post(f"{path}/approve", {})
    assert out_of_turn.status_code == 403 and "县级卫生健康部门" in out_of_turn.json()["detail"]
    # A return needs a comment.
    assert api_client.login(county_officer).post(f"{path}/return", {}).status_code == 422
    returned = api_client.post(f"{path}/return", {"comment": "请补充附件"})
    assert returned.json()["status"] == "returned"
    assert api_client.login(recipient_user).post(f"{path}/submit", {}).status_code == 200
    assert (
        api_client.login(county_officer).post(f"{path}/approve", {}).json()["status"]
        == "county_approved"
    )
    assert (
        api_client.login(prefecture_officer)
        .post(f"{path}/approve", {"comment": "同意"})
        .json()["status"]
        == "prefecture_approved"
    )
    accepted = api_client.login(province_officer).post(f"{path}/approve", {})
    body = accepted.json()
    assert body["status"] == "accepted"
    assert [(a["level"], a["decision"], a["by"]) for a in body["approvals"]] == [
        ("hospital", "submit", "demo_recipient"),
        ("county", "return", "demo_county"),
        ("hospital", "submit", "demo_recipient"),
        ("county", "approve", "demo_county"),
        ("prefecture", "approve", "demo_prefecture"),
        ("province", "accept", "demo_province"),
    ]
    assert body["approvals"][1]["comment"] == "请补充附件"
    # Locked after acceptance.
    assert put(recipient_user, path, {"narrative": {"results": "改"}}).status_code == 403
    assert (
        api_client.login(prefecture_officer).post(f"{path}/reopen", {"reason": "再看"}).status_code
        == 403
    )
    assert api_client.login(province_officer).post(f"{path}/reopen", {}).status_code == 422
    reopened = api_client.post(f"{path}/reopen", {"reason": "数据需更正"})
    assert reopened.status_code == 200 and reopened.json()["status"] == "returned"


@pytest.mark.parametrize("persona_name", ["helper_user", "expert_user", "observer_user"])
def test_roles_outside_the_chain_cannot_act(
    request, api_client, ready, recipient_user, persona_name
):
    api_client.login(recipient_user).post(f"/api/v1/assessments/{ready.pk}/submit", {})
    user = request.getfixturevalue(persona_name)
    response = api_client.login(user).post(f"/api/v1/assessments/{ready.pk}/approve", {})
    assert response.status_code in (403, 404)
    assert Assessment.objects.get(pk=ready.pk).status == "submitted"


def test_the_list_costs_the_same_queries_for_a_bigger_page(
    api_client, province_officer, opened, year
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api_client.login(province_officer).get("/api/v1/assessments", year=year)  # warm the token
    counts = []
    for size in (2, 50):
        with CaptureQueriesContext(connection) as queries:
            body = api_client.get("/api/v1/assessments", year=year, page_size=size).json()
        assert len(body["items"]) == min(size, body["count"])
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_approve_takes_no_body_at_all(client, ready, recipient_user, county_officer):
    def post(user, path):
        headers = {"Authorization": f"Bearer {token_create(user=user)}"}
        return client.post(path, "", content_type="application/json", headers=headers)

    assert post(recipient_user, f"/api/v1/assessments/{ready.pk}/submit").status_code == 200
    response = post(county_officer, f"/api/v1/assessments/{ready.pk}/approve")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "county_approved"


def test_approve_with_a_comment_body_and_a_bad_one(client, ready, recipient_user, county_officer):
    headers = {"Authorization": f"Bearer {token_create(user=county_officer)}"}
    client.post(
        f"/api/v1/assessments/{ready.pk}/submit",
        headers={"Authorization": f"Bearer {token_create(user=recipient_user)}"},
    )
    path = f"/api/v1/assessments/{ready.pk}/approve"
    bad = client.post(path, {"comment": 5}, content_type="application/json", headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "comment"
    ok = client.post(path, {"comment": "同意"}, content_type="application/json", headers=headers)
    assert ok.status_code == 200
    assert ok.json()["approvals"][-1]["comment"] == "同意"
