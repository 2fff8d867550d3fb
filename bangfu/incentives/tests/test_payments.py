"""Payments are history (§六; A2-四(三)): the recipient hospital approves a statement and it
becomes a frozen payment; a later change shows as an adjustment in a later period, never as a
rewrite; budgets show paid next to forecast; only the paying hospital approves, and only once.

The fixture expert 甲 is resident at 威宁 (recipient_user's hospital) from 10 January last year,
planned for two years, with a prior-year pay of 300,000 yuan and no 表现突出 recognition."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from bangfu.core.duplicates import DuplicateError
from bangfu.core.models import AuditEntry
from bangfu.incentives.budget_selectors import budget_for_user
from bangfu.incentives.domain.payments import FrozenLine, approved_amounts
from bangfu.incentives.models import Payment
from bangfu.incentives.payment_services import statement_approve
from bangfu.incentives.permissions import statement_approval_recipient
from bangfu.incentives.statement_selectors import expert_statement_for_user
from bangfu.people.services import deployment_end
from bangfu.people.tests.fixtures import PAY
from bangfu.policy.domain.periods import Period

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")


def year() -> int:
    return date.today().year - 1


def first_half() -> Period:
    return Period(date(year(), 1, 1), date(year(), 6, 30))


def second_half() -> Period:
    return Period(date(year(), 7, 1), date(year(), 12, 31))


def days_in(y: int) -> int:
    return (date(y + 1, 1, 1) - date(y, 1, 1)).days


def first_half_by_hand() -> Decimal:
    """Top-up 0.5 × pay × d / Y (d = 10 January to 30 June) plus the 2000 settling-in."""
    d = (date(year(), 6, 30) - date(year(), 1, 10)).days + 1
    top_up = (Decimal("0.5") * PAY * d / days_in(year())).quantize(CENT, ROUND_HALF_UP)
    return top_up + Decimal("2000.00")


@pytest.fixture
def approved(recipient_user, expert, resident):
    return statement_approve(
        actor=recipient_user, expert=_expert(recipient_user, expert), period=first_half()
    )


def _expert(user, expert):
    from bangfu.people.selectors import expert_get_for_user

    return expert_get_for_user(user=user, pk=expert.pk)


def test_approval_freezes_lines_and_total(recipient_user, expert, approved):
    payment = Payment.objects.get(pk=approved.pk)
    assert payment.total == first_half_by_hand()
    assert payment.recipient_id == recipient_user.institution_id
    assert (payment.period_start, payment.period_end) == (first_half().start, first_half().end)
    assert payment.approved_by == recipient_user
    assert payment.policy_version == "guizhou_2025"
    items = {line["item"]: line for line in payment.lines}
    assert set(items) == {"salary_top_up", "settling_in"}
    assert items["settling_in"]["amount"] == "2000.00"
    assert items["salary_top_up"]["days"] == (date(year(), 6, 30) - date(year(), 1, 10)).days + 1
    assert "A2-四(三)2" in items["salary_top_up"]["clause"]
    assert sum(Decimal(line["amount"]) for line in payment.lines) == payment.total
    audit = AuditEntry.objects.filter(object_type="incentives.payment", object_id=str(payment.pk))
    assert audit.count() == 1
    assert str(PAY) not in str(audit.get().after)


def test_a_later_change_adjusts_the_next_period_and_never_rewrites(
    province_officer, recipient_user, expert, resident, approved
):
    frozen = (approved.total, list(approved.lines))
    # The stay is cut short before the first half ends: under a year, so no top-up and no
    # settling-in for the first half any more (§六: 常驻满1年).
    deployment_end(actor=province_officer, deployment=resident, actual_end=date(year(), 5, 31))
    approved.refresh_from_db()
    assert (approved.total, approved.lines) == frozen

    later = expert_statement_for_user(
        user=recipient_user, expert_id=expert.pk, period=second_half()
    )
    rows = [row for row in later.rows if row.item == "adjustment"]
    assert len(rows) == 1
    assert rows[0].amount == Decimal("0.00") - first_half_by_hand()
    assert later.total == -first_half_by_hand()
    assert "原支付记录不变" in rows[0].reason

    # Approving the later statement freezes the adjustment; a third period carries nothing.
    second = statement_approve(
        actor=recipient_user, expert=_expert(recipient_user, expert), period=second_half()
    )
    assert second.total == -first_half_by_hand()
    assert [line["adjusts"] for line in second.lines] == [approved.pk]
    following = Period(date(year() + 1, 1, 1), date(year() + 1, 1, 31))
    after = expert_statement_for_user(user=recipient_user, expert_id=expert.pk, period=following)
    assert after.adjustments == ()


def test_approved_amounts_count_adjustments_frozen_elsewhere():
    amounts = approved_amounts(
        {
            1: [FrozenLine(Decimal("100.00"))],
            2: [FrozenLine(Decimal("50.00")), FrozenLine(Decimal("-30.00"), adjusts=1)],
        }
    )
    assert amounts == {1: Decimal("70.00"), 2: Decimal("50.00")}


def test_approving_twice_is_refused(recipient_user, expert, approved):
    with pytest.raises(DuplicateError):
        statement_approve(
            actor=recipient_user, expert=_expert(recipient_user, expert), period=first_half()
        )
    overlapping = Period(date(year(), 6, 1), date(year(), 7, 31))
    with pytest.raises(DuplicateError):
        statement_approve(
            actor=recipient_user, expert=_expert(recipient_user, expert), period=overlapping
        )
    assert Payment.objects.filter(expert=expert).count() == 1


@pytest.mark.parametrize(
    "persona",
    [
        "helper_user",
        "county_officer",
        "prefecture_officer",
        "observer_user",
        "province_officer",
        "expert_user",
    ],
)
def test_only_the_recipient_hospital_approves(request, persona, expert, resident):
    user = request.getfixturevalue(persona)
    assert statement_approval_recipient(user, expert, first_half()) is None
    with pytest.raises(PermissionDenied):
        statement_approve(actor=user, expert=expert, period=first_half())
    assert not Payment.objects.filter(expert=expert).exists()


def test_the_recipient_the_expert_serves_may_approve(recipient_user, expert, resident):
    assert statement_approval_recipient(recipient_user, expert, first_half()) == (
        recipient_user.institution_id
    )
    before = Period(date(year() - 1, 1, 1), date(year() - 1, 12, 31))
    assert statement_approval_recipient(recipient_user, expert, before) is None


def test_api_approve_then_read(api_client, recipient_user, expert, resident):
    api_client.login(recipient_user)
    url = f"/api/v1/statements/{expert.pk}/approve"
    body = {"start": str(first_half().start), "end": str(first_half().end)}
    created = api_client.post(url, body)
    assert created.status_code == 201, created.content
    payload = created.json()
    assert Decimal(payload["total"]) == first_half_by_hand()
    assert {line["item"] for line in payload["lines"]} == {"salary_top_up", "settling_in"}
    assert api_client.post(url, body).status_code == 409
    monthly = api_client.post(url, {"year": year(), "month": 8})
    assert monthly.status_code == 201
    assert (monthly.json()["start"], monthly.json()["end"]) == (
        f"{year()}-08-01",
        f"{year()}-08-31",
    )
    listed = api_client.get("/api/v1/payments", expert_id=expert.pk).json()["items"]
    assert {row["id"] for row in listed} == {payload["id"], monthly.json()["id"]}
    detail = api_client.get(f"/api/v1/payments/{payload['id']}").json()
    assert detail["total"] == payload["total"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("helper_user", 403),
        ("county_officer", 403),
        ("observer_user", 403),
        ("province_officer", 403),
    ],
)
def test_api_refuses_approval_by_others(api_client, request, persona, status, expert, resident):
    api_client.login(request.getfixturevalue(persona))
    response = api_client.post(
        f"/api/v1/statements/{expert.pk}/approve", {"year": year(), "month": 3}
    )
    assert response.status_code == status
    assert not Payment.objects.exists()


def test_api_hides_the_expert_from_another_hospital(api_client, other_expert, recipient_user):
    api_client.login(recipient_user)
    response = api_client.post(
        f"/api/v1/statements/{other_expert.pk}/approve", {"year": year(), "month": 3}
    )
    assert response.status_code == 404


def test_payment_amounts_are_masked_for_readers_without_pay_access(
    api_client, helper_user, county_officer, approved
):
    for user in (helper_user, county_officer):
        api_client.login(user)
        detail = api_client.get(f"/api/v1/payments/{approved.pk}").json()
        assert detail["total"] == "***"
        assert detail["amounts_visible"] is False
        top_up = next(line for line in detail["lines"] if line["item"] == "salary_top_up")
        assert top_up["amount"] == "***"
        settling = next(line for line in detail["lines"] if line["item"] == "settling_in")
        assert settling["amount"] == "2000.00"
        listed = api_client.get("/api/v1/payments").json()["items"]
        assert [row["total"] for row in listed if row["id"] == approved.pk] == ["***"]


def test_other_hospitals_do_not_see_the_payment(api_client, approved, django_user_model):
    from bangfu.accounts.models import Role
    from bangfu.registry.models import Institution

    other = Institution.objects.get(name="南明区人民医院")
    user = django_user_model.objects.create_user(
        username="nanming_payments", password="x-Nanming-9", role=Role.RECIPIENT, institution=other
    )
    api_client.login(user)
    assert api_client.get(f"/api/v1/payments/{approved.pk}").status_code == 404
    assert api_client.get("/api/v1/payments").json()["items"] == []


def test_budget_shows_paid_next_to_forecast(client, recipient_user, approved):
    report = budget_for_user(user=recipient_user, year=year())
    row = next(r for r in report.rows if r.key == str(recipient_user.institution_id))
    assert row.paid == approved.total
    assert report.paid == approved.total
    client.force_login(recipient_user)
    html = client.get(reverse("incentives:budget"), {"year": year()}).content.decode()
    assert 'data-testid="row-paid"' in html
    from bangfu.core.templatetags.bangfu_format import yuan as shown_yuan

    assert shown_yuan(f"{approved.total:.2f}") in html


def test_budget_api_and_export_carry_paid(client, api_client, recipient_user, approved):
    api_client.login(recipient_user)
    body = api_client.get("/api/v1/budget", year=year()).json()
    assert Decimal(body["paid"]) == approved.total
    client.force_login(recipient_user)
    response = client.get(reverse("incentives:budget_export"), {"year": year()})
    sheet = load_workbook(BytesIO(response.getvalue())).active
    values = list(sheet.iter_rows(values_only=True))
    header = values[0] if "已核定支付" in values[0] else values[1]
    column = list(header).index("已核定支付")
    total_row = next(v for v in values if v and v[0] == "合计")
    assert Decimal(str(total_row[column])) == approved.total


def test_statement_page_offers_approval_then_shows_the_payment(
    client, recipient_user, expert, resident
):
    client.force_login(recipient_user)
    url = reverse("incentives:statement", args=[expert.pk])
    query = {"start": str(first_half().start), "end": str(first_half().end)}
    assert 'data-testid="approve-form"' in client.get(url, query).content.decode()
    response = client.post(reverse("incentives:statement_approve", args=[expert.pk]), query)
    payment = Payment.objects.get(expert=expert)
    assert response.status_code == 302
    assert response["Location"] == reverse("incentives:payment_detail", args=[payment.pk])
    page = client.get(url, query).content.decode()
    assert 'data-testid="approve-form"' not in page
    assert 'data-testid="approved-payment"' in page
    detail = client.get(response["Location"]).content.decode()
    assert 'data-testid="payment-table"' in detail


def test_statement_page_offers_no_approval_to_the_helper(client, helper_user, expert, resident):
    client.force_login(helper_user)
    url = reverse("incentives:statement", args=[expert.pk])
    query = {"start": str(first_half().start), "end": str(first_half().end)}
    assert 'data-testid="approve-form"' not in client.get(url, query).content.decode()
    response = client.post(reverse("incentives:statement_approve", args=[expert.pk]), query)
    assert response.status_code == 403


def test_finance_export_is_the_frozen_payment_with_the_id_masked(client, recipient_user, approved):
    client.force_login(recipient_user)
    response = client.get(reverse("incentives:payment_export", args=[approved.pk]))
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    total = next(r for r in rows if r and r[0] == "合计")
    assert Decimal(str(total[3])) == approved.total
    id_row = next(r for r in rows if r and r[0] == "身份证号")
    assert "*" in id_row[1]


def test_finance_export_masks_the_top_up_for_the_helper(client, helper_user, approved):
    client.force_login(helper_user)
    response = client.get(reverse("incentives:payment_export", args=[approved.pk]))
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    total = next(r for r in rows if r and r[0] == "合计")
    assert total[3] == "***"
