"""The county map over the API and the page: scoped features, figures equal to the lists'."""

from __future__ import annotations

import json

import pytest

from bangfu.partnerships.coverage_report import coverage_report_for_user
from bangfu.partnerships.selectors import today_local
from bangfu.people.selectors import DeploymentFilters, deployment_list_for_user
from bangfu.registry.selectors import county_list_for_user

pytestmark = pytest.mark.django_db

PASSWORD = "Map-Test-Pass-9"


def _get(client, user, url):
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    token = client.post(
        "/api/v1/auth/token",
        {"username": user.username, "password": PASSWORD},
        content_type="application/json",
    ).json()["token"]
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def test_province_gets_all_88_units_and_the_covered_count_equals_the_coverage_report(
    client, province_officer
):
    body = _get(client, province_officer, "/api/v1/map/counties?metric=coverage").json()
    assert body["type"] == "FeatureCollection" and body["metric"] == "coverage"
    features = body["features"]
    assert len(features) == 88
    assert all(f["geometry"]["type"] in {"Polygon", "MultiPolygon"} for f in features)
    labels = [f["properties"]["label"] for f in features]
    report = coverage_report_for_user(user=province_officer, day=today_local())
    assert labels.count("已覆盖") + labels.count("即将到期") == report.covered
    assert labels.count("非目标县") == 88 - report.target_total
    assert labels.count("未覆盖") + labels.count("断档") == len(report.uncovered)


@pytest.mark.parametrize("persona", ["prefecture_officer", "county_officer", "recipient_user"])
def test_other_roles_get_only_the_units_in_their_scope(client, request, persona):
    user = request.getfixturevalue(persona)
    body = _get(client, user, "/api/v1/map/counties").json()
    codes = sorted(f["properties"]["code"] for f in body["features"])
    assert codes == sorted(county_list_for_user(user=user).values_list("code", flat=True))
    assert 0 < len(codes) < 88


def test_experts_on_the_map_add_up_to_the_on_site_list(client, province_officer):
    body = _get(client, province_officer, "/api/v1/map/counties?metric=experts").json()
    on_site = deployment_list_for_user(
        user=province_officer, filters=DeploymentFilters(on_site_on=today_local())
    ).count()
    assert sum(f["properties"]["value"] for f in body["features"]) == on_site
    assert on_site > 0


def test_an_unknown_metric_is_refused_in_chinese(client, province_officer):
    response = _get(client, province_officer, "/api/v1/map/counties?metric=nope")
    assert response.status_code == 422
    assert "metric" in response.json()["detail"]


def test_the_map_page_embeds_the_scoped_figures_and_links_each_county(client, county_officer):
    client.force_login(county_officer)
    page = client.get("/overview/map/").content.decode()
    start = page.index('id="county-map-data"')
    data = json.loads(page[page.index(">", start) + 1 : page.index("</script>", start)])
    assert [c["code"] for c in data["cells"]] == [county_officer.county.code]
    assert data["cells"][0]["url"] == f"/registry/counties/{county_officer.county.code}/"
    assert data["prefectures"] == [county_officer.county.prefecture.code]
    assert "边界不作为权属依据" in page


def test_activities_on_the_map_add_up_to_the_confirmed_list(client, province_officer):
    from bangfu.activities.selectors import ActivityFilters, activity_list_for_user

    body = _get(client, province_officer, "/api/v1/map/counties?metric=activities").json()
    today = today_local()
    confirmed = (
        activity_list_for_user(user=province_officer, filters=ActivityFilters(confirmed=True))
        .filter(date__year=today.year, date__lte=today)
        .count()
    )
    assert sum(f["properties"]["value"] for f in body["features"]) == confirmed > 0


@pytest.mark.parametrize("metric", ["coverage", "agreements", "experts", "activities", "standard"])
def test_map_queries_do_not_grow_with_partnerships(
    client, province_officer, metric, django_assert_max_num_queries
):
    from bangfu.partnerships.models import Agreement, Partnership
    from bangfu.registry.models import County, Institution

    client.force_login(province_officer)
    url = f"/overview/map/?metric={metric}"
    client.get(url)
    with django_assert_max_num_queries(40) as before:
        client.get(url)
    template = Agreement.objects.exclude(signed_on=None).first()
    helper = template.partnership.helper
    county = County.objects.get(code="520526")
    for n in range(4):
        recipient = Institution.objects.create(
            name=f"地图测试受扶医院{n}",
            category="recipient",
            county=county,
            prefecture=county.prefecture,
        )
        partnership = Partnership.objects.create(
            helper=helper, recipient=recipient, modes=["east_west"]
        )
        Agreement.objects.create(
            partnership=partnership,
            party_c="测试",
            start=template.start,
            end=template.end,
            signed_on=template.signed_on,
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(url)


@pytest.mark.parametrize("persona", ["province_officer", "prefecture_officer"])
def test_agreements_on_the_map_equal_the_partnerships_in_force_on_the_list(
    client, request, persona
):
    from collections import Counter

    from bangfu.partnerships.selectors import partnership_list_for_user

    user = request.getfixturevalue(persona)
    body = _get(client, user, "/api/v1/map/counties?metric=agreements").json()
    shown = {f["properties"]["code"]: f["properties"]["value"] for f in body["features"]}
    expected = Counter(
        row.partnership.recipient.county.code
        for row in partnership_list_for_user(user=user, today=today_local())
        if row.partnership.recipient.county and row.status and row.status.in_force
    )
    assert {code: n for code, n in shown.items() if n} == dict(expected)
    assert sum(expected.values()) > 0


def test_standard_share_on_the_map_equals_the_capability_summary_per_county(
    client, province_officer
):
    from bangfu.capability.selectors import capability_summary, summary_year

    body = _get(client, province_officer, "/api/v1/map/counties?metric=standard").json()
    assert body["metric"] == "standard"
    properties = {f["properties"]["code"]: f["properties"] for f in body["features"]}
    assert len(properties) == 88
    year = summary_year(today_local())
    with_data = 0
    for code, shown in properties.items():
        county = capability_summary(year=year, user=province_officer, county=code)
        if county.assisted:
            with_data += 1
            assert shown["value"] == county.percent == round(county.share * 100), code
            assert f"{county.meeting_standard}/{county.assisted} 家达标" in shown["label"]
        else:
            assert shown["value"] is None, code
            assert shown["label"].startswith("无数据"), code
    assert 0 < with_data < 88


def test_standard_share_is_scoped_like_the_other_metrics(client, county_officer):
    body = _get(client, county_officer, "/api/v1/map/counties?metric=standard").json()
    assert [f["properties"]["code"] for f in body["features"]] == [county_officer.county.code]


def test_the_map_page_offers_exactly_the_metrics_the_api_accepts(client, province_officer):
    """One list (`MapMetric`): every metric the page links to answers on the API and on the
    page, with figures for the 88 units; the API refuses any other."""
    import re

    from bangfu.overview.selectors import MapMetric

    client.force_login(province_officer)
    page = client.get("/overview/map/").content.decode()
    offered = re.findall(r'href="\?metric=([a-z_]+)"', page)
    assert offered == [m.value for m in MapMetric]
    assert set(offered) >= {"coverage", "agreements", "experts", "activities", "standard"}
    for metric in offered:
        api = _get(client, province_officer, f"/api/v1/map/counties?metric={metric}")
        assert api.status_code == 200, metric
        assert len(api.json()["features"]) == 88, metric
        client.force_login(province_officer)
        shown = client.get(f"/overview/map/?metric={metric}").content.decode()
        start = shown.index('id="county-map-data"')
        data = json.loads(shown[shown.index(">", start) + 1 : shown.index("</script>", start)])
        assert data["metric"] == metric and len(data["cells"]) == 88, metric
        assert all(c["label"] for c in data["cells"]), metric
