"""Every partnership page as every persona shows exactly the rows in scope (F12); out of scope is
404, not allowed to write is 403; list and coverage pages cost a constant number of queries."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bangfu.partnerships.models import Agreement, CountyPlan, Partnership
from bangfu.partnerships.services import county_plan_save
from bangfu.registry.models import County, Institution

from .conftest import BIJIE, WEINING

pytestmark = pytest.mark.django_db

MANAGERS = {"demo_province", "demo_prefecture", "demo_county"}


def expected_partnerships(user) -> set[int]:
    """Written from the roles of DESIGN §1, not from the scope code."""
    qs = Partnership.objects.all()
    return set(
        {
            "demo_province": qs,
            "demo_observer": qs,
            "demo_prefecture": qs.filter(recipient__county__prefecture__code=BIJIE),
            "demo_county": qs.filter(recipient__county__code=WEINING),
            "demo_recipient": qs.filter(recipient_id=user.institution_id),
            "demo_helper": qs.filter(helper_id=user.institution_id),
            # an expert reads the partnerships it is deployed on (read-only)
            "demo_expert": qs.filter(teams__deployments__expert__user=user).distinct(),
        }[user.username].values_list("pk", flat=True)
    )


def expected_target_counties(user) -> set[str]:
    targets = County.objects.filter(programme_group="target")
    partner_counties = Partnership.objects.filter(helper_id=user.institution_id).values(
        "recipient__county_id"
    )
    own_county = Institution.objects.filter(pk=user.institution_id).values("county_id")
    return set(
        {
            "demo_province": targets,
            "demo_observer": targets,
            "demo_prefecture": targets.filter(prefecture__code=BIJIE),
            "demo_county": targets.filter(code=WEINING),
            "demo_recipient": targets.filter(pk__in=own_county),
            "demo_helper": targets.filter(pk__in=partner_counties),
            "demo_expert": targets.filter(pk__in=own_county),
        }[user.username].values_list("code", flat=True)
    )


def test_the_demo_gives_every_scoped_role_rows_to_check(
    prefecture_officer, county_officer, helper_user, recipient_user
):
    assert len(expected_partnerships(prefecture_officer)) > len(
        expected_partnerships(county_officer)
    )
    for user in (county_officer, helper_user, recipient_user):
        assert len(expected_partnerships(user)) == 1
    assert len(expected_target_counties(prefecture_officer)) == 7


def test_list_page_shows_exactly_the_partnerships_in_scope(client, persona):
    client.force_login(persona)
    response = client.get(reverse("partnerships:partnership_list"))
    assert response.status_code == 200
    rows = response.context["page"].paginator.object_list
    assert {r.partnership.pk for r in rows} == expected_partnerships(persona)
    shown = {item.row.partnership.pk for item in response.context["items"]}
    assert shown == expected_partnerships(persona)  # one page: fewer rows than PAGE_SIZE


def test_list_page_offers_registration_only_to_officers(client, persona):
    client.force_login(persona)
    html = client.get(reverse("partnerships:partnership_list")).content.decode()
    assert ('data-testid="create"' in html) == (persona.username in MANAGERS)


def test_empty_list_says_so(client, expert_user):
    client.force_login(expert_user)
    response = client.get(reverse("partnerships:partnership_list"), {"q": "不存在的医院名"})
    assert 'data-testid="empty"' in response.content.decode()
    assert "没有符合条件的帮扶关系" in response.content.decode()


def test_export_holds_exactly_the_rows_in_scope(client, persona):
    client.force_login(persona)
    response = client.get(reverse("partnerships:partnership_export"))
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("受扶医院", "县", "市州", "帮扶医院")
    expected = Partnership.objects.filter(pk__in=expected_partnerships(persona))
    assert sorted((r[0], r[3]) for r in rows[1:]) == sorted(
        expected.values_list("recipient__name", "helper__name")
    )


def test_detail_opens_in_scope_and_is_not_found_outside(client, persona):
    client.force_login(persona)
    visible = expected_partnerships(persona)
    hidden = set(Partnership.objects.values_list("pk", flat=True)) - visible
    for pk in [*sorted(visible)[:4], *sorted(hidden)[:4]]:  # a sample keeps the suite fast
        status = client.get(reverse("partnerships:partnership_detail", args=[pk])).status_code
        assert status == (200 if pk in visible else 404), pk


def test_agreement_download_outside_scope_is_not_found(client, county_officer):
    client.force_login(county_officer)
    outside = Agreement.objects.exclude(partnership__recipient__county__code=WEINING).first()
    url = reverse("partnerships:agreement_download", args=[outside.pk, "docx"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("partnerships:agreement_scan", args=[outside.pk])).status_code == 404


def test_actions_outside_scope_are_not_found_and_change_nothing(client, county_officer, today):
    client.force_login(county_officer)
    outside = Agreement.objects.filter(terminated_on__isnull=True).exclude(
        partnership__recipient__county__code=WEINING
    )[0]
    body = {"on": today.isoformat(), "reason": "越权尝试"}
    response = client.post(reverse("partnerships:agreement_terminate", args=[outside.pk]), body)
    assert response.status_code == 404
    outside.refresh_from_db()
    assert outside.terminated_on is None


@pytest.mark.parametrize("name", ["partnership_create", "county_plan_create"])
def test_write_pages_are_forbidden_to_non_officers(client, persona, name):
    client.force_login(persona)
    status = client.get(reverse(f"partnerships:{name}")).status_code
    assert status == (200 if persona.username in MANAGERS else 403)


def test_read_only_users_cannot_act_on_an_agreement_they_can_see(client, recipient_user, today):
    client.force_login(recipient_user)
    agreement = Agreement.objects.filter(
        partnership__recipient_id=recipient_user.institution_id
    ).first()
    response = client.post(
        reverse("partnerships:agreement_terminate", args=[agreement.pk]),
        {"on": today.isoformat(), "reason": "受扶医院不能终止"},
    )
    assert response.status_code == 403
    agreement.refresh_from_db()
    assert agreement.terminated_on is None
    html = client.get(
        reverse("partnerships:partnership_detail", args=[agreement.partnership_id])
    ).content.decode()
    assert 'data-testid="terminate"' not in html
    assert 'data-testid="download-docx"' in html


def test_form_offers_only_recipients_in_the_officers_scope(client, county_officer):
    client.force_login(county_officer)
    form = client.get(reverse("partnerships:partnership_create")).context["form"]
    recipients = set(form.fields["recipient"].queryset.values_list("county__code", flat=True))
    assert recipients == {WEINING}
    assert form.fields["helper"].queryset.exclude(category="helper").count() == 0


def test_a_recipient_outside_scope_cannot_be_submitted(
    client, county_officer, eligible_helper, unpaired_recipients
):
    from .conftest import form_body

    client.force_login(county_officer)
    before = Partnership.objects.count()
    response = client.post(
        reverse("partnerships:partnership_create"),
        form_body(eligible_helper, unpaired_recipients[0]),
    )
    assert response.status_code == 400
    assert "recipient" in response.context["form"].errors
    assert Partnership.objects.count() == before


def test_coverage_page_shows_exactly_the_target_counties_in_scope(client, persona):
    client.force_login(persona)
    response = client.get(reverse("partnerships:coverage"))
    assert response.status_code == 200
    report = response.context["report"]
    shown = {cell.county.code for p in report.prefectures for cell in p.counties}
    assert shown == expected_target_counties(persona)
    assert report.target_total == len(expected_target_counties(persona))
    assert {g.partnership.pk for g in report.gaps} <= expected_partnerships(persona)
    assert {r.partnership.pk for r in report.expiring} <= expected_partnerships(persona)


def test_unpaired_list_holds_only_recipients_in_scope(client, county_officer):
    client.force_login(county_officer)
    report = client.get(reverse("partnerships:coverage")).context["report"]
    recipients = [u.recipient for u in [*report.lapsed, *report.never_paired]]
    assert recipients and {r.county.code for r in recipients} == {WEINING}


def test_county_plans_are_listed_and_opened_only_in_scope(client, persona, province_officer, today):
    weining = County.objects.get(code=WEINING)
    guiyang_county = County.objects.filter(prefecture__code="520100").order_by("code").first()
    plans = {
        code: county_plan_save(
            actor=province_officer, county=county, cycle_start=today, goals="提升急危重症救治能力"
        ).pk
        for code, county in ((WEINING, weining), (guiyang_county.code, guiyang_county))
    }
    client.force_login(persona)
    response = client.get(reverse("partnerships:county_plan_list"))
    listed = {p.pk for p in response.context["page"].paginator.object_list}
    visible_counties = {
        "demo_province": {WEINING, guiyang_county.code},
        "demo_observer": {WEINING, guiyang_county.code},
        "demo_prefecture": {WEINING},
        "demo_county": {WEINING},
        "demo_recipient": {WEINING},
        "demo_helper": {WEINING},  # its partner recipient is in 威宁
        "demo_expert": set(),
    }[persona.username]
    assert listed == {plans[c] for c in visible_counties}
    for code, pk in plans.items():
        status = client.get(reverse("partnerships:county_plan_detail", args=[pk])).status_code
        assert status == (200 if code in visible_counties else 404)


def test_anonymous_visitors_are_sent_to_login(client):
    for name in ("partnership_list", "coverage", "county_plan_list", "partnership_create"):
        response = client.get(reverse(f"partnerships:{name}"))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url_name", ["partnership_list", "partnership_export", "coverage", "coverage_export"]
)
def test_page_query_count_does_not_grow_with_partnerships(
    client, province_officer, make_partnership, unpaired_recipients, today, url_name
):
    client.force_login(province_officer)
    url = reverse(f"partnerships:{url_name}")
    _queries(client, url)  # warm up: session, caches
    before = _queries(client, url)
    for recipient in unpaired_recipients[:4]:
        partnership = make_partnership(recipient, start=today - timedelta(days=400))
        partnership.leading_institutions.set(Institution.objects.filter(category="leading")[:2])
    assert _queries(client, url) == before


def test_county_plan_list_query_count_does_not_grow(client, province_officer, today):
    client.force_login(province_officer)
    url = reverse("partnerships:county_plan_list")
    counties = list(County.objects.order_by("code")[:4])
    county_plan_save(actor=province_officer, county=counties[0], cycle_start=today, goals="目标")
    _queries(client, url)
    before = _queries(client, url)
    for county in counties[1:]:
        county_plan_save(actor=province_officer, county=county, cycle_start=today, goals="目标")
    assert CountyPlan.objects.count() >= 4
    assert _queries(client, url) == before
