"""The needs and ranked-choices API (F13; §三(一)–(二)): scoped like the pages, written through
the same services, with Chinese errors naming the field and nothing written on bad input."""

from __future__ import annotations

import pytest

from bangfu.core.models import AuditEntry
from bangfu.matching.models import MatchPreference, RecipientNeed
from bangfu.matching.tests.conftest import (
    INPUTS_ACCESS,
    NOT_FOUND,
    PANYU,
    WEINING_PEOPLES_HOSPITAL,
    WEINING_TCM,
    ZHONGSHAN,
    institution_id,
    recipients_visible_to,
)
from bangfu.registry.models import Institution, Specialty

pytestmark = pytest.mark.django_db

NEEDS = "/api/v1/matching/needs"
PREFERENCES = "/api/v1/matching/preferences"


@pytest.fixture
def api(client):
    """A token-authenticated client that can also PUT."""
    from bangfu.accounts.services import token_create

    class Api:
        headers: dict[str, str] = {}

        def login(self, user):
            self.headers = {"Authorization": f"Bearer {token_create(user=user)}"}
            return self

        def get(self, path, **params):
            return client.get(path, params, headers=self.headers)

        def put(self, path, payload):
            return client.put(path, payload, content_type="application/json", headers=self.headers)

    return Api()


def codes(count: int) -> list[str]:
    return list(Specialty.objects.order_by("code").values_list("code", flat=True)[:count])


def snapshot():
    return (
        list(RecipientNeed.objects.order_by("pk").values_list("pk", "referrals_3y", "disease")),
        list(MatchPreference.objects.order_by("pk").values_list("pk", "ranked_ids")),
        AuditEntry.objects.count(),
    )


# ---- reading ----


def test_each_persona_lists_exactly_the_recipients_in_its_scope(api, persona):
    api.login(persona)
    response = api.get(NEEDS, page_size=500)
    assert response.status_code == 200
    body = response.json()
    expected = recipients_visible_to(persona.username)
    assert {item["id"] for item in body["items"]} == expected
    assert body["count"] == len(expected)


def test_the_list_needs_a_token(api):
    response = api.get(NEEDS)
    assert response.status_code == 401
    assert "未认证" in response.json()["detail"]


def test_the_list_is_paginated(api, province_officer):
    api.login(province_officer)
    first = api.get(NEEDS, page=1, page_size=10).json()
    second = api.get(NEEDS, page=2, page_size=10).json()
    assert len(first["items"]) == len(second["items"]) == 10
    assert first["count"] == len(recipients_visible_to("demo_province"))
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


def test_a_list_item_summarises_the_needs_and_choices(api, county_officer):
    first, second = codes(2)
    api.login(county_officer)
    api.put(
        f"{NEEDS}/{institution_id(WEINING_TCM)}",
        {
            "needs": [
                {"specialty_code": first, "referrals_3y": 5, "disease": "甲病", "weak": True},
                {"specialty_code": second, "referrals_3y": 50, "disease": "乙病", "gap": True},
            ]
        },
    )
    items = api.get(NEEDS).json()["items"]
    (item,) = [i for i in items if i["id"] == institution_id(WEINING_TCM)]
    names = dict(Specialty.objects.values_list("code", "name"))
    assert item["county_code"] == "520526" and item["prefecture_code"] == "520500"
    assert item["weak_specialties"] == [names[first]]
    assert item["capability_gaps"] == [names[second]]
    assert [(r["disease"], r["count"]) for r in item["referrals"]] == [("乙病", 50), ("甲病", 5)]
    assert item["referral_total"] == 55
    assert item["need_count"] == 2
    assert item["preference_count"] == 0


def test_each_persona_reads_exactly_the_hospitals_in_its_scope(api, persona):
    api.login(persona)
    for name, rights in INPUTS_ACCESS[persona.username].items():
        pk = institution_id(name)
        is_recipient = Institution.objects.get(pk=pk).category == "recipient"
        preference = api.get(f"{PREFERENCES}/{pk}")
        needs = api.get(f"{NEEDS}/{pk}")
        if rights is NOT_FOUND:
            assert (preference.status_code, needs.status_code) == (404, 404), (persona, name)
            continue
        assert preference.status_code == 200, (persona.username, name)
        assert preference.json()["editable"] == ("prefs" in rights), (persona.username, name)
        if is_recipient:
            assert needs.status_code == 200
            assert needs.json()["editable"] == ("needs" in rights), (persona.username, name)
        else:
            assert needs.status_code == 404
            assert needs.json()["detail"] == "未找到该受扶医院"


# ---- writing ----


def test_put_needs_replaces_them_with_an_audit_row(api, recipient_user):
    first, second = codes(2)
    pk = institution_id(WEINING_PEOPLES_HOSPITAL)
    api.login(recipient_user)
    response = api.put(
        f"{NEEDS}/{pk}",
        {
            "needs": [
                {"specialty_code": second, "gap": True},
                {"specialty_code": first, "referrals_3y": 17, "disease": "急性心肌梗死"},
            ]
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [(n["specialty_code"], n["referrals_3y"], n["gap"]) for n in body["needs"]] == [
        (first, 17, False),
        (second, 0, True),
    ]
    assert api.get(f"{NEEDS}/{pk}").json() == body
    entry = AuditEntry.objects.filter(object_type="registry.institution", object_id=str(pk)).latest(
        "pk"
    )
    assert entry.actor == recipient_user
    assert [n["specialty"] for n in entry.after["matching_needs"]] == [first, second]


def test_put_preferences_replaces_them_with_an_audit_row(api, helper_user):
    ranked = [institution_id(WEINING_TCM), institution_id(WEINING_PEOPLES_HOSPITAL)]
    pk = institution_id(PANYU)
    api.login(helper_user)
    response = api.put(f"{PREFERENCES}/{pk}", {"ranked_ids": ranked})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["ranked_ids"] == ranked
    assert [r["name"] for r in body["ranked"]] == [WEINING_TCM, WEINING_PEOPLES_HOSPITAL]
    preference = MatchPreference.objects.get(institution_id=pk)
    entry = AuditEntry.objects.get(
        object_type="matching.matchpreference", object_id=str(preference.pk)
    )
    assert (entry.actor, entry.action, entry.after) == (
        helper_user,
        "create",
        {"ranked_ids": ranked},
    )
    cleared = api.put(f"{PREFERENCES}/{pk}", {"ranked_ids": []})
    assert cleared.json()["ranked_ids"] == []


def test_writes_outside_the_scope_are_404_and_without_the_right_are_403(api, persona):
    api.login(persona)
    before = snapshot()
    for name, rights in INPUTS_ACCESS[persona.username].items():
        pk = institution_id(name)
        refused = 404 if rights is NOT_FOUND else 403
        if Institution.objects.get(pk=pk).category == "recipient" and (
            rights is NOT_FOUND or "needs" not in rights
        ):
            response = api.put(f"{NEEDS}/{pk}", {"needs": []})
            assert response.status_code == refused, (persona.username, name)
        if rights is NOT_FOUND or "prefs" not in rights:
            response = api.put(f"{PREFERENCES}/{pk}", {"ranked_ids": []})
            assert response.status_code == refused, (persona.username, name)
            assert response.json()["detail"]
    assert snapshot() == before


# ---- bad input ----


@pytest.mark.parametrize(
    ("needs", "fragment"),
    [
        ([{"specialty_code": "zz"}], "needs[0].specialty：未知的专科代码“zz”"),
        (
            [{"specialty_code": "FIRST"}, {"specialty_code": "SECOND", "referrals_3y": -4}],
            "needs[1].referrals_3y：外转人次不能为负数（收到 -4）",
        ),
        (
            [{"specialty_code": "FIRST"}, {"specialty_code": "FIRST"}],
            "needs[1].specialty：专科“FIRST”重复填写",
        ),
        (
            [{"specialty_code": "FIRST", "disease": "病" * 101}],
            "needs[0].disease：主要外转病种不能超过 100 个字",
        ),
    ],
)
def test_bad_needs_get_422_naming_the_field_and_nothing_changes(
    api, province_officer, needs, fragment
):
    first, second = codes(2)
    for need in needs:
        need["specialty_code"] = {"FIRST": first, "SECOND": second}.get(
            need["specialty_code"], need["specialty_code"]
        )
    api.login(province_officer)  # (issuing the token is itself audited)
    before = snapshot()
    response = api.put(f"{NEEDS}/{institution_id(WEINING_TCM)}", {"needs": needs})
    assert response.status_code == 422
    assert fragment.replace("FIRST", first) in response.json()["detail"]
    assert snapshot() == before


def test_a_count_that_is_not_a_number_gets_422_naming_the_field(api, province_officer):
    api.login(province_officer)
    before = snapshot()
    response = api.put(
        f"{NEEDS}/{institution_id(WEINING_TCM)}",
        {"needs": [{"specialty_code": codes(1)[0], "referrals_3y": "many"}]},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "needs.0.referrals_3y：应为整数"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("ranked", "fragment"),
    [
        (lambda p, z, r: [p, z, p], "ranked_ids[2]：编号为 {p} 的帮扶医院重复出现"),
        (lambda p, z, r: [z, r], "ranked_ids[1]：未找到编号为 {r} 的帮扶医院"),
        (lambda p, z, r: [987654], "ranked_ids[0]：未找到编号为 987654 的帮扶医院"),
    ],
)
def test_bad_choices_get_422_naming_the_field_and_nothing_changes(
    api, recipient_user, ranked, fragment
):
    p, z, r = institution_id(PANYU), institution_id(ZHONGSHAN), institution_id(WEINING_TCM)
    url = f"{PREFERENCES}/{institution_id(WEINING_PEOPLES_HOSPITAL)}"
    api.login(recipient_user)
    api.put(url, {"ranked_ids": [z]})
    before = snapshot()
    response = api.put(url, {"ranked_ids": ranked(p, z, r)})
    assert response.status_code == 422
    assert fragment.format(p=p, r=r) in response.json()["detail"]
    assert snapshot() == before
    assert api.get(url).json()["ranked_ids"] == [z]


def test_a_helper_may_only_rank_recipients(api, helper_user):
    zhongshan = institution_id(ZHONGSHAN)
    api.login(helper_user)
    response = api.put(f"{PREFERENCES}/{institution_id(PANYU)}", {"ranked_ids": [zhongshan]})
    assert response.status_code == 422
    assert response.json()["detail"] == f"ranked_ids[0]：未找到编号为 {zhongshan} 的受扶医院"
    assert not MatchPreference.objects.filter(institution__name=PANYU).exists()
