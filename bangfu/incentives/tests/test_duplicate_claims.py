"""The same trip is claimed once (issue 9): a travel claim with the expert, date and amount of
one already recorded is refused with a Chinese message, by the service, the database and the
API (409); a work fund recorded twice is a correction, and the service says which call was first.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from bangfu.core.duplicates import DuplicateError
from bangfu.core.models import AuditEntry
from bangfu.incentives.models import TravelClaim, WorkFund
from bangfu.incentives.services import travel_claim_create, travel_claim_update, work_fund_save

pytestmark = pytest.mark.django_db

API = "/api/v1/ledger"


def test_the_same_trip_claimed_again_is_refused_and_nothing_is_written(expert_user, claim):
    claims, audits = TravelClaim.objects.count(), AuditEntry.objects.count()
    with pytest.raises(DuplicateError) as caught:
        travel_claim_create(
            actor=expert_user,
            deployment=claim.deployment,
            date=claim.date,
            amount=Decimal("1180"),  # the same amount written without cents
        )
    (message,) = caught.value.message_dict["date"]
    assert f"{claim.date:%Y-%m-%d} 金额 1180.00 元的往返交通费已登记" in message
    assert (TravelClaim.objects.count(), AuditEntry.objects.count()) == (claims, audits)


def test_another_date_or_amount_is_another_trip(expert_user, claim):
    travel_claim_create(
        actor=expert_user, deployment=claim.deployment, date=claim.date, amount=Decimal("960")
    )
    travel_claim_create(
        actor=expert_user,
        deployment=claim.deployment,
        date=claim.date + timedelta(days=1),
        amount=claim.amount,
    )
    assert TravelClaim.objects.filter(deployment=claim.deployment).count() == 3


def test_correcting_a_claim_into_a_copy_of_another_is_refused(expert_user, claim):
    other = travel_claim_create(
        actor=expert_user, deployment=claim.deployment, date=claim.date, amount=Decimal("960")
    )
    with pytest.raises(DuplicateError):
        travel_claim_update(
            actor=expert_user,
            claim=other,
            deployment=claim.deployment,
            date=claim.date,
            amount=claim.amount,
        )
    other.refresh_from_db()
    assert other.amount == Decimal("960")
    # Saving a claim unchanged is not a duplicate of itself.
    travel_claim_update(
        actor=expert_user,
        claim=claim,
        deployment=claim.deployment,
        date=claim.date,
        amount=claim.amount,
        note="更正备注",
    )
    claim.refresh_from_db()
    assert claim.note == "更正备注"


def test_the_database_refuses_the_same_trip_twice(claim):
    with pytest.raises(IntegrityError), transaction.atomic():
        TravelClaim.objects.create(
            deployment=claim.deployment, date=claim.date, amount=claim.amount
        )


def test_the_api_answers_409_with_the_reason_for_the_same_trip(api_client, expert_user, resident):
    api_client.login(expert_user)
    body = {
        "deployment_id": resident.pk,
        "date": f"{resident.start + timedelta(days=40):%Y-%m-%d}",
        "amount": "875.50",
    }
    assert api_client.post(f"{API}/travel-claims", body).status_code == 201
    again = api_client.post(f"{API}/travel-claims", body)
    assert again.status_code == 409, again.content
    assert "875.50 元的往返交通费已登记" in again.json()["detail"]
    assert TravelClaim.objects.filter(deployment=resident, amount=Decimal("875.50")).count() == 1


def test_work_fund_save_says_whether_it_recorded_the_year_first(province_officer, pair):
    first, created = work_fund_save(
        actor=province_officer, recipient=pair.recipient, year=2033, amount=Decimal("150000")
    )
    again, created_again = work_fund_save(
        actor=province_officer, recipient=pair.recipient, year=2033, amount=Decimal("180000")
    )
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    fund = WorkFund.objects.get(recipient=pair.recipient, year=2033)
    assert fund.amount == Decimal("180000")


def test_the_form_shows_the_same_trip_refused_on_the_date(client, expert_user, claim):
    client.force_login(expert_user)
    response = client.post(
        reverse("incentives:travel_claim_create"),
        {"deployment": claim.deployment.pk, "date": claim.date.isoformat(), "amount": "1180.00"},
    )
    assert response.status_code == 400
    assert "元的往返交通费已登记，请勿重复登记" in response.content.decode()
    assert TravelClaim.objects.filter(deployment=claim.deployment).count() == 1
