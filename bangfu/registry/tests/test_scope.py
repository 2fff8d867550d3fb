"""Persona tests: every registry list, detail, export and API call as every role shows exactly the
in-scope rows (F12). Expected rows are computed here from the registry facts, not from the scope code."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bangfu.registry.models import County, Institution, Prefecture

pytestmark = pytest.mark.django_db

WEINING = "520526"
BIJIE = "520500"


def partner_recipients(user):
    """The recipients a helper hospital partners with (the demo pairs 番禺 with 威宁's people's hospital)."""
    from bangfu.partnerships.models import Partnership

    return Institution.objects.filter(
        pk__in=Partnership.objects.filter(helper_id=user.institution_id).values("recipient_id")
    )


def expected_counties(user) -> set[str]:
    everything = set(County.objects.values_list("code", flat=True))
    return {
        "demo_province": everything,
        "demo_observer": everything,
        "demo_prefecture": set(
            County.objects.filter(prefecture__code=BIJIE).values_list("code", flat=True)
        ),
        "demo_county": {WEINING},
        "demo_recipient": {WEINING},
        "demo_helper": set(partner_recipients(user).values_list("county__code", flat=True)),
        "demo_expert": set(),
    }[user.username]


def expected_prefectures(user) -> set[str]:
    return {
        "demo_province": set(Prefecture.objects.values_list("code", flat=True)),
        "demo_observer": set(Prefecture.objects.values_list("code", flat=True)),
        "demo_prefecture": {BIJIE},
        "demo_county": {BIJIE},
        "demo_recipient": {BIJIE},
        "demo_helper": set(
            partner_recipients(user).values_list("county__prefecture__code", flat=True)
        ),
        "demo_expert": set(),
    }[user.username]


def expected_institutions(user) -> set[int]:
    helpers = set(Institution.objects.filter(category="helper").values_list("pk", flat=True))
    own = {user.institution_id} if user.institution_id else set()
    return {
        "demo_province": set(Institution.objects.values_list("pk", flat=True)),
        "demo_observer": set(Institution.objects.values_list("pk", flat=True)),
        "demo_prefecture": set(
            Institution.objects.filter(prefecture__code=BIJIE).values_list("pk", flat=True)
        )
        | helpers,
        "demo_county": set(
            Institution.objects.filter(county__code=WEINING).values_list("pk", flat=True)
        )
        | helpers,
        "demo_recipient": own,
        "demo_helper": own | set(partner_recipients(user).values_list("pk", flat=True)),
        "demo_expert": own,
    }[user.username]


def test_expected_sets_are_not_trivial(prefecture_officer, county_officer, helper_user):
    assert len(expected_counties(prefecture_officer)) == 8
    assert len(expected_institutions(county_officer)) > 3
    assert expected_counties(helper_user) == {WEINING}  # through its partnership


def test_county_page_lists_exactly_the_scope(client, persona):
    client.force_login(persona)
    response = client.get(reverse("registry:county_list"), {"page": 1})
    assert response.status_code == 200
    page = response.context["page"]
    codes = {c.code for c in page.paginator.object_list}
    assert codes == expected_counties(persona)


def test_prefecture_page_lists_exactly_the_scope(client, persona):
    client.force_login(persona)
    response = client.get(reverse("registry:prefecture_list"))
    assert {p.code for p in response.context["prefectures"]} == expected_prefectures(persona)


def test_prefecture_counts_only_count_in_scope_counties(client, county_officer):
    client.force_login(county_officer)
    (bijie,) = client.get(reverse("registry:prefecture_list")).context["prefectures"]
    assert (bijie.county_count, bijie.target_count, bijie.key_county_count) == (1, 1, 1)


def test_institution_page_lists_exactly_the_scope(client, persona):
    client.force_login(persona)
    response = client.get(reverse("registry:institution_list"))
    assert {i.pk for i in response.context["page"].paginator.object_list} == expected_institutions(
        persona
    )


def test_county_export_holds_exactly_the_scope(client, persona):
    client.force_login(persona)
    response = client.get(reverse("registry:county_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("代码", "名称")
    assert {r[0] for r in rows[1:]} == expected_counties(persona)


def test_institution_export_holds_exactly_the_scope(client, persona):
    client.force_login(persona)
    response = client.get(reverse("registry:institution_export"))
    sheet = load_workbook(BytesIO(response.content)).active
    names = {r[0] for r in list(sheet.iter_rows(values_only=True))[1:]}
    assert names == set(
        Institution.objects.filter(pk__in=expected_institutions(persona)).values_list(
            "name", flat=True
        )
    )


def test_county_detail_in_scope_is_shown_and_out_of_scope_is_404(client, persona):
    client.force_login(persona)
    visible = expected_counties(persona)
    for code in ("520526", "520102"):
        response = client.get(reverse("registry:county_detail", args=[code]))
        assert response.status_code == (200 if code in visible else 404), code


def test_institution_detail_in_scope_is_shown_and_out_of_scope_is_404(client, persona):
    client.force_login(persona)
    visible = expected_institutions(persona)
    samples = [
        Institution.objects.get(name="威宁彝族回族苗族自治县人民医院").pk,
        Institution.objects.get(name="南明区人民医院").pk,
        Institution.objects.get(name="广州市番禺区中心医院").pk,
    ]
    for pk in samples:
        response = client.get(reverse("registry:institution_detail", args=[pk]))
        assert response.status_code == (200 if pk in visible else 404), pk


def test_anonymous_pages_redirect_to_login(client):
    for name in (
        "registry:county_list",
        "registry:prefecture_list",
        "registry:institution_list",
        "registry:county_export",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_inactive_user_sees_nothing(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("registry:county_list"))
    assert response.status_code == 302  # an inactive account is logged out


# ---- API ----


def _all_items(api_client, path, **params):
    response = api_client.get(path, page_size=500, **params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return body["items"]


def test_api_counties_exactly_the_scope(api_client, persona):
    api_client.login(persona)
    items = _all_items(api_client, "/api/v1/counties")
    assert {c["code"] for c in items} == expected_counties(persona)
    for item in items:
        assert {
            "code",
            "name",
            "short_name",
            "kind",
            "prefecture_code",
            "national_key_county",
            "programme_group",
        } <= set(item)
        assert isinstance(item["national_key_county"], bool)


def test_api_prefectures_exactly_the_scope(api_client, persona):
    api_client.login(persona)
    assert {
        p["code"] for p in _all_items(api_client, "/api/v1/prefectures")
    } == expected_prefectures(persona)


def test_api_institutions_exactly_the_scope(api_client, persona):
    api_client.login(persona)
    items = _all_items(api_client, "/api/v1/institutions")
    assert {i["id"] for i in items} == expected_institutions(persona)
    weining_hospital = next(
        (i for i in items if i["name"] == "威宁彝族回族苗族自治县人民医院"), None
    )
    if weining_hospital:
        assert weining_hospital["category"] == "recipient"
        assert weining_hospital["county_code"] == WEINING


@pytest.mark.parametrize(
    "path", ["/api/v1/prefectures", "/api/v1/counties", "/api/v1/institutions"]
)
def test_api_refuses_anonymous_and_bad_tokens(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 401
    assert "未认证" in response.json()["detail"]
    api_client.token = "not-a-token"
    assert api_client.get(path).status_code == 401


def test_api_token_of_deactivated_user_stops_working(api_client, county_officer):
    api_client.login(county_officer)
    assert api_client.get("/api/v1/counties").status_code == 200
    county_officer.is_active = False
    county_officer.save(update_fields=["is_active"])
    assert api_client.get("/api/v1/counties").status_code == 401


def test_api_county_filters(api_client, province_officer):
    api_client.login(province_officer)
    bijie_key = _all_items(
        api_client, "/api/v1/counties", prefecture=BIJIE, national_key_county="true"
    )
    assert {c["code"] for c in bijie_key} == set(
        County.objects.filter(prefecture__code=BIJIE, national_key_county=True).values_list(
            "code", flat=True
        )
    )
    others = _all_items(api_client, "/api/v1/counties", programme_group="other")
    assert len(others) == 18
    assert all(c["programme_group"] == "other" for c in others)
    assert [c["code"] for c in _all_items(api_client, "/api/v1/counties", q="威宁")] == [WEINING]


def test_api_pagination(api_client, province_officer):
    api_client.login(province_officer)
    first = api_client.get("/api/v1/counties", page=1, page_size=50).json()
    second = api_client.get("/api/v1/counties", page=2, page_size=50).json()
    assert first["count"] == second["count"] == 88
    assert len(first["items"]) == 50 and len(second["items"]) == 38
    assert not {c["code"] for c in first["items"]} & {c["code"] for c in second["items"]}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page_size": 501}, "每页条数：不能大于 500"),
        ({"page": 0}, "页码：不能小于 1"),
        ({"page": "x"}, "页码：应为整数"),
        ({"programme_group": "nope"}, "programme_group"),
    ],
)
def test_api_bad_query_gets_a_chinese_detail(api_client, province_officer, params, message):
    api_client.login(province_officer)
    response = api_client.get("/api/v1/counties", **params)
    assert response.status_code == 422
    assert message in response.json()["detail"]


# ---- query counts: constant as rows grow ----


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add_institutions(n):
    county = County.objects.get(code=WEINING)
    Institution.objects.bulk_create(
        Institution(
            name=f"测试卫生院{i}", category="recipient", county=county, prefecture=county.prefecture
        )
        for i in range(n)
    )


@pytest.mark.parametrize(
    "url",
    [
        "/registry/counties/",
        "/registry/prefectures/",
        "/registry/institutions/",
        "/registry/counties/520526/",
    ],
)
def test_page_query_count_is_constant_as_rows_grow(client, county_officer, url):
    client.force_login(county_officer)
    before = _queries(client, url)
    _add_institutions(30)
    assert _queries(client, url) == before
    assert before <= 12


def test_county_page_query_count_does_not_depend_on_the_role(client, persona, province_officer):
    """The scope is a sub-query, never a query per region; an empty page may skip the row fetch."""
    client.force_login(province_officer)
    reference = _queries(client, "/registry/counties/")
    client.force_login(persona)
    assert reference - 1 <= _queries(client, "/registry/counties/") <= reference


@pytest.mark.parametrize(
    "path", ["/api/v1/counties", "/api/v1/institutions", "/api/v1/prefectures"]
)
def test_api_query_count_is_constant_as_rows_grow(api_client, county_officer, path):
    api_client.login(county_officer)
    api_client.get(path)  # the first call stamps the token's last use
    with CaptureQueriesContext(connection) as ctx:
        api_client.get(path, page_size=500)
    before = len(ctx.captured_queries)
    _add_institutions(30)
    with CaptureQueriesContext(connection) as ctx:
        body = api_client.get(path, page_size=500).json()
    assert len(ctx.captured_queries) == before
    assert before <= 5
    if path.endswith("institutions"):
        assert body["count"] == len(expected_institutions(county_officer))
