"""Every persona sees exactly its experts, teams and deployments, on pages, exports and the API,
and sees pay and identity numbers only where entitled (F12). Expectations are written out in
`fixtures.VISIBLE` / `SENSITIVE`, not derived from the scope code."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bangfu.people.tests.fixtures import ID_MASKED, ID_NUMBER, SENSITIVE, VISIBLE

pytestmark = pytest.mark.django_db

NAMES = {"测试甲": "甲", "测试乙": "乙", "测试丙": "丙"}


def ours(names):
    return {NAMES[n] for n in names if n in NAMES}


def test_expert_page_lists_exactly_the_scope_and_masks_pay(client, persona, world):
    client.force_login(persona)
    response = client.get(reverse("people:expert_list"), {"q": "测试"})  # all on page 1
    assert response.status_code == 200
    experts = list(response.context["page"].paginator.object_list)
    assert ours(e.name for e in experts) == VISIBLE[persona.username]
    html = response.content.decode()
    # Lists mask pay and identity numbers for every reader, entitled or not (ADR 0004).
    assert "300000.00" not in html
    assert ID_NUMBER not in html
    if "甲" in VISIBLE[persona.username]:
        assert ID_MASKED in html


def test_expert_export_holds_exactly_the_scope_with_masks(client, persona, world):
    client.force_login(persona)
    response = client.get(reverse("people:expert_export"))
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    header = rows[0]
    by_name = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert ours(by_name) == VISIBLE[persona.username]
    for name in NAMES:
        if name not in by_name:
            continue
        row = by_name[name]
        assert row["派驻前一年度薪酬（元）"] == "***"  # masked for every reader (ADR 0004)
        assert row["身份证号"] in (None, ID_MASKED, "3101********0042")


def test_expert_detail_in_scope_is_shown_and_out_of_scope_is_404(client, persona, world):
    client.force_login(persona)
    for key, expert in world.items():
        response = client.get(reverse("people:expert_detail", args=[expert.pk]))
        assert response.status_code == (200 if key in VISIBLE[persona.username] else 404), key
        if response.status_code == 200:
            shown = response.context["expert"].pay_display
            assert (shown == "300000.00") == (key in SENSITIVE[persona.username])


def test_expert_detail_history_never_shows_pay_or_identity(client, province_officer, world):
    client.force_login(province_officer)
    html = client.get(reverse("people:expert_detail", args=[world["甲"].pk])).content.decode()
    history = html[html.index("变更记录") :]
    assert ID_NUMBER not in history and "300000" not in history


def test_team_page_lists_the_teams_of_partnerships_in_scope(client, persona, world):
    client.force_login(persona)
    team_ids = {k: e.deployments.get().team_id for k, e in world.items() if e.deployments.exists()}
    response = client.get(reverse("people:team_list"))
    listed = {r.team.pk for r in response.context["rows"]}
    expected = {
        "demo_province": {"甲", "乙"},
        "demo_observer": {"甲", "乙"},
        "demo_prefecture": {"甲"},
        "demo_county": {"甲"},
        "demo_recipient": {"甲"},
        "demo_helper": {"甲"},
        "demo_expert": {"甲"},  # its own team, read-only
    }[persona.username]
    assert {k for k, t in team_ids.items() if t in listed} == expected
    for key, team_id in team_ids.items():
        status = client.get(reverse("people:team_detail", args=[team_id])).status_code
        assert status == (200 if key in expected else 404)


def test_deployment_page_and_export_hold_exactly_the_scope(client, persona, world):
    client.force_login(persona)
    response = client.get(reverse("people:deployment_list"))
    names = {d.expert.name for d in response.context["page"].paginator.object_list}
    expected = VISIBLE[persona.username] - {"丙"}  # 丙 has no deployment
    assert ours(names) == expected
    rows = load_workbook(BytesIO(client.get(reverse("people:deployment_export")).getvalue())).active
    assert ours(r[0] for r in list(rows.iter_rows(values_only=True))[1:]) == expected


def test_team_detail_cites_the_composition_clauses(client, recipient_user, world):
    client.force_login(recipient_user)
    team_id = world["甲"].deployments.get().team_id
    html = client.get(reverse("people:team_detail", args=[team_id])).content.decode()
    assert "少于每批次3人（应为3-5人）（依据§三(四)；A1-(1)）" in html
    assert "未办理人身意外伤害保险" in html


# ---- API ----


def _items(api_client, path, **params):
    response = api_client.get(path, page_size=500, **params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return body["items"]


def test_api_experts_exactly_the_scope_and_masked(api_client, persona, world):
    api_client.login(persona)
    items = {i["name"]: i for i in _items(api_client, "/api/v1/experts")}
    assert ours(items) == VISIBLE[persona.username]
    for name, item in items.items():
        if name not in NAMES:
            continue
        entitled = NAMES[name] in SENSITIVE[persona.username]
        assert item["sensitive_visible"] is entitled  # may read it in full on the detail
        assert item["prior_year_pay"] == "***"  # list items are masked for every reader
    if "甲" in items:
        assert items["测试甲"]["id_number"] == ID_MASKED


def test_api_expert_detail_is_404_out_of_scope(api_client, persona, world):
    api_client.login(persona)
    for key, expert in world.items():
        response = api_client.get(f"/api/v1/experts/{expert.pk}")
        assert response.status_code == (200 if key in VISIBLE[persona.username] else 404)


def test_api_teams_and_deployments_follow_the_scope(api_client, persona, world):
    api_client.login(persona)
    teams = _items(api_client, "/api/v1/teams")
    deployments = _items(api_client, "/api/v1/deployments")
    member_names = {m["expert_name"] for t in teams for m in t["members"]}
    assert ours(d["expert_name"] for d in deployments) == VISIBLE[persona.username] - {"丙"}
    # an expert reads the roster of its own team
    assert ours(member_names) == VISIBLE[persona.username] - {"丙"}
    for team in teams:
        for finding in team["findings"]:
            assert finding["clause"]


def test_api_expert_create_is_scoped_and_validated(api_client, helper_user, pair):
    api_client.login(helper_user)
    body = {
        "name": "接口专家",
        "sex": "F",
        "title": "副高",
        "degree": "硕士",
        "home_institution_id": pair.helper.pk,
        "prior_year_pay": "200000",
    }
    created = api_client.post("/api/v1/experts", body)
    assert created.status_code == 201, created.content
    assert created.json()["prior_year_pay"] == "***"  # a helper never reads pay back
    bad = api_client.post("/api/v1/experts", body | {"id_number": "520526198001011239"})
    assert bad.status_code == 422
    assert "id_number：身份证号校验位不正确" in bad.json()["detail"]


def test_api_refuses_anonymous(api_client):
    for path in ("/api/v1/experts", "/api/v1/teams", "/api/v1/deployments"):
        assert api_client.get(path).status_code == 401
