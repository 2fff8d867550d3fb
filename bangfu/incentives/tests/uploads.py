"""A receipt upload for ledger tests."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile


def receipt(name: str = "ticket.pdf", content: bytes = b"%PDF-1.4 test") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")
