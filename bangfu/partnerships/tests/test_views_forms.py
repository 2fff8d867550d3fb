"""The partnership form: policy defaults shown, every service message next to its field, nothing
written on bad input, a valid submission creates the partnership, its agreement and audit rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from bangfu.core.models import AuditEntry
from bangfu.partnerships.models import Agreement, AgreementMeasure, Partnership
from bangfu.registry.models import Institution

from .conftest import form_body

pytestmark = pytest.mark.django_db

URL = "partnerships:partnership_create"


def counts():
    return (
        Partnership.objects.count(),
        Agreement.objects.count(),
        AgreementMeasure.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def recipient(unpaired_recipients) -> Institution:
    return unpaired_recipients[0]


def test_form_shows_the_21_measures_grouped_with_policy_defaults(client, province_officer):
    client.force_login(province_officer)
    response = client.get(reverse(URL))
    form = response.context["form"]
    groups = form.measure_groups()
    assert [(g.label, len(g.measures)) for g in groups] == [("优选项", 7), ("自选项", 14)]
    assert form["measures.M01.team_size"].value() == "3"  # A1-(1) 3-5人
    assert form["measures.M07.rules_per_year"].value() == "10"  # A1-(7) 不少于10项
    assert form["guarantee_terms.top_up_multiplier"].value() == "1.5"  # §六 1.5倍
    assert form["guarantee_terms.tourism_card"].value() is True
    html = response.content.decode()
    assert "积极协商省外三甲医院组团派驻3-5人医疗专家" in html  # A1-(1) full text
    assert 'name="measures.M01.team_size"' in html
    assert "1000000元" in html  # the insurance default (§六 不低于100万元)


def test_form_shows_the_default_end_of_a_three_year_cycle(client, province_officer, today):
    client.force_login(province_officer)
    html = client.get(reverse(URL)).content.decode()
    anniversary = today.replace(year=today.year + 3)  # today is never 29 February here
    assert f">{anniversary - timedelta(days=1):%Y-%m-%d}<" in html


def test_valid_form_creates_partnership_agreement_measures_and_audit_rows(
    client, province_officer, eligible_helper, recipient
):
    client.force_login(province_officer)
    before = counts()
    body = form_body(
        eligible_helper,
        recipient,
        **{"guarantee_terms.work_fund_per_year": "150000", "other_matters": "每季度联席会议"},
    )
    response = client.post(reverse(URL), body)
    partnership = Partnership.objects.get(helper=eligible_helper, recipient=recipient)
    assert response.status_code == 302
    assert response["Location"] == reverse("partnerships:partnership_detail", args=[partnership.pk])
    assert partnership.modes == ["east_west", "telemedicine"]
    assert (partnership.helper_liaison, partnership.recipient_liaison) == ("张联络", "李联络")
    agreement = partnership.agreements.get()
    assert (agreement.start, agreement.end) == (date(2025, 3, 1), date(2028, 2, 29))  # §七
    assert agreement.signed_on == date(2025, 2, 20)
    assert agreement.party_c == f"{recipient.county.name}人民政府"
    assert {m.code: m.targets for m in agreement.measures.all()} == {
        "M01": {"team_size": "4", "captains": "1", "residence_years": "1"},
        "M07": {"rules_per_year": "12"},
    }
    assert agreement.guarantee_overrides == {"work_fund_per_year": "150000"}
    assert agreement.other_matters == "每季度联席会议"
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 2, before[3] + 2)
    actions = list(
        AuditEntry.objects.filter(actor=province_officer)
        .order_by("-id")[:2]
        .values_list("object_type", "action")
    )
    assert sorted(actions) == [
        ("partnerships.agreement", "create"),
        ("partnerships.partnership", "create"),
    ]


def test_county_officer_registers_a_partnership_for_its_own_county(
    client, county_officer, eligible_helper
):
    recipient = Institution.objects.get(name="威宁彝族回族苗族自治县中医医院")
    client.force_login(county_officer)
    response = client.post(reverse(URL), form_body(eligible_helper, recipient))
    assert response.status_code == 302
    assert Partnership.objects.filter(helper=eligible_helper, recipient=recipient).exists()


# Each submission breaks several independent rules; every message must land on its own field.
BAD_SUBMISSIONS = {
    "period, targets and terms": (
        {
            "end": "2025-01-01",
            "signed_on": "2099-01-01",
            "measures": ["M01", "M04", "M05", "M07", "M15"],
            "measures.M01.team_size": "6",
            "measures.M04.plan": "",
            "measures.M05.mentor_min_title": "主治医师",
            "measures.M05.plan": "每年带教2名骨干",
            "measures.M07.rules_per_year": "8",
            "measures.M15.departments_per_member": "三个",
            "guarantee_terms.top_up_multiplier": "2",
            "guarantee_terms.work_fund_per_year": "二十万",
        },
        [
            ("end", "应晚于开始日期"),  # §七
            ("signed_on", "不能晚于今天"),
            ("measures.M01.team_size", "不得高于5"),  # A1-(1) 3-5人
            ("measures.M04.plan", "未填写"),
            ("measures.M05.mentor_min_title", "应为以下之一"),  # A1-(5) 副主任医师以上
            ("measures.M07.rules_per_year", "不得低于10"),  # A1-(7) 不少于10项
            ("measures.M15.departments_per_member", "应填写数字"),  # A1-(15) 1:3
            ("guarantee_terms.top_up_multiplier", "不得高于1.5"),  # §六 1.5倍
            ("guarantee_terms.work_fund_per_year", "应填写数字"),
        ],
    ),
    "nothing chosen": (
        {
            "start": "",
            "modes": [],
            "measures": [],
            "guarantee_terms.insurance_min_coverage": "500000",
        },
        [
            ("start", "请填写协议开始日期"),
            ("modes", "请至少选择一种帮扶方式"),  # §二
            ("measures", "请至少选择一项帮扶措施"),  # 附件2 二
            ("guarantee_terms.insurance_min_coverage", "不得低于1000000"),  # §六 不低于100万元
        ],
    ),
    "team of two": ({"measures.M01.team_size": "2"}, [("measures.M01.team_size", "不得低于3")]),
}


@pytest.mark.parametrize("case", list(BAD_SUBMISSIONS))
def test_bad_input_is_shown_on_its_field_and_writes_nothing(
    client, province_officer, eligible_helper, recipient, case
):
    change, expected = BAD_SUBMISSIONS[case]
    client.force_login(province_officer)
    before = counts()
    response = client.post(reverse(URL), form_body(eligible_helper, recipient, **change))
    assert response.status_code == 400
    errors = response.context["form"].errors
    html = response.content.decode()
    for field, message in expected:
        assert any(message in e for e in errors.get(field, [])), (field, errors)
        assert f'data-field="{field}"' in html, field
    assert counts() == before


def test_every_message_is_shown_at_once(client, province_officer, eligible_helper, recipient):
    client.force_login(province_officer)
    body = form_body(
        eligible_helper,
        recipient,
        modes=[],
        end="2024-01-01",
        **{"measures.M01.team_size": "9", "guarantee_terms.top_up_multiplier": "3"},
    )
    errors = client.post(reverse(URL), body).context["form"].errors
    assert {"modes", "end", "measures.M01.team_size", "guarantee_terms.top_up_multiplier"} <= set(
        errors
    )


def test_helper_that_is_not_a_3a_hospital_needs_an_exception_with_a_reason(
    client, province_officer, recipient
):
    panyu = Institution.objects.get(name="广州市番禺区中心医院")  # grade not verified
    client.force_login(province_officer)
    before = counts()
    response = client.post(reverse(URL), form_body(panyu, recipient))
    assert response.status_code == 400
    assert "三甲" in " ".join(response.context["form"].errors["helper"])
    response = client.post(reverse(URL), form_body(panyu, recipient, helper_exception="on"))
    assert "helper_exception_reason" in response.context["form"].errors
    assert counts() == before
    response = client.post(
        reverse(URL),
        form_body(
            panyu, recipient, helper_exception="on", helper_exception_reason="等级待核实，先行登记"
        ),
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get(partnership__helper=panyu, partnership__recipient=recipient)
    assert agreement.helper_exception_reason == "等级待核实，先行登记"


def test_an_existing_pair_is_refused_on_the_recipient_field(
    client, province_officer, eligible_helper, recipient
):
    client.force_login(province_officer)
    assert client.post(reverse(URL), form_body(eligible_helper, recipient)).status_code == 302
    before = counts()
    response = client.post(
        reverse(URL), form_body(eligible_helper, recipient, start="2030-01-01", signed_on="")
    )
    assert response.status_code == 400
    assert "续签" in " ".join(response.context["form"].errors["recipient"])
    assert counts() == before


def test_missing_parties_are_reported_by_the_form(client, province_officer):
    client.force_login(province_officer)
    response = client.post(reverse(URL), {"start": "2025-03-01"})
    assert response.status_code == 400
    assert {"helper", "recipient"} <= set(response.context["form"].errors)


def test_unchecked_tourism_card_is_stored_as_an_override(
    client, province_officer, eligible_helper, recipient
):
    client.force_login(province_officer)
    body = form_body(eligible_helper, recipient, **{"guarantee_terms.tourism_card": None})
    assert client.post(reverse(URL), body).status_code == 302
    agreement = Agreement.objects.get(partnership__recipient=recipient)
    assert agreement.guarantee_overrides == {"tourism_card": False}
