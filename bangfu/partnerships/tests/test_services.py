"""Partnership services: create / renew / terminate / sign / file write audit rows; bad input writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.core.models import AuditEntry
from bangfu.partnerships.demo import demo_measures
from bangfu.partnerships.models import Agreement, AgreementMeasure, Partnership
from bangfu.partnerships.services import (
    AgreementInput,
    agreement_record_filing,
    agreement_record_signing,
    agreement_renew,
    agreement_terminate,
    partnership_create,
)
from bangfu.registry.models import Institution

pytestmark = pytest.mark.django_db


@pytest.fixture
def helper():
    return Institution.objects.get(name="上海演示第7医院")


@pytest.fixture
def recipient():
    return Institution.objects.get(name="威宁彝族回族苗族自治县中医医院")


def counts():
    return (
        Partnership.objects.count(),
        Agreement.objects.count(),
        AgreementMeasure.objects.count(),
        AuditEntry.objects.count(),
    )


def create(actor, helper, recipient, **agreement):
    data = {
        "start": date(2025, 3, 1),
        "signed_on": date(2025, 2, 20),
        "measures": demo_measures(),
    } | agreement
    return partnership_create(
        actor=actor,
        helper=helper,
        recipient=recipient,
        modes=["east_west"],
        agreement=AgreementInput(**data),
    )


def test_create_writes_partnership_agreement_measures_and_two_audit_rows(
    province_officer, helper, recipient
):
    before = counts()
    partnership = create(province_officer, helper, recipient)
    agreement = partnership.agreements.get()
    assert (agreement.start, agreement.end) == (
        date(2025, 3, 1),
        date(2028, 2, 29),
    )  # §七 3-year default
    assert agreement.party_c == "威宁彝族回族苗族自治县人民政府"
    assert agreement.measures.get(code="M01").targets == {
        "team_size": "4",
        "captains": "1",
        "residence_years": "1",
    }
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 5, before[3] + 2)
    rows = AuditEntry.objects.filter(actor=province_officer).order_by("-id")[:2][::-1]
    assert [r.object_type for r in rows] == ["partnerships.partnership", "partnerships.agreement"]
    assert rows[1].after["measures"]["M07"] == {"rules_per_year": "10"}


BAD_AGREEMENTS = [
    ("end before start", {"end": date(2025, 2, 1)}, "end", "应晚于开始日期"),
    ("no measure", {"measures": {}}, "measures", "请至少选择一项帮扶措施"),
    ("team of 6", {"measures": demo_measures(team_size=6)}, "measures.M01.team_size", "不得高于5"),
    (
        "rules under 10",
        {"measures": demo_measures() | {"M07": {"rules_per_year": "8"}}},
        "measures.M07.rules_per_year",
        "不得低于10",
    ),
    (
        "3X ratio text",
        {"measures": {"M15": {"departments_per_member": "三个"}}},
        "measures.M15.departments_per_member",
        "应填写数字",
    ),
    ("missing target", {"measures": {"M03": {}}}, "measures.M03.specialties_per_year", "未填写"),
    (
        "multiplier above policy",
        {"guarantee_overrides": {"top_up_multiplier": "2"}},
        "guarantee_terms.top_up_multiplier",
        "1.5",
    ),
    (
        "insurance below 100万",
        {"guarantee_overrides": {"insurance_min_coverage": "500000"}},
        "guarantee_terms.insurance_min_coverage",
        "1000000",
    ),
    ("signed in the future", {"signed_on": date(2099, 1, 1)}, "signed_on", "不能晚于今天"),
]


@pytest.mark.parametrize(
    ("case", "change", "field", "message"), BAD_AGREEMENTS, ids=[c[0] for c in BAD_AGREEMENTS]
)
def test_invalid_agreement_changes_nothing(
    province_officer, helper, recipient, case, change, field, message
):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        create(province_officer, helper, recipient, **change)
    assert field in exc.value.message_dict, exc.value.message_dict
    assert message in "".join(exc.value.message_dict[field])
    assert counts() == before


def test_helper_must_be_out_of_province_3a_unless_an_exception_is_recorded(
    province_officer, recipient
):
    unknown_grade = Institution.objects.get(name="广州市第十二人民医院")
    with pytest.raises(ValidationError) as exc:
        create(province_officer, unknown_grade, recipient)
    assert "三甲" in str(exc.value.message_dict["helper"])
    partnership = create(
        province_officer,
        unknown_grade,
        recipient,
        helper_exception=True,
        helper_exception_reason="专科优势突出",
    )
    assert partnership.agreements.get().helper_exception_reason == "专科优势突出"


def test_in_province_hospital_cannot_be_a_helper(province_officer, recipient):
    leading = Institution.objects.get(name="毕节市第一人民医院（演示）")
    with pytest.raises(ValidationError) as exc:
        create(province_officer, leading, recipient)
    assert "不是帮扶医院" in str(exc.value.message_dict["helper"])


def test_duplicate_pair_is_refused(province_officer, helper, recipient):
    create(province_officer, helper, recipient)
    with pytest.raises(ValidationError, match="已存在"):
        create(province_officer, helper, recipient)


@pytest.mark.parametrize("who", ["recipient_user", "helper_user", "expert_user", "observer_user"])
def test_only_health_departments_register_partnerships(request, who, helper, recipient):
    before = counts()
    with pytest.raises(PermissionDenied):
        create(request.getfixturevalue(who), helper, recipient)
    assert counts() == before


def test_county_officer_cannot_register_outside_its_county(county_officer, helper):
    other = Institution.objects.get(name="南明区人民医院")
    with pytest.raises(PermissionDenied, match="不在您的管辖范围内"):
        create(county_officer, helper, other)
    assert create(
        county_officer, helper, Institution.objects.get(name="威宁彝族回族苗族自治县妇幼保健院")
    )


def test_renewal_is_prefilled_from_the_last_cycle_and_audited(province_officer, helper, recipient):
    partnership = create(
        province_officer, helper, recipient, guarantee_overrides={"top_up_multiplier": "1.2"}
    )
    first = partnership.agreements.get()
    second = agreement_renew(actor=province_officer, previous=first)
    assert second.previous == first and second.cycle_number == 2
    assert (second.start, second.end) == (date(2028, 3, 1), date(2031, 2, 28))
    assert {m.code: m.targets for m in second.measures.all()} == {
        m.code: m.targets for m in first.measures.all()
    }
    assert second.guarantee_overrides == {"top_up_multiplier": "1.2"}
    entry = AuditEntry.objects.get(object_type="partnerships.agreement", object_id=str(second.pk))
    assert entry.action == "renew" and f"#{first.pk}" in entry.note
    with pytest.raises(ValidationError, match="已续签"):
        agreement_renew(actor=province_officer, previous=first)


def test_renewal_may_not_overlap_the_previous_cycle(province_officer, helper, recipient):
    first = create(province_officer, helper, recipient).agreements.get()
    before = counts()
    with pytest.raises(ValidationError) as exc:
        agreement_renew(
            actor=province_officer, previous=first, data=AgreementInput(start=date(2027, 1, 1))
        )
    assert "重叠" in str(exc.value.message_dict["start"])
    assert counts() == before


def test_terminate_requires_a_reason_and_a_date_in_the_period(province_officer, helper, recipient):
    agreement = create(province_officer, helper, recipient).agreements.get()
    with pytest.raises(ValidationError) as exc:
        agreement_terminate(
            actor=province_officer, agreement=agreement, on=date(2030, 1, 1), reason=""
        )
    assert set(exc.value.message_dict) == {"reason", "on"}
    agreement_terminate(
        actor=province_officer, agreement=agreement, on=date(2026, 6, 1), reason="帮扶医院撤回"
    )
    agreement.refresh_from_db()
    assert agreement.terminated_on == date(2026, 6, 1)
    entry = AuditEntry.objects.filter(object_id=str(agreement.pk), action="terminate").get()
    assert entry.before == {"terminated_on": None, "termination_reason": ""}
    assert entry.after["termination_reason"] == "帮扶医院撤回"


def test_filing_needs_a_signed_agreement_and_is_audited(province_officer, helper, recipient):
    agreement = create(province_officer, helper, recipient, signed_on=None).agreements.get()
    with pytest.raises(ValidationError, match="尚未签订"):
        agreement_record_filing(
            actor=province_officer, agreement=agreement, level="county", filed_on=date(2025, 3, 5)
        )
    agreement_record_signing(
        actor=province_officer, agreement=agreement, signed_on=date(2025, 2, 28)
    )
    agreement_record_filing(
        actor=province_officer, agreement=agreement, level="county", filed_on=date(2025, 3, 5)
    )
    agreement.refresh_from_db()
    assert agreement.filed_county_on == date(2025, 3, 5)
    assert (
        AuditEntry.objects.filter(object_id=str(agreement.pk), action__in=["sign", "file"]).count()
        == 2
    )
    with pytest.raises(ValidationError, match="备案层级"):
        agreement_record_filing(
            actor=province_officer, agreement=agreement, level="nation", filed_on=date(2025, 3, 5)
        )


def test_demo_data_holds_every_status_and_a_gap():
    from bangfu.accounts.models import User
    from bangfu.partnerships.selectors import gap_report_for_user, partnership_list_for_user

    province = User.objects.get(username="demo_province")
    rows = partnership_list_for_user(user=province)
    statuses = {c.status.status.value for r in rows for c in r.cycles}
    assert {"draft", "signed", "active", "expiring", "expired", "renewed", "terminated"} <= statuses
    report = gap_report_for_user(user=province)
    assert any(g.days == 100 for g in report.gaps)
    assert any(u.days_since_last_end is None for u in report.unpaired)  # never paired
    assert any(u.days_since_last_end and u.days_since_last_end > 100 for u in report.unpaired)
