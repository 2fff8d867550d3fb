"""Travel-claim receipts (§六; A2-四(三)4): checked by content and size on the page and in the
service; a replaced, removed or deleted receipt leaves storage once the change commits, and the
audit row names the old and the new file."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bangfu.core.models import AuditEntry
from bangfu.core.tests.test_uploads import JPEG, MINIMAL_PDF, PNG
from bangfu.incentives.models import TravelClaim
from bangfu.incentives.services import (
    travel_claim_create,
    travel_claim_delete,
    travel_claim_update,
)

pytestmark = pytest.mark.django_db


def last_audit(claim):
    return AuditEntry.objects.filter(
        object_type="incentives.travelclaim", object_id=str(claim.pk)
    ).latest("id")


def correct(claim, actor, **changes):
    return travel_claim_update(
        actor=actor,
        claim=claim,
        deployment=claim.deployment,
        date=claim.date,
        amount=claim.amount,
        **changes,
    )


def test_a_pdf_named_receipt_with_png_or_garbage_content_is_refused(expert_user, resident):
    for content, message in (
        (PNG, "票据的文件内容不是 PDF（实为 PNG），请检查文件"),
        (b"\x00\x01 not a receipt", "票据的文件内容不是 PDF/JPEG/PNG"),
    ):
        with pytest.raises(ValidationError) as info:
            travel_claim_create(
                actor=expert_user,
                deployment=resident,
                date=resident.start + timedelta(days=3),
                amount=Decimal("100"),
                receipt=SimpleUploadedFile("车票.pdf", content),
            )
        assert info.value.message_dict["receipt"] == [message]
    assert not TravelClaim.objects.filter(deployment=resident, amount=Decimal("100")).exists()


def test_a_real_jpeg_receipt_is_accepted(expert_user, resident):
    claim = travel_claim_create(
        actor=expert_user,
        deployment=resident,
        date=resident.start + timedelta(days=3),
        amount=Decimal("100"),
        receipt=SimpleUploadedFile("车票.jpeg", JPEG),
    )
    assert claim.receipt.name.endswith("车票.jpg")
    assert claim.receipt.read() == JPEG


def test_an_over_size_receipt_is_refused_by_the_service(expert_user, resident, settings):
    settings.UPLOAD_MAX_BYTES = 2048
    with pytest.raises(ValidationError) as info:
        travel_claim_create(
            actor=expert_user,
            deployment=resident,
            date=resident.start + timedelta(days=3),
            amount=Decimal("100"),
            receipt=SimpleUploadedFile("车票.pdf", MINIMAL_PDF.ljust(4096, b" ")),
        )
    assert info.value.message_dict["receipt"] == ["票据文件超过 2 KB"]


def test_the_page_refuses_disguised_and_over_size_receipts(client, expert_user, resident, settings):
    client.force_login(expert_user)
    url = reverse("incentives:travel_claim_create")
    data = {
        "deployment": resident.pk,
        "date": (resident.start + timedelta(days=3)).isoformat(),
        "amount": "100.00",
    }
    disguised = client.post(url, data | {"receipt": SimpleUploadedFile("车票.pdf", PNG)})
    assert disguised.status_code == 400
    assert "票据的文件内容不是 PDF（实为 PNG）" in disguised.content.decode()

    settings.UPLOAD_MAX_BYTES = 1000
    too_big = client.post(
        url, data | {"receipt": SimpleUploadedFile("车票.pdf", MINIMAL_PDF.ljust(3000, b" "))}
    )
    assert too_big.status_code == 413
    assert "票据文件超过 1000 字节" in too_big.content.decode()
    assert not TravelClaim.objects.filter(deployment=resident, amount=Decimal("100")).exists()


def test_a_replaced_receipt_leaves_storage_after_commit_and_the_audit_names_both(
    claim, expert_user, django_capture_on_commit_callbacks
):
    old_name = claim.receipt.name
    assert default_storage.exists(old_name)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        correct(claim, expert_user, receipt=SimpleUploadedFile("新车票.png", PNG))
    claim.refresh_from_db()
    new_name = claim.receipt.name
    assert new_name.endswith("新车票.png") and default_storage.exists(old_name)
    for callback in callbacks:
        callback()
    assert not default_storage.exists(old_name) and default_storage.exists(new_name)
    row = last_audit(claim)
    assert (row.before, row.after) == ({"receipt": old_name}, {"receipt": new_name})


def test_a_refused_replacement_keeps_the_old_receipt(
    claim, expert_user, django_capture_on_commit_callbacks
):
    old_name = claim.receipt.name
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        correct(claim, expert_user, receipt=SimpleUploadedFile("新车票.png", b"GIF89a...."))
    claim.refresh_from_db()
    assert claim.receipt.name == old_name and default_storage.exists(old_name)


def test_a_removed_receipt_and_a_deleted_claims_receipt_leave_storage(
    claim, expert_user, resident, django_capture_on_commit_callbacks
):
    old_name = claim.receipt.name
    with django_capture_on_commit_callbacks(execute=True):
        correct(claim, expert_user, remove_receipt=True)
    assert not default_storage.exists(old_name)
    assert last_audit(claim).before == {"receipt": old_name}

    other = travel_claim_create(
        actor=expert_user,
        deployment=resident,
        date=resident.start + timedelta(days=9),
        amount=Decimal("300"),
        receipt=SimpleUploadedFile("车票.pdf", MINIMAL_PDF),
    )
    name = other.receipt.name
    with django_capture_on_commit_callbacks(execute=True):
        travel_claim_delete(actor=expert_user, claim=other)
    assert not default_storage.exists(name)
    assert (
        AuditEntry.objects.filter(
            object_type="incentives.travelclaim", object_id=str(other.pk), action="delete"
        )
        .get()
        .before["receipt"]
        == name
    )
