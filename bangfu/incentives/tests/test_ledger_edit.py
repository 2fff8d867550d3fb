"""Correcting and removing ledger rows (§六; A2-四(三)): the same people and the same rules as
recording them, one audit row with before/after each, and a confirmation before anything is
deleted."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from bangfu.core.models import AuditEntry
from bangfu.incentives.models import (
    HealthCheck,
    InsurancePolicy,
    TourismCard,
    TravelClaim,
    WorkFund,
)
from bangfu.incentives.services import (
    health_check_create,
    health_check_delete,
    health_check_update,
    insurance_policy_create,
    insurance_policy_delete,
    insurance_policy_update,
    tourism_card_create,
    tourism_card_delete,
    tourism_card_update,
    travel_claim_delete,
    travel_claim_update,
    work_fund_delete,
    work_fund_set,
)
from bangfu.incentives.tests.uploads import receipt

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(recipient_user, expert):
    return insurance_policy_create(
        actor=recipient_user,
        expert=expert,
        insurer="测试保险",
        policy_number="EDIT-1",
        coverage=Decimal("1000000"),
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
    )


@pytest.fixture
def check(recipient_user, expert):
    return health_check_create(
        actor=recipient_user, expert=expert, checked_on=date(2025, 5, 1), provider="县医院"
    )


@pytest.fixture
def card(recipient_user, expert):
    return tourism_card_create(
        actor=recipient_user, expert=expert, card_number="YQ-EDIT-1", issued_on=date(2025, 1, 1)
    )


@pytest.fixture
def fund(recipient_user, pair):
    return work_fund_set(
        actor=recipient_user, recipient=pair.recipient, year=2031, amount=Decimal("150000")
    )


def last_audit(obj):
    return AuditEntry.objects.filter(
        object_type=f"{obj._meta.app_label}.{obj._meta.model_name}", object_id=str(obj.pk)
    ).latest("id")


def audit_count():
    return AuditEntry.objects.count()


# ---- services ----


def test_an_expert_corrects_their_travel_claim_and_the_audit_row_shows_before_and_after(
    claim, expert_user, resident
):
    travel_claim_update(
        actor=expert_user,
        claim=claim,
        deployment=resident,
        date=claim.date,
        amount=Decimal("980.5"),
        note="改签",
    )
    claim.refresh_from_db()
    assert (claim.amount, claim.note) == (Decimal("980.50"), "改签")
    assert claim.receipt.name.endswith(".pdf")
    row = last_audit(claim)
    assert (row.action, row.actor) == ("update", expert_user)
    assert row.before == {"amount": "1180.00", "note": ""}
    assert row.after == {"amount": "980.50", "note": "改签"}


def test_an_update_that_changes_nothing_writes_no_audit_row(claim, expert_user, resident):
    before = audit_count()
    travel_claim_update(
        actor=expert_user,
        claim=claim,
        deployment=resident,
        date=claim.date,
        amount=Decimal("1180"),
    )
    assert audit_count() == before


def test_a_receipt_can_be_replaced_or_removed(claim, expert_user, resident):
    old_name = claim.receipt.name
    travel_claim_update(
        actor=expert_user,
        claim=claim,
        deployment=resident,
        date=claim.date,
        amount=claim.amount,
        receipt=receipt("新票据.png", b"\x89PNG"),
    )
    claim.refresh_from_db()
    assert claim.receipt.name.endswith(".png")
    assert last_audit(claim).before == {"receipt": old_name}
    travel_claim_update(
        actor=expert_user,
        claim=claim,
        deployment=resident,
        date=claim.date,
        amount=claim.amount,
        remove_receipt=True,
    )
    claim.refresh_from_db()
    assert not claim.receipt
    assert last_audit(claim).after == {"receipt": ""}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"days": -400}, "date", "乘车日期应在派驻期内"),
        ({"amount": Decimal("-1")}, "amount", "金额不能为负数"),
        ({"amount": Decimal("1.005")}, "amount", "金额最多保留两位小数"),
        ({"file": "ticket.exe"}, "receipt", "票据应为 PDF、JPG 或 PNG 文件"),
    ],
)
def test_a_bad_travel_claim_correction_is_refused_and_changes_nothing(
    claim, expert_user, resident, change, field, message
):
    before = (audit_count(), claim.date, claim.amount, claim.receipt.name)
    with pytest.raises(ValidationError) as info:
        travel_claim_update(
            actor=expert_user,
            claim=claim,
            deployment=resident,
            date=claim.date + timedelta(days=change.get("days", 0)),
            amount=change.get("amount", Decimal("100")),
            receipt=receipt(change["file"]) if "file" in change else None,
        )
    assert message in info.value.message_dict[field][0]
    claim.refresh_from_db()
    assert (audit_count(), claim.date, claim.amount, claim.receipt.name) == before


def test_the_helper_neither_corrects_nor_deletes_travel_claims(claim, helper_user, resident):
    with pytest.raises(PermissionDenied):
        travel_claim_update(
            actor=helper_user,
            claim=claim,
            deployment=resident,
            date=claim.date,
            amount=Decimal("1"),
        )
    with pytest.raises(PermissionDenied):
        travel_claim_delete(actor=helper_user, claim=claim)
    assert TravelClaim.objects.filter(pk=claim.pk, amount=Decimal("1180.00")).exists()


def test_a_travel_claim_cannot_be_moved_to_a_deployment_the_actor_does_not_pay_for(
    claim, recipient_user, other_expert
):
    with pytest.raises(PermissionDenied):
        travel_claim_update(
            actor=recipient_user,
            claim=claim,
            deployment=other_expert.deployments.get(),
            date=claim.date,
            amount=claim.amount,
        )


def test_insurance_corrections_follow_the_minimum_cover_rule(policy, recipient_user, expert):
    before = audit_count()
    with pytest.raises(ValidationError) as info:
        insurance_policy_update(
            actor=recipient_user,
            policy=policy,
            expert=expert,
            insurer=policy.insurer,
            policy_number=policy.policy_number,
            coverage=Decimal("500000"),
            start=policy.start,
            end=policy.end,
        )
    assert info.value.message_dict["coverage"] == [
        "保额不能低于1000000.00元（依据§六；A2-四(三)3）"
    ]
    assert audit_count() == before
    insurance_policy_update(
        actor=recipient_user,
        policy=policy,
        expert=expert,
        insurer=policy.insurer,
        policy_number=policy.policy_number,  # its own number is not a duplicate
        coverage=Decimal("2000000"),
        start=policy.start,
        end=date(2026, 1, 31),
    )
    policy.refresh_from_db()
    assert policy.coverage == Decimal("2000000.00")
    row = last_audit(policy)
    assert row.before == {"coverage": "1000000.00", "end": "2025-12-31"}
    assert row.after == {"coverage": "2000000.00", "end": "2026-01-31"}


def test_an_insurance_correction_cannot_take_another_policys_number(policy, recipient_user, expert):
    insurance_policy_create(
        actor=recipient_user,
        expert=expert,
        insurer="测试保险",
        policy_number="EDIT-2",
        coverage=Decimal("1000000"),
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
    )
    with pytest.raises(ValidationError) as info:
        insurance_policy_update(
            actor=recipient_user,
            policy=policy,
            expert=expert,
            insurer="测试保险",
            policy_number="EDIT-2",
            coverage=policy.coverage,
            start=policy.start,
            end=policy.end,
        )
    assert info.value.message_dict["policy_number"] == ["该保单已登记"]


def test_the_expert_reads_but_does_not_correct_their_insurance(policy, expert_user, expert):
    with pytest.raises(PermissionDenied):
        insurance_policy_delete(actor=expert_user, policy=policy)
    assert InsurancePolicy.objects.filter(pk=policy.pk).exists()


def test_a_recipient_cannot_move_a_row_to_an_expert_it_does_not_serve(
    check, recipient_user, other_expert
):
    with pytest.raises(PermissionDenied):
        health_check_update(
            actor=recipient_user, check=check, expert=other_expert, checked_on=check.checked_on
        )
    check.refresh_from_db()
    assert check.expert.name == "测试甲"


def test_health_check_corrections_refuse_future_dates(check, recipient_user, expert):
    with pytest.raises(ValidationError) as info:
        health_check_update(
            actor=recipient_user,
            check=check,
            expert=expert,
            checked_on=date.today() + timedelta(days=1),
        )
    assert info.value.message_dict["checked_on"] == ["体检日期不能晚于今天"]
    health_check_update(
        actor=recipient_user, check=check, expert=expert, checked_on=date(2025, 5, 2)
    )
    assert last_audit(check).after == {"checked_on": "2025-05-02", "provider": ""}


def test_tourism_card_corrections_keep_numbers_unique(card, recipient_user, expert):
    tourism_card_create(
        actor=recipient_user, expert=expert, card_number="YQ-EDIT-2", issued_on=date(2025, 1, 1)
    )
    with pytest.raises(ValidationError) as info:
        tourism_card_update(
            actor=recipient_user,
            card=card,
            expert=expert,
            card_number="YQ-EDIT-2",
            issued_on=card.issued_on,
        )
    assert info.value.message_dict["card_number"] == ["该证号已登记"]
    tourism_card_update(
        actor=recipient_user,
        card=card,
        expert=expert,
        card_number="YQ-EDIT-1",
        issued_on=card.issued_on,
        expires_on=date(2027, 12, 31),
        electronic=True,
    )
    assert last_audit(card).after == {"expires_on": "2027-12-31", "electronic": True}


DELETES = {
    "claim": (travel_claim_delete, "claim", "deployment"),
    "policy": (insurance_policy_delete, "policy", "expert"),
    "check": (health_check_delete, "check", "expert"),
    "card": (tourism_card_delete, "card", "expert"),
    "fund": (work_fund_delete, "fund", "recipient"),
}


@pytest.mark.parametrize("kind", list(DELETES))
def test_deleting_a_row_removes_it_and_audits_what_it_was(request, province_officer, kind):
    row = request.getfixturevalue(kind)
    delete, argument, owner = DELETES[kind]
    pk, object_type = row.pk, f"incentives.{row._meta.model_name}"
    delete(actor=province_officer, **{argument: row})
    assert not type(row).objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.filter(object_type=object_type, object_id=str(pk)).latest("id")
    assert (entry.action, entry.actor, entry.after) == ("delete", province_officer, None)
    assert entry.before[owner] == getattr(row, f"{owner}_id")


def test_a_recipient_deletes_only_its_own_work_fund(recipient_user, province_officer, other_pair):
    other = work_fund_set(
        actor=province_officer, recipient=other_pair.recipient, year=2031, amount=Decimal("1")
    )
    with pytest.raises(PermissionDenied):
        work_fund_delete(actor=recipient_user, fund=other)
    assert WorkFund.objects.filter(pk=other.pk).exists()


# ---- pages ----

EDIT_URLS = {
    "claim": "incentives:travel_claim_update",
    "policy": "incentives:insurance_update",
    "check": "incentives:health_check_update",
    "card": "incentives:tourism_card_update",
    "fund": "incentives:work_fund_update",
}
DELETE_URLS = {
    "claim": "incentives:travel_claim_delete",
    "policy": "incentives:insurance_delete",
    "check": "incentives:health_check_delete",
    "card": "incentives:tourism_card_delete",
    "fund": "incentives:work_fund_delete",
}
# Who may correct 甲's rows (and 威宁's work fund): as for recording them. Everyone else who reads
# them is refused (403); the expert does not read work funds at all (404).
WRITERS = {
    "claim": {"demo_province", "demo_recipient", "demo_expert"},
    "policy": {"demo_province", "demo_recipient"},
    "check": {"demo_province", "demo_recipient"},
    "card": {"demo_province", "demo_recipient"},
    "fund": {"demo_province", "demo_recipient"},
}
NOT_READ = {"fund": {"demo_expert"}}


@pytest.mark.parametrize("kind", list(EDIT_URLS))
def test_edit_and_delete_pages_open_for_writers_only(client, request, persona, kind):
    row = request.getfixturevalue(kind)
    client.force_login(persona)
    if persona.username in WRITERS[kind]:
        expected = 200
    elif persona.username in NOT_READ.get(kind, set()):
        expected = 404
    else:
        expected = 403
    edit = client.get(reverse(EDIT_URLS[kind], args=[row.pk]))
    delete = client.get(reverse(DELETE_URLS[kind], args=[row.pk]))
    assert (edit.status_code, delete.status_code) == (expected, expected)
    denied_post = client.post(reverse(DELETE_URLS[kind], args=[row.pk]))
    if expected != 200:
        assert denied_post.status_code == expected
        assert type(row).objects.filter(pk=row.pk).exists()


def test_rows_outside_the_scope_are_not_found(
    client, recipient_user, province_officer, other_expert
):
    other = health_check_create(
        actor=province_officer, expert=other_expert, checked_on=date(2025, 5, 1)
    )
    client.force_login(recipient_user)
    assert client.get(reverse(EDIT_URLS["check"], args=[other.pk])).status_code == 404
    assert client.post(reverse(DELETE_URLS["check"], args=[other.pk])).status_code == 404
    assert client.get(reverse(EDIT_URLS["check"], args=[999_999_999])).status_code == 404
    assert HealthCheck.objects.filter(pk=other.pk).exists()


def test_an_inactive_account_is_sent_to_log_in(client, outsider, policy):
    client.force_login(outsider)
    response = client.get(reverse(EDIT_URLS["policy"], args=[policy.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_edit_page_is_the_create_form_filled_with_the_row(client, recipient_user, policy):
    client.force_login(recipient_user)
    response = client.get(reverse(EDIT_URLS["policy"], args=[policy.pk]))
    html = response.content.decode()
    assert "修改意外伤害保险" in html
    assert 'value="EDIT-1"' in html and 'value="2025-12-31"' in html
    assert response.context["form"]["expert"].value() == policy.expert_id


def test_a_correction_posted_from_the_page_is_saved_and_audited(client, recipient_user, policy):
    client.force_login(recipient_user)
    response = client.post(
        reverse(EDIT_URLS["policy"], args=[policy.pk]),
        {
            "expert": policy.expert_id,
            "insurer": "测试保险",
            "policy_number": "EDIT-1A",
            "coverage": "1000000",
            "start": "2025-01-01",
            "end": "2025-12-31",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?kind=insurance")
    policy.refresh_from_db()
    assert policy.policy_number == "EDIT-1A"
    row = last_audit(policy)
    assert (row.action, row.actor, row.after) == (
        "update",
        recipient_user,
        {"policy_number": "EDIT-1A"},
    )


def test_an_invalid_correction_shows_the_message_on_its_field_and_changes_nothing(
    client, recipient_user, policy
):
    client.force_login(recipient_user)
    before = audit_count()
    response = client.post(
        reverse(EDIT_URLS["policy"], args=[policy.pk]),
        {
            "expert": policy.expert_id,
            "insurer": "测试保险",
            "policy_number": "EDIT-1",
            "coverage": "999999",
            "start": "2025-01-01",
            "end": "2025-12-31",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["coverage"] == [
        "保额不能低于1000000.00元（依据§六；A2-四(三)3）"
    ]
    html = response.content.decode()
    assert 'data-field="coverage"' in html and "保额不能低于1000000.00元" in html
    policy.refresh_from_db()
    assert policy.coverage == Decimal("1000000.00") and audit_count() == before


def test_a_travel_claim_correction_on_the_page_keeps_clears_or_replaces_the_receipt(
    client, expert_user, claim, resident
):
    client.force_login(expert_user)
    url = reverse(EDIT_URLS["claim"], args=[claim.pk])
    data = {"deployment": resident.pk, "date": claim.date.isoformat(), "amount": "1180.00"}
    assert client.post(url, data | {"note": "备注"}).status_code == 302
    claim.refresh_from_db()
    assert claim.note == "备注" and claim.receipt.name.endswith(".pdf")
    bad = client.post(url, data | {"date": "2001-01-01"})
    assert bad.status_code == 400 and "乘车日期应在派驻期内" in bad.content.decode()
    assert client.post(url, data | {"receipt-clear": "on"}).status_code == 302
    claim.refresh_from_db()
    assert not claim.receipt


def test_a_work_fund_correction_keeps_its_hospital_and_year(
    client, recipient_user, fund, other_pair
):
    client.force_login(recipient_user)
    response = client.post(
        reverse(EDIT_URLS["fund"], args=[fund.pk]),
        {"recipient": other_pair.recipient.pk, "year": "2030", "amount": "180000", "note": "更正"},
    )
    assert response.status_code == 302
    fund.refresh_from_db()
    assert (fund.recipient_id, fund.year, fund.amount, fund.note) == (
        fund.recipient_id,
        2031,
        Decimal("180000.00"),
        "更正",
    )
    assert last_audit(fund).before == {"amount": "150000.00", "note": ""}


def test_a_work_fund_over_the_standard_is_refused_on_the_page(client, recipient_user, fund):
    client.force_login(recipient_user)
    response = client.post(
        reverse(EDIT_URLS["fund"], args=[fund.pk]), {"amount": "200000.01", "note": ""}
    )
    assert response.status_code == 400
    assert "不能超过每年200000.00元的标准" in response.content.decode()
    fund.refresh_from_db()
    assert fund.amount == Decimal("150000.00")


def test_get_on_a_delete_url_asks_for_confirmation_and_deletes_nothing(
    client, recipient_user, card
):
    client.force_login(recipient_user)
    before = audit_count()
    response = client.get(reverse(DELETE_URLS["card"], args=[card.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "确认删除旅游优惠证记录「测试甲 旅游优惠证 YQ-EDIT-1」？" in html
    assert "YQ-EDIT-1" in html and 'method="post"' in html
    assert TourismCard.objects.filter(pk=card.pk).exists() and audit_count() == before


def test_posting_the_confirmation_deletes_the_row(client, recipient_user, card):
    client.force_login(recipient_user)
    response = client.post(reverse(DELETE_URLS["card"], args=[card.pk]), follow=True)
    assert response.redirect_chain[-1][0].endswith("?kind=tourism")
    assert "已删除旅游优惠证记录" in response.content.decode()
    assert not TourismCard.objects.filter(pk=card.pk).exists()
    entry = AuditEntry.objects.filter(object_type="incentives.tourismcard").latest("id")
    assert (entry.action, entry.actor, entry.before["card_number"]) == (
        "delete",
        recipient_user,
        "YQ-EDIT-1",
    )


def test_the_ledger_shows_edit_and_delete_links_only_to_those_who_may_write(client, persona, claim):
    client.force_login(persona)
    response = client.get(reverse("incentives:ledger"), {"kind": "travel"})
    html = response.content.decode()
    mine = [row for row in response.context["rows"] if row[0].pk == claim.pk]
    assert len(mine) == 1
    actions = mine[0][2]
    if persona.username in WRITERS["claim"]:
        assert actions == (
            reverse(EDIT_URLS["claim"], args=[claim.pk]),
            reverse(DELETE_URLS["claim"], args=[claim.pk]),
        )
        assert reverse(EDIT_URLS["claim"], args=[claim.pk]) in html
    else:
        assert actions is None
        assert reverse(EDIT_URLS["claim"], args=[claim.pk]) not in html
        assert reverse(DELETE_URLS["claim"], args=[claim.pk]) not in html
