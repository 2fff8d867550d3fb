"""Signed agreement scans (A2-五(一)): checked by content and size on the signing form, and a
new scan replaces the old one in storage once the change commits, with both names audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bangfu.core.models import AuditEntry
from bangfu.core.tests.test_uploads import JPEG, MINIMAL_PDF, PNG
from bangfu.partnerships.services import agreement_record_signing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def agreement(make_partnership, unpaired_recipients, today):
    return make_partnership(
        unpaired_recipients[0], start=today - timedelta(days=400)
    ).agreements.get()


def sign_url(agreement) -> str:
    return reverse("partnerships:agreement_sign", args=[agreement.pk])


def sign_rows(agreement):
    return AuditEntry.objects.filter(
        object_type="partnerships.agreement", object_id=str(agreement.pk), action="sign"
    )


def test_a_pdf_named_file_with_png_or_garbage_content_is_refused_on_the_form(
    client, province_officer, agreement, today
):
    client.force_login(province_officer)
    for content, message in (
        (PNG, "扫描件的文件内容不是 PDF（实为 PNG），请检查文件"),
        (b"not a pdf at all", "扫描件的文件内容不是 PDF/JPEG/PNG"),
    ):
        response = client.post(
            sign_url(agreement),
            {"signed_on": today.isoformat(), "scan": SimpleUploadedFile("协议.pdf", content)},
        )
        assert response.status_code == 400
        assert response.context["cycles"][0].forms["sign"].errors["scan"] == [message]
        assert message in response.content.decode()
    agreement.refresh_from_db()
    assert not agreement.signed_scan and not sign_rows(agreement).exists()


def test_the_service_refuses_disguised_content_too(province_officer, agreement, today):
    with pytest.raises(ValidationError) as info:
        agreement_record_signing(
            actor=province_officer,
            agreement=agreement,
            signed_on=today,
            scan=SimpleUploadedFile("协议.pdf", b"<html>not a scan</html>"),
        )
    assert info.value.message_dict == {"scan": ["扫描件的文件内容不是 PDF/JPEG/PNG"]}


@pytest.mark.parametrize("limit_setting", ["chunk", "declared"])
def test_an_over_size_scan_is_refused_with_413_before_the_view_runs(
    client, province_officer, agreement, today, settings, limit_setting
):
    settings.UPLOAD_MAX_BYTES = 1000
    if limit_setting == "declared":  # the declared length alone shows it is too large
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    client.force_login(province_officer)
    response = client.post(
        sign_url(agreement),
        {
            "signed_on": today.isoformat(),
            "scan": SimpleUploadedFile("协议.pdf", MINIMAL_PDF.ljust(5000, b" ")),
        },
    )
    assert response.status_code == 413
    assert "扫描件文件超过 1000 字节" in response.content.decode()
    agreement.refresh_from_db()
    assert not agreement.signed_scan
    assert not sign_rows(agreement).exists()


def test_a_real_jpeg_scan_is_accepted_on_the_form(client, province_officer, agreement, today):
    client.force_login(province_officer)
    response = client.post(
        sign_url(agreement),
        {"signed_on": today.isoformat(), "scan": SimpleUploadedFile("签字.JPEG", JPEG)},
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.signed_scan.name.endswith("签字.jpg")
    assert agreement.signed_scan.read() == JPEG


def test_a_new_scan_replaces_the_old_file_after_commit_and_the_audit_names_both(
    province_officer, agreement, today, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        agreement_record_signing(
            actor=province_officer,
            agreement=agreement,
            signed_on=today,
            scan=SimpleUploadedFile("first.pdf", MINIMAL_PDF),
        )
    agreement.refresh_from_db()
    old_name = agreement.signed_scan.name
    assert default_storage.exists(old_name)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        agreement_record_signing(
            actor=province_officer,
            agreement=agreement,
            signed_on=today,
            scan=SimpleUploadedFile("second.png", PNG),
        )
    agreement.refresh_from_db()
    new_name = agreement.signed_scan.name
    assert new_name != old_name and new_name.endswith("second.png")
    assert default_storage.exists(old_name)  # not before the change has committed
    for callback in callbacks:
        callback()
    assert not default_storage.exists(old_name)
    assert default_storage.exists(new_name)
    row = sign_rows(agreement).order_by("-id").first()
    assert row.before["signed_scan"] == old_name and row.after["signed_scan"] == new_name


def test_signing_again_without_a_new_scan_keeps_the_file(
    province_officer, agreement, today, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        agreement_record_signing(
            actor=province_officer,
            agreement=agreement,
            signed_on=today,
            scan=SimpleUploadedFile("first.pdf", MINIMAL_PDF),
        )
        agreement.refresh_from_db()
        agreement_record_signing(
            actor=province_officer, agreement=agreement, signed_on=today - timedelta(days=1)
        )
    agreement.refresh_from_db()
    assert default_storage.exists(agreement.signed_scan.name)
