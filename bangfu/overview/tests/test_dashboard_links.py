"""The home page's uncovered target counties are links (issue #10: "coverage is hard to act
on"): one badge per prefecture with uncovered target counties, opening the county list
filtered to exactly those counties; the chart's bars carry the same target."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from bangfu.partnerships.selectors import coverage_on, today_local
from bangfu.registry.models import County

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["province_officer", "prefecture_officer", "county_officer"])
def test_each_uncovered_badge_opens_the_list_of_those_counties(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(reverse("home"))
    html = response.content.decode()
    report = response.context["d"].coverage
    expected = {p.code: p.uncovered for p in report.prefectures if p.uncovered}
    links = dict(
        re.findall(r'data-prefecture="(\d+)" href="([^"]+)"', html)
    )  # prefecture code -> list URL
    assert set(links) == set(expected), who
    uncovered = set(coverage_on(on=today_local(), user=user).uncovered)
    for code, url in links.items():
        listed = client.get(url.replace("&amp;", "&"))
        assert listed.status_code == 200
        codes = {c.code for c in listed.context["page"].paginator.object_list}
        assert len(codes) == expected[code], (who, code)
        assert codes == {c for c in uncovered if County.objects.get(code=c).prefecture.code == code}


def test_the_chart_bars_link_to_the_county_list(client, province_officer):
    client.force_login(province_officer)
    chart = client.get(reverse("home")).context["d"].chart_data()
    assert chart["list_url"] == reverse("registry:county_list")
    assert len(chart["codes"]) == len(chart["names"]) > 1
