"""`bangfu.core.uploads`: a file is judged by its content, not its name, and by its size."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bangfu.core.uploads import (
    RECEIPT_KINDS,
    SCAN_KINDS,
    FileKind,
    size_label,
    upload_checked,
    upload_problem,
)


def image_bytes(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(out, format=fmt)
    return out.getvalue()


MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")


@pytest.mark.parametrize(
    ("name", "content", "stored"),
    [
        ("协议.pdf", MINIMAL_PDF, "协议.pdf"),
        ("scan.png", PNG, "scan.png"),
        ("scan.jpg", JPEG, "scan.jpg"),
        ("SCAN.JPEG", JPEG, "SCAN.jpg"),
    ],
)
def test_real_pdf_png_and_jpeg_files_are_accepted_and_named_after_their_content(
    name, content, stored
):
    upload = SimpleUploadedFile(name, content)
    assert upload_problem(upload, label="扫描件", kinds=SCAN_KINDS) is None
    assert upload_checked(upload, field="scan", label="扫描件", kinds=SCAN_KINDS) == stored
    assert upload.read() == content  # the check leaves the file readable from the start


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.pdf", PNG, "扫描件的文件内容不是 PDF（实为 PNG），请检查文件"),
        ("photo.jpg", PNG, "扫描件的文件内容不是 JPEG（实为 PNG），请检查文件"),
        ("scan.pdf", b"just some text pretending", "扫描件的文件内容不是 PDF/JPEG/PNG"),
        ("scan.pdf", b"MZ\x90\x00\x03\x00\x00\x00", "扫描件的文件内容不是 PDF/JPEG/PNG"),
        ("scan.png", b"", "扫描件的文件内容不是 PDF/JPEG/PNG"),
        ("scan.exe", MINIMAL_PDF, "扫描件应为 PDF、JPG 或 PNG 文件"),
        ("scan", MINIMAL_PDF, "扫描件应为 PDF、JPG 或 PNG 文件"),
    ],
)
def test_a_file_whose_content_or_name_is_not_allowed_is_refused_naming_the_field(
    name, content, message
):
    upload = SimpleUploadedFile(name, content)
    assert upload_problem(upload, label="扫描件", kinds=SCAN_KINDS) == message
    with pytest.raises(ValidationError) as info:
        upload_checked(upload, field="scan", label="扫描件", kinds=SCAN_KINDS)
    assert info.value.message_dict == {"scan": [message]}


def test_the_allowed_kinds_are_a_parameter_of_each_use():
    png = SimpleUploadedFile("receipt.png", PNG)
    assert upload_problem(png, label="票据", kinds=RECEIPT_KINDS) is None
    only_pdf = frozenset({FileKind.PDF})
    assert upload_problem(png, label="文件", kinds=only_pdf) == "文件应为 PDF 文件"
    disguised = SimpleUploadedFile("receipt.pdf", PNG)
    assert upload_problem(disguised, label="文件", kinds=only_pdf) == "文件的文件内容不是 PDF"
    assert upload_problem(disguised, label="票据", kinds=RECEIPT_KINDS) == (
        "票据的文件内容不是 PDF（实为 PNG），请检查文件"
    )


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    fits = SimpleUploadedFile("scan.pdf", MINIMAL_PDF.ljust(1024, b" "))
    assert upload_problem(fits, label="扫描件", kinds=SCAN_KINDS) is None
    too_big = SimpleUploadedFile("scan.pdf", MINIMAL_PDF.ljust(1025, b" "))
    assert upload_problem(too_big, label="扫描件", kinds=SCAN_KINDS) == "扫描件文件超过 1 KB"


def test_the_default_limit_is_20_mb_and_reads_as_such(settings):
    assert settings.UPLOAD_MAX_BYTES == 20 * 1024 * 1024
    assert size_label(settings.UPLOAD_MAX_BYTES) == "20 MB"
    assert size_label(512) == "512 字节"
