"""The matching API (F13): rounds listed, run, read, re-run and accepted — scoped like the pages,
with Chinese errors naming the field and nothing written on bad input."""

from __future__ import annotations

import pytest

from bangfu.matching.models import MatchingRound
from bangfu.partnerships.models import Partnership

pytestmark = pytest.mark.django_db

ROUNDS = "/api/v1/matching/rounds"


def body(recipient_ids, helper_ids):
    return {
        "method": "optimal",
        "recipient_ids": recipient_ids,
        "helper_ids": helper_ids,
        "capacity_overrides": {str(h): 1 for h in helper_ids},
    }


def test_province_officer_runs_a_round_and_reads_it_back(
    api_client, province_officer, bijie_recipient_ids, helper_ids
):
    api_client.login(province_officer)
    response = api_client.post(ROUNDS, body(bijie_recipient_ids, helper_ids))
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["method"] == "optimal"
    assert created["matched_count"] == len(created["proposals"]) == 3
    assert len(created["unmatched"]) == 1 and created["unmatched"][0]["reason"]
    proposal = created["proposals"][0]
    assert {p["name"] for p in proposal["parts"]} == {"specialty", "region", "pairing", "capacity"}
    assert proposal["status"] == "proposed" and proposal["reason"]
    assert created["reasons"] and "§三(二)" in created["reasons"][0]

    detail = api_client.get(f"{ROUNDS}/{created['id']}").json()
    assert detail["proposals"] == created["proposals"]
    listed = api_client.get(ROUNDS).json()
    assert listed["items"][0]["id"] == created["id"]


def test_the_round_defaults_to_the_preselected_hospitals(api_client, prefecture_officer):
    api_client.login(prefecture_officer)
    response = api_client.post(ROUNDS, {"method": "stable"})
    assert response.status_code == 201, response.json()
    assert response.json()["prefecture_code"] == "520500"
    assert response.json()["recipient_count"] > 0


@pytest.mark.parametrize(
    "who", ["county_officer", "recipient_user", "helper_user", "expert_user", "observer_user"]
)
def test_other_roles_get_403_on_writes_and_no_rounds(
    api_client, request, who, small_round, helper_ids, bijie_recipient_ids
):
    round_ = small_round()
    proposal = round_.proposals.first()
    api_client.login(request.getfixturevalue(who))
    before = (MatchingRound.objects.count(), Partnership.objects.count())
    assert api_client.post(ROUNDS, body(bijie_recipient_ids, helper_ids)).status_code == 403
    accept = api_client.post(f"{ROUNDS}/{round_.pk}/accept", {"proposal_ids": [proposal.pk]})
    assert accept.status_code == 403
    assert api_client.post(f"{ROUNDS}/{round_.pk}/rerun", {}).status_code == 403
    assert api_client.get(ROUNDS).json() == {"items": [], "count": 0}
    assert api_client.get(f"{ROUNDS}/{round_.pk}").status_code == 404
    assert (MatchingRound.objects.count(), Partnership.objects.count()) == before


def test_prefecture_officer_cannot_see_or_accept_a_province_round(
    api_client, prefecture_officer, small_round
):
    round_ = small_round()
    proposal = round_.proposals.first()
    api_client.login(prefecture_officer)
    assert api_client.get(f"{ROUNDS}/{round_.pk}").status_code == 404
    response = api_client.post(f"{ROUNDS}/{round_.pk}/accept", {"proposal_ids": [proposal.pk]})
    assert response.status_code == 404
    assert response.json()["detail"] == "未找到该匹配轮次"
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        (lambda r, h: {"recipient_ids": [987654]}, "recipient_ids：未找到编号为 987654 的受扶医院"),
        (lambda r, h: {"helper_ids": [987655]}, "helper_ids：未找到编号为 987655 的帮扶医院"),
        (
            lambda r, h: {"capacity_overrides": {str(h[0]): -1}},
            "capacity_overrides：帮扶医院「广州市番禺区中心医院」的名额不能为负数（收到 -1）",
        ),
        (lambda r, h: {"excluded_pairs": [[r[0], 987656]]}, "excluded_pairs：排除的配对"),
    ],
)
def test_bad_bodies_get_422_in_chinese_and_nothing_is_written(
    api_client, province_officer, bijie_recipient_ids, helper_ids, changes, fragment
):
    api_client.login(province_officer)
    before = MatchingRound.objects.count()
    payload = body(bijie_recipient_ids, helper_ids) | changes(bijie_recipient_ids, helper_ids)
    response = api_client.post(ROUNDS, payload)
    assert response.status_code == 422
    assert fragment in response.json()["detail"]
    assert MatchingRound.objects.count() == before


def test_an_unknown_method_is_a_422(api_client, province_officer):
    api_client.login(province_officer)
    response = api_client.post(ROUNDS, {"method": "greedy"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "method"


def test_accept_returns_the_new_partnership_ids(api_client, province_officer, small_round):
    round_ = small_round()
    chosen = [p.pk for p in round_.proposals.order_by("pk")[:2]]
    api_client.login(province_officer)
    response = api_client.post(f"{ROUNDS}/{round_.pk}/accept", {"proposal_ids": chosen})
    assert response.status_code == 200, response.json()
    ids = response.json()["partnership_ids"]
    assert len(ids) == 2
    assert set(
        Partnership.objects.filter(pk__in=ids).values_list("recipient_id", flat=True)
    ) == set(round_.proposals.filter(pk__in=chosen).values_list("recipient_id", flat=True))
    # the partnerships API lists them as awaiting their first agreement
    listed = api_client.get("/api/v1/partnerships", page_size=500).json()["items"]
    drafts = {p["id"]: p for p in listed if p["id"] in ids}
    assert set(drafts) == set(ids)
    assert {p["status_label"] for p in drafts.values()} == {"待签协议"}


def test_accept_refuses_a_proposal_of_another_round(api_client, province_officer, small_round):
    first, second = small_round(), small_round()
    api_client.login(province_officer)
    foreign = first.proposals.first().pk
    before = Partnership.objects.count()
    response = api_client.post(f"{ROUNDS}/{second.pk}/accept", {"proposal_ids": [foreign]})
    assert response.status_code == 422
    assert f"编号为 {foreign} 的配对不属于第{second.pk}轮" in response.json()["detail"]
    assert Partnership.objects.count() == before


def test_rerun_links_the_new_round_and_applies_the_capacity_change(
    api_client, province_officer, small_round, helper_ids
):
    round_ = small_round()
    api_client.login(province_officer)
    response = api_client.post(
        f"{ROUNDS}/{round_.pk}/rerun", {"capacity_changes": {str(helper_ids[0]): 0}}
    )
    assert response.status_code == 201, response.json()
    rerun = response.json()
    assert rerun["previous_id"] == round_.pk
    assert helper_ids[0] not in {p["helper_id"] for p in rerun["proposals"]}
    assert api_client.get(f"{ROUNDS}/{round_.pk}").json()["superseded"] is True
    again = api_client.post(f"{ROUNDS}/{round_.pk}/rerun", {})
    assert again.status_code == 422
    assert "请在最新一轮上操作" in again.json()["detail"]
