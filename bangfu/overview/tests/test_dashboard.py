"""The home page: what needs attention today, per role, scoped."""

from __future__ import annotations

import pytest
from django.db.models import Q
from django.urls import reverse

from bangfu.accounts.models import User
from bangfu.partnerships.models import Agreement, Partnership
from bangfu.partnerships.selectors import coverage_on, today_local
from bangfu.people.models import Deployment, Expert
from bangfu.registry.models import County, Institution

pytestmark = pytest.mark.django_db


def _home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def _on_site(q: Q) -> int:
    day = today_local()
    return (
        Deployment.objects.filter(q, start__lte=day)
        .filter(Q(actual_end__gte=day) | Q(actual_end__isnull=True, planned_end__gte=day))
        .count()
    )


def test_province_sees_province_wide_coverage_and_a_chart_by_prefecture(client, province_officer):
    response = _home(client, province_officer)
    d = response.context["d"]
    assert d.coverage.covered == coverage_on(on=today_local()).covered
    assert d.coverage.target_total == County.objects.filter(programme_group="target").count()
    chart = d.chart_data()
    assert sum(chart["covered"]) == d.coverage.covered
    assert sum(chart["covered"]) + sum(chart["uncovered"]) == d.coverage.target_total
    html = response.content.decode()
    assert 'id="coverage-data"' in html and "coverage-chart" in html
    assert d.on_site_today == _on_site(Q())
    assert d.on_site_today > 0  # the demo data has teams on site
    assert d.partnerships == []  # officers get the report, not a list of pairs


def test_expiring_card_counts_agreements_in_force_that_end_within_the_window(
    client, province_officer
):
    d = _home(client, province_officer).context["d"]
    day = today_local()
    expected = {
        r.partnership.pk
        for r in d.coverage.expiring
        if r.current is not None and 0 <= (r.current.agreement.end - day).days <= 90
    }
    assert len(expected) == len(d.coverage.expiring) > 0  # the demo mix has expiring ones


def test_county_officer_sees_only_its_county(client, county_officer):
    response = _home(client, county_officer)
    d = response.context["d"]
    assert d.coverage.target_total <= 1
    assert all(r.partnership.recipient.county.code == "520526" for r in d.coverage.expiring)
    assert d.on_site_today == _on_site(Q(team__partnership__recipient__county__code="520526"))
    assert "coverage-chart" not in response.content.decode()  # one county: no chart


def test_prefecture_officer_chart_has_only_its_prefecture(client, prefecture_officer):
    d = _home(client, prefecture_officer).context["d"]
    assert [p.code for p in d.coverage.prefectures] == ["520500"]
    assert (
        d.coverage.target_total
        == County.objects.filter(prefecture__code="520500", programme_group="target").count()
    )


def test_helper_user_sees_its_own_partnerships(client, helper_user):
    response = _home(client, helper_user)
    d = response.context["d"]
    assert d.coverage is None
    own = set(
        Partnership.objects.filter(helper=helper_user.institution).values_list("pk", flat=True)
    )
    assert {r.partnership.pk for r in d.partnerships} == own
    assert own  # the demo helper has partnerships
    html = response.content.decode()
    other = Partnership.objects.exclude(helper=helper_user.institution).first()
    assert reverse("partnerships:partnership_detail", args=[other.pk]) not in html
    for pk in own:
        assert reverse("partnerships:partnership_detail", args=[pk]) in html
    counts = {c.status: c.count for c in d.status_counts}
    assert sum(counts.values()) == len([r for r in d.partnerships if r.status is not None])


def test_recipient_user_sees_partnerships_of_its_hospital(client, recipient_user):
    d = _home(client, recipient_user).context["d"]
    assert {r.partnership.recipient_id for r in d.partnerships} <= {recipient_user.institution_id}
    assert d.on_site_today == _on_site(Q(team__partnership__recipient=recipient_user.institution))


def test_expert_gets_a_link_to_their_own_statement(client, expert_user):
    response = _home(client, expert_user)
    expert = Expert.objects.get(user=expert_user)
    assert response.context["d"].expert == expert
    assert reverse("incentives:statement", args=[expert.pk]) in response.content.decode()


def test_helper_without_partnerships_sees_the_empty_state(client):
    from bangfu.accounts.models import Role, User
    from bangfu.registry.models import Institution

    lonely = Institution.objects.filter(
        category="helper", partnerships_as_helper__isnull=True
    ).first()
    user = User.objects.create_user(
        username="lonely_helper", password="x-Lonely-9", role=Role.HELPER, institution=lonely
    )
    response = _home(client, user)
    d = response.context["d"]
    assert d.partnerships == [] and d.on_site_today == 0
    assert "暂无帮扶关系" in response.content.decode()


@pytest.mark.parametrize("persona_name", ["province_officer", "county_officer", "helper_user"])
def test_home_query_count_does_not_grow_with_agreements(
    client, persona_name, request, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(persona_name))
    client.get(reverse("home"))  # warm caches (policy file, session)
    with django_assert_max_num_queries(16) as before:
        client.get(reverse("home"))
    template = Agreement.objects.select_related("partnership").first()
    helper = User.objects.get(username="demo_helper").institution
    county = County.objects.get(code="520526")
    for n in range(3):
        recipient = Institution.objects.create(
            name=f"测试受扶医院{n}",
            category="recipient",
            county=county,
            prefecture=county.prefecture,
        )
        partnership = Partnership.objects.create(
            helper=helper, recipient=recipient, modes=["east_west"]
        )
        Agreement.objects.create(
            partnership=partnership,
            party_c=f"{county.name}人民政府",
            start=template.start,
            end=template.end,
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(reverse("home"))
