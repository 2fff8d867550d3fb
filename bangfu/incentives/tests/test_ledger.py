"""The ledger (§六; A2-四(三)): travel claims with receipts, insurance, health checks, tourism
cards and work funds. Writes are audited and refused by field; reads follow the scope."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.core.models import AuditEntry
from bangfu.incentives.models import InsurancePolicy, TravelClaim, WorkFund
from bangfu.incentives.services import (
    health_check_create,
    insurance_policy_create,
    tourism_card_create,
    travel_claim_create,
    work_fund_set,
)
from bangfu.incentives.tests.uploads import receipt
from bangfu.people.tests.fixtures import VISIBLE, deploy, make_expert

pytestmark = pytest.mark.django_db


def test_an_expert_records_their_own_travel_claim_with_a_receipt(claim, expert_user):
    assert claim.receipt.name.endswith(".pdf")
    row = AuditEntry.objects.filter(object_type="incentives.travelclaim").latest("id")
    assert row.actor == expert_user and row.after["amount"] == "1180.00"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"days": -1}, "date", "乘车日期应在派驻期内"),
        ({"amount": Decimal("-1")}, "amount", "金额不能为负数"),
        ({"file": "ticket.exe"}, "receipt", "票据应为 PDF、JPG 或 PNG 文件"),
    ],
)
def test_bad_travel_claims_are_refused_and_write_nothing(
    expert_user, resident, change, field, message
):
    before = (TravelClaim.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as info:
        travel_claim_create(
            actor=expert_user,
            deployment=resident,
            date=resident.start + timedelta(days=change.get("days", 5)),
            amount=change.get("amount", Decimal("100")),
            receipt=receipt(change.get("file", "ticket.pdf")),
        )
    assert message in info.value.message_dict[field][0]
    assert (TravelClaim.objects.count(), AuditEntry.objects.count()) == before


def test_a_future_trip_cannot_be_claimed(expert_user, resident):
    with pytest.raises(ValidationError) as info:
        travel_claim_create(
            actor=expert_user,
            deployment=resident,
            date=date.today() + timedelta(days=3),
            amount=Decimal("100"),
        )
    assert "乘车日期不能晚于今天" in info.value.message_dict["date"]


def test_the_helper_does_not_record_travel_claims(helper_user, resident):
    with pytest.raises(PermissionDenied):
        travel_claim_create(
            actor=helper_user, deployment=resident, date=resident.start, amount=Decimal("1")
        )


def test_insurance_cover_below_one_million_is_refused_citing_the_clause(recipient_user, expert):
    with pytest.raises(ValidationError) as info:
        insurance_policy_create(
            actor=recipient_user,
            expert=expert,
            insurer="测试保险",
            policy_number="P-1",
            coverage=Decimal("999999.99"),
            start=date(2025, 1, 1),
            end=date(2025, 12, 31),
        )
    assert info.value.message_dict["coverage"] == [
        "保额不能低于1000000.00元（依据§六；A2-四(三)3）"
    ]
    assert not InsurancePolicy.objects.filter(policy_number="P-1").exists()


def test_insurance_and_health_check_clear_the_team_warnings(client, recipient_user, expert, team):
    insurance_policy_create(
        actor=recipient_user,
        expert=expert,
        insurer="测试保险",
        policy_number="P-2",
        coverage=Decimal("1000000"),
        start=date(date.today().year, 1, 1),
        end=date(date.today().year, 12, 31),
    )
    health_check_create(actor=recipient_user, expert=expert, checked_on=date.today())
    client.force_login(recipient_user)
    html = client.get(reverse("people:team_detail", args=[team.pk])).content.decode()
    assert "测试甲未办理人身意外伤害保险" not in html
    assert "测试甲" + str(date.today().year) + "年健康体检0次" not in html


def test_only_the_paying_recipient_or_the_province_records_for_an_expert(
    helper_user, county_officer, recipient_user, other_expert
):
    for actor in (helper_user, county_officer, recipient_user):  # 乙 serves 南明, not 威宁
        with pytest.raises(PermissionDenied):
            health_check_create(actor=actor, expert=other_expert, checked_on=date(2025, 5, 1))


def test_tourism_card_numbers_are_unique(province_officer, expert):
    tourism_card_create(
        actor=province_officer, expert=expert, card_number="YQ-1", issued_on=date(2025, 1, 1)
    )
    with pytest.raises(ValidationError) as info:
        tourism_card_create(
            actor=province_officer, expert=expert, card_number="YQ-1", issued_on=date(2025, 2, 1)
        )
    assert info.value.message_dict["card_number"] == ["该证号已登记"]


def test_work_fund_is_capped_at_the_standard_and_a_second_entry_corrects_it(recipient_user, pair):
    with pytest.raises(ValidationError) as info:
        work_fund_set(
            actor=recipient_user, recipient=pair.recipient, year=2031, amount=Decimal("200000.01")
        )
    assert info.value.message_dict["amount"] == [
        "不能超过每年200000.00元的标准（依据§六；A2-四(三)5）"
    ]
    work_fund_set(
        actor=recipient_user, recipient=pair.recipient, year=2031, amount=Decimal("150000")
    )
    fund = work_fund_set(
        actor=recipient_user, recipient=pair.recipient, year=2031, amount=Decimal("200000")
    )
    assert WorkFund.objects.filter(recipient=pair.recipient, year=2031).count() == 1
    assert fund.amount == Decimal("200000")
    row = AuditEntry.objects.filter(object_type="incentives.workfund").latest("id")
    assert (row.action, row.before, row.after) == (
        "update",
        {"amount": "150000.00"},
        {"amount": "200000"},
    )


def test_a_recipient_records_only_its_own_work_fund(recipient_user, other_pair):
    with pytest.raises(PermissionDenied):
        work_fund_set(
            actor=recipient_user, recipient=other_pair.recipient, year=2031, amount=Decimal("1")
        )


def test_ledger_pages_follow_the_scope(client, persona, claim, province_officer, expert):
    health_check_create(actor=province_officer, expert=expert, checked_on=date(2025, 6, 1))
    client.force_login(persona)
    for kind in ("travel", "health"):
        page = client.get(reverse("incentives:ledger"), {"kind": kind}).context["page"]
        names = {
            (o.deployment.expert.name if kind == "travel" else o.expert.name)
            for o in page.paginator.object_list
        }
        assert ("测试甲" in names) == ("甲" in VISIBLE[persona.username]), kind


def test_receipts_download_in_scope_and_404_outside(client, persona, claim):
    client.force_login(persona)
    response = client.get(reverse("incentives:travel_claim_receipt", args=[claim.pk]))
    if "甲" in VISIBLE[persona.username]:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    else:
        assert response.status_code == 404


def test_travel_claim_form_posts_with_a_file(client, expert_user, resident):
    client.force_login(expert_user)
    response = client.post(
        reverse("incentives:travel_claim_create"),
        {
            "deployment": resident.pk,
            "date": (resident.start + timedelta(days=3)).isoformat(),
            "amount": "880.50",
            "receipt": receipt("车票.png", b"\x89PNG"),
        },
    )
    assert response.status_code == 302
    assert TravelClaim.objects.filter(deployment=resident, amount=Decimal("880.50")).exists()


def test_a_bad_form_post_shows_the_field_error(client, expert_user, resident):
    client.force_login(expert_user)
    response = client.post(
        reverse("incentives:travel_claim_create"),
        {"deployment": resident.pk, "date": "2001-01-01", "amount": "10"},
    )
    assert response.status_code == 400
    assert "乘车日期应在派驻期内" in response.content.decode()


def test_ledger_page_query_count_is_constant(client, province_officer, recipient_user, team, claim):
    client.force_login(recipient_user)
    url = reverse("incentives:ledger") + "?kind=travel"

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(3):
        e = make_expert(province_officer, f"台账{i}", team.partnership.helper)
        d = deploy(province_officer, team, e, start=claim.date, months=12)
        travel_claim_create(
            actor=province_officer, deployment=d, date=claim.date, amount=Decimal(9)
        )
    assert count() == before
    assert before <= 10


@pytest.mark.parametrize("kind", ["travel", "insurance", "health", "tourism"])
def test_province_ledger_reads_every_row_without_a_join_over_the_whole_scope(
    client, province_officer, team, claim, kind
):
    """The province's scope is every row: its count and page read the ledger table alone, not
    a semi-join over every deployment or expert (issue #13), and cost the same at two sizes."""
    client.force_login(province_officer)
    url = reverse("incentives:ledger") + f"?kind={kind}"

    def page():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return response, ctx.captured_queries

    _, before = page()
    for i in range(3):
        e = make_expert(province_officer, f"全省{i}", team.partnership.helper)
        d = deploy(province_officer, team, e, start=claim.date, months=12)
        travel_claim_create(
            actor=province_officer, deployment=d, date=claim.date, amount=Decimal(9)
        )
        insurance_policy_create(
            actor=province_officer,
            expert=e,
            insurer="某保险",
            policy_number=f"P-{i}",
            start=claim.date,
            end=claim.date + timedelta(days=364),
            coverage=Decimal(1_000_000),
        )
        health_check_create(actor=province_officer, expert=e, checked_on=claim.date)
        tourism_card_create(
            actor=province_officer, expert=e, card_number=f"T-{i}", issued_on=claim.date
        )
    response, after = page()
    assert len(after) == len(before)
    model = {"travel": "travelclaim", "insurance": "insurancepolicy"}.get(kind, "")
    counts = [q["sql"] for q in after if "COUNT(*)" in q["sql"]]
    assert counts and all(
        "people_deployment" not in sql and "people_expert" not in sql for sql in counts
    ), counts
    total = response.context["page"].paginator.count
    if model:
        assert total == {"travel": TravelClaim, "insurance": InsurancePolicy}[kind].objects.count()
