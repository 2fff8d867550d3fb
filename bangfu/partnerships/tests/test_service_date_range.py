"""Partnership services refuse dates outside 2000-01-01–2100-12-31 before any date arithmetic,
with a ValidationError naming the field, and write nothing (issue #9: renew 9999-01-01 was a 500)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from bangfu.core.models import AuditEntry
from bangfu.partnerships.demo import demo_measures
from bangfu.partnerships.models import Agreement, CountyPlan, Partnership
from bangfu.partnerships.services import (
    AgreementInput,
    agreement_record_filing,
    agreement_record_signing,
    agreement_renew,
    agreement_terminate,
    county_plan_save,
    partnership_create,
)
from bangfu.registry.models import County, Institution

pytestmark = pytest.mark.django_db

RANGE = "2000-01-01 至 2100-12-31"


@pytest.fixture
def helper():
    return Institution.objects.get(name="上海演示第7医院")


@pytest.fixture
def recipient():
    return Institution.objects.get(name="威宁彝族回族苗族自治县中医医院")


@pytest.fixture
def agreement(province_officer, helper, recipient):
    partnership = partnership_create(
        actor=province_officer,
        helper=helper,
        recipient=recipient,
        modes=["east_west"],
        agreement=AgreementInput(
            start=date(2025, 3, 1), signed_on=date(2025, 2, 20), measures=demo_measures()
        ),
    )
    return partnership.agreements.get()


def counts():
    return (
        Partnership.objects.count(),
        Agreement.objects.count(),
        CountyPlan.objects.count(),
        AuditEntry.objects.count(),
    )


def test_renew_with_start_9999_is_refused_naming_start(province_officer, agreement):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        agreement_renew(
            actor=province_officer, previous=agreement, data=AgreementInput(start=date(9999, 1, 1))
        )
    assert list(exc.value.message_dict) == ["start"]
    assert RANGE in exc.value.message_dict["start"][0]
    assert counts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("start", date(9999, 12, 31)),
        ("start", date(1999, 12, 31)),
        ("end", date(2101, 1, 1)),
        ("signed_on", date(1, 1, 1)),
    ],
)
def test_partnership_create_refuses_an_out_of_range_agreement_date(
    province_officer, helper, recipient, field, value
):
    data = {"start": date(2025, 3, 1), "measures": demo_measures(), field: value}
    before = counts()
    with pytest.raises(ValidationError) as exc:
        partnership_create(
            actor=province_officer,
            helper=helper,
            recipient=recipient,
            modes=["east_west"],
            agreement=AgreementInput(**data),
        )
    assert RANGE in " ".join(exc.value.message_dict[field])
    assert counts() == before


def test_the_window_edges_are_accepted(province_officer, helper, recipient):
    partnership = partnership_create(
        actor=province_officer,
        helper=helper,
        recipient=recipient,
        modes=["east_west"],
        agreement=AgreementInput(
            start=date(2098, 1, 1), end=date(2100, 12, 31), measures=demo_measures()
        ),
    )
    assert partnership.agreements.get().end == date(2100, 12, 31)


def test_terminate_sign_and_file_refuse_out_of_range_dates(province_officer, agreement):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        agreement_terminate(
            actor=province_officer, agreement=agreement, on=date(9999, 12, 31), reason="撤回"
        )
    assert list(exc.value.message_dict) == ["on"]
    with pytest.raises(ValidationError) as exc:
        agreement_record_signing(
            actor=province_officer, agreement=agreement, signed_on=date(1970, 1, 1)
        )
    assert list(exc.value.message_dict) == ["signed_on"]
    with pytest.raises(ValidationError) as exc:
        agreement_record_filing(
            actor=province_officer, agreement=agreement, level="province", filed_on=date(1, 1, 1)
        )
    assert "filed_on" in exc.value.message_dict
    assert counts() == before


def test_county_plan_refuses_a_cycle_start_whose_end_would_overflow(province_officer):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        county_plan_save(
            actor=province_officer,
            county=County.objects.get(code="520526"),
            cycle_start=date(9999, 1, 1),
            goals="提升急诊能力",
        )
    assert list(exc.value.message_dict) == ["cycle_start"]
    assert counts() == before
