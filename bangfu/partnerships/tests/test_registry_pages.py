"""Coverage made actionable (issue #10): the county list filters by 已覆盖 / 未覆盖 / 断档 /
即将到期 in the database, with the same rules as the coverage page (`coverage_on`, `gaps_for_user`,
the 即将到期 status of ADR 0012); the county and hospital pages list their partnerships, scoped,
with status and links, in a constant number of queries; the coverage page links to the lists."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bangfu.partnerships.domain.lifecycle import AgreementStatus
from bangfu.partnerships.selectors import (
    PartnershipFilters,
    coverage_on,
    gaps_for_user,
    partnership_list_for_user,
)
from bangfu.partnerships.tests.conftest import WEINING
from bangfu.registry.models import County, Institution
from bangfu.registry.selectors import county_list_for_user

pytestmark = pytest.mark.django_db


def _listed(client, **params) -> set[str]:
    response = client.get(reverse("registry:county_list"), params | {"page": "1"})
    assert response.status_code == 200
    paginator = response.context["page"].paginator
    return {c.code for c in paginator.object_list}


def test_covered_and_uncovered_split_the_counties_as_the_coverage_page_counts(
    client, persona, today
):
    client.force_login(persona)
    everything = {c.code for c in county_list_for_user(user=persona)}
    covered = _listed(client, coverage="covered")
    uncovered = _listed(client, coverage="uncovered")
    assert covered | uncovered == everything and not covered & uncovered
    result = coverage_on(on=today, user=persona)
    assert _listed(client, coverage="covered", programme_group="target") == set(
        result.covered_codes
    )
    assert _listed(client, coverage="uncovered", programme_group="target") == set(result.uncovered)


def test_gap_and_expiring_follow_the_partnership_lists(client, persona, today):
    client.force_login(persona)
    gap_pairs = {g.pair for g in gaps_for_user(user=persona, today=today)}
    rows = partnership_list_for_user(user=persona, today=today)
    gap_counties = {
        r.partnership.recipient.county.code
        for r in rows
        if r.partnership.pk in gap_pairs and r.partnership.recipient.county
    }
    assert _listed(client, coverage="gap") == gap_counties
    expiring = partnership_list_for_user(
        user=persona, today=today, filters=PartnershipFilters(status=AgreementStatus.EXPIRING)
    )
    assert _listed(client, coverage="expiring") == {
        r.partnership.recipient.county.code for r in expiring if r.partnership.recipient.county
    }


def test_the_demo_has_counties_on_both_sides(client, province_officer):
    client.force_login(province_officer)
    assert _listed(client, coverage="covered") and _listed(client, coverage="uncovered")
    assert _listed(client, coverage="expiring") and _listed(client, coverage="gap")


def test_an_unknown_coverage_value_is_a_form_error_not_a_500(client, province_officer):
    client.force_login(province_officer)
    response = client.get(reverse("registry:county_list"), {"coverage": "<script>"})
    assert response.status_code == 200
    assert "coverage" in response.context["form"].errors


def test_the_export_holds_the_filtered_counties(client, county_officer, province_officer):
    client.force_login(province_officer)
    response = client.get(reverse("registry:county_export"), {"coverage": "uncovered"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == _listed(client, coverage="uncovered")


def _count(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _more_partnerships(make_partnership, unpaired_recipients, today, n=3):
    """`n` more partnerships with an agreement in force, in other counties, one lapsed."""
    for i, recipient in enumerate(unpaired_recipients[:n]):
        start = today - timedelta(days=40 if i else 1200)
        make_partnership(recipient, start=start, end=start + timedelta(days=365 if not i else 900))


@pytest.mark.parametrize("coverage", ["covered", "uncovered", "gap", "expiring"])
def test_the_filtered_list_costs_the_same_at_two_sizes(
    client, province_officer, make_partnership, unpaired_recipients, today, coverage
):
    client.force_login(province_officer)
    url = reverse("registry:county_list")
    _count(client, url, coverage=coverage)  # warm caches (policy file, session)
    before = _count(client, url, coverage=coverage)
    _more_partnerships(make_partnership, unpaired_recipients, today)
    assert _count(client, url, coverage=coverage) == before


# ---- the county and hospital pages ----


def test_the_county_page_lists_the_readers_partnerships_with_links(client, persona, today):
    county = County.objects.get(code=WEINING)
    client.force_login(persona)
    response = client.get(reverse("registry:county_detail", args=[WEINING]))
    if response.status_code == 404:
        assert WEINING not in {c.code for c in county_list_for_user(user=persona)}
        return
    html = response.content.decode()
    [section] = response.context["sections"]
    expected = partnership_list_for_user(
        user=persona, today=today, filters=PartnershipFilters(county=WEINING)
    )
    assert [r.partnership.pk for r in section.context["rows"]] == [
        r.partnership.pk for r in expected
    ]
    for row in expected:
        assert reverse("partnerships:partnership_detail", args=[row.partnership.pk]) in html
    covered = WEINING in coverage_on(on=today, user=persona).covered_codes
    assert section.context["covered"] == covered or county.programme_group != "target"
    assert ("已覆盖" if covered else "未覆盖") in html


def test_a_county_officer_sees_why_an_exception_agreement_does_not_cover(
    client, county_officer, make_partnership, eligible_helper, today
):
    """The county officer's "0 / 1 covered" with a partnership 执行中: the county page says
    why the agreement does not count (here the helper's grade is not filled in)."""
    county = County.objects.get(code=WEINING)
    recipient = Institution.objects.create(
        name="威宁测试受扶医院", category="recipient", county=county, prefecture=county.prefecture
    )
    partnership = make_partnership(recipient, start=today - timedelta(days=10))
    Institution.objects.filter(pk=eligible_helper.pk).update(grade="")
    client.force_login(county_officer)
    response = client.get(reverse("registry:county_detail", args=[WEINING]))
    [section] = response.context["sections"]
    [reason] = [e for e in section.context["explanations"] if e.partnership == partnership]
    assert not reason.counts and "等级为未填" in reason.reason
    assert reason.reason in response.content.decode()


def test_the_county_page_costs_the_same_with_more_partnerships(
    client, province_officer, make_partnership, today
):
    county = County.objects.get(code=WEINING)
    client.force_login(province_officer)
    url = reverse("registry:county_detail", args=[WEINING])
    _count(client, url)
    before = _count(client, url)
    helpers = Institution.objects.filter(category="helper", grade="三甲").exclude(province="贵州省")
    for n, helper in enumerate(helpers[:3]):
        recipient = Institution.objects.create(
            name=f"威宁测试医院{n}",
            category="recipient",
            county=county,
            prefecture=county.prefecture,
        )
        make_partnership(recipient, start=today - timedelta(days=10), helper=helper)
    assert _count(client, url) == before
    assert len(client.get(url).context["sections"][0].context["rows"]) >= 3


def test_the_hospital_pages_list_their_partnerships_for_a_party_and_not_other_pairs(
    client, helper_user, recipient_user, province_officer
):
    helper = helper_user.institution
    client.force_login(helper_user)
    response = client.get(reverse("registry:institution_detail", args=[helper.pk]))
    [section] = response.context["sections"]
    expected = partnership_list_for_user(
        user=helper_user, filters=PartnershipFilters(institution=helper.pk)
    )
    assert len(expected) >= 1
    assert {r.partnership.pk for r in section.context["rows"]} == {
        r.partnership.pk for r in expected
    }
    assert all(helper.pk == r.partnership.helper_id for r in section.context["rows"])

    # the recipient reads its own partnerships only, even on its helper's page
    client.force_login(recipient_user)
    response = client.get(reverse("registry:institution_detail", args=[helper.pk]))
    if response.status_code == 200:
        rows = response.context["sections"][0].context["rows"]
        assert all(r.partnership.recipient_id == recipient_user.institution_id for r in rows)


def test_the_hospital_page_costs_the_same_with_more_partnerships(
    client, province_officer, make_partnership, unpaired_recipients, eligible_helper, today
):
    client.force_login(province_officer)
    url = reverse("registry:institution_detail", args=[eligible_helper.pk])
    make_partnership(unpaired_recipients[-1], start=today - timedelta(days=10))
    _count(client, url)
    before = _count(client, url)
    _more_partnerships(make_partnership, unpaired_recipients, today)
    assert _count(client, url) == before
    assert len(client.get(url).context["sections"][0].context["rows"]) >= 3


def test_the_coverage_page_links_to_the_uncovered_county_list(client, province_officer):
    client.force_login(province_officer)
    html = client.get(reverse("partnerships:coverage")).content.decode()
    assert (
        f"{reverse('registry:county_list')}?programme_group=target&amp;coverage=uncovered" in html
    )


def test_the_api_filters_counties_by_coverage_and_names_a_bad_value(api_client, county_officer):
    api_client.login(county_officer)
    everything = {c.code for c in county_list_for_user(user=county_officer)}
    found = {
        value: {
            c["code"]
            for c in api_client.get("/api/v1/counties", coverage=value, page_size=500).json()[
                "items"
            ]
        }
        for value in ("covered", "uncovered")
    }
    assert found["covered"] | found["uncovered"] == everything
    assert not found["covered"] & found["uncovered"]
    refused = api_client.get("/api/v1/counties", coverage="all")
    assert refused.status_code == 422
    assert any(e["field"].endswith("coverage") for e in refused.json()["errors"])
