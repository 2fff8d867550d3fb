"""Uploaded files (signed agreement scans, receipts): the one place that decides whether a file
is accepted, what it is stored as, and when a replaced file leaves storage.

- Content decides the type: the first bytes are matched with `filetype` against the kinds a
  use allows (PDF, JPEG, PNG for scans and receipts), and the name's extension must say the
  same (a PNG named "scan.pdf" is refused). The stored name ends in the kind's own extension.
- Size: at most settings.UPLOAD_MAX_BYTES (default 20 MB). `UploadSizeLimitHandler` (first in
  settings.FILE_UPLOAD_HANDLERS) stops reading a request as soon as a file passes the limit, or
  at the first file when the declared Content-Length is already over it; views that take files
  are wrapped in `upload_size_checked`, which then answers 413 with a Chinese message instead of
  running the view on a truncated request.
- Replacing: the service saves the new file, and `file_delete_on_commit` removes the old one
  once the transaction has committed (a rolled-back change keeps the file its row still names).
  The audit row records the old and new names.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePath
from typing import Any

import filetype  # type: ignore[import-untyped]
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

TOO_LARGE_ATTRIBUTE = "bangfu_upload_too_large"


class FileKind(enum.Enum):
    """A file type accepted somewhere, with the extensions its name may carry."""

    PDF = ("pdf", ("pdf",), "PDF")
    JPEG = ("jpg", ("jpg", "jpeg"), "JPEG")
    PNG = ("png", ("png",), "PNG")

    def __init__(self, extension: str, extensions: tuple[str, ...], label: str) -> None:
        self.extension = extension
        self.extensions = extensions
        self.label = label


SCAN_KINDS = frozenset({FileKind.PDF, FileKind.JPEG, FileKind.PNG})
RECEIPT_KINDS = SCAN_KINDS

_DETECTED = {"pdf": FileKind.PDF, "jpg": FileKind.JPEG, "png": FileKind.PNG}
_ORDER = (FileKind.PDF, FileKind.JPEG, FileKind.PNG)


def _ordered(kinds: Iterable[FileKind]) -> list[FileKind]:
    chosen = set(kinds)
    return [k for k in _ORDER if k in chosen]


def upload_max_bytes() -> int:
    return int(settings.UPLOAD_MAX_BYTES)


def size_label(size: int) -> str:
    """A byte count as people read it: "20 MB", "512 KB", "900 字节"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    if size >= 1024:
        return f"{size / 1024:g} KB"
    return f"{size} 字节"


def too_large_message(label: str) -> str:
    return f"{label}文件超过 {size_label(upload_max_bytes())}"


def upload_kind(upload: UploadedFile[bytes], kinds: Iterable[FileKind]) -> FileKind | None:
    """What the content of `upload` is among `kinds`, judged by its first bytes; None if none."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(position)
    guessed = filetype.guess(head) if head else None
    kind = _DETECTED.get(guessed.extension) if guessed is not None else None
    return kind if kind in set(kinds) else None


def upload_problem(
    upload: UploadedFile[bytes], *, label: str, kinds: Iterable[FileKind]
) -> str | None:
    """Why `upload` is refused for a use accepting `kinds` (a Chinese sentence naming the
    field by `label`), or None when it is accepted."""
    allowed = _ordered(kinds)
    suffix = PurePath(upload.name or "").suffix.lower().lstrip(".")
    if suffix not in {e for k in allowed for e in k.extensions}:
        names = ["JPG" if k is FileKind.JPEG else k.label for k in allowed]
        either = names[0] if len(names) == 1 else f"{'、'.join(names[:-1])} 或 {names[-1]}"
        return f"{label}应为 {either} 文件"
    if (upload.size or 0) > upload_max_bytes():
        return too_large_message(label)
    kind = upload_kind(upload, allowed)
    if kind is None:
        return f"{label}的文件内容不是 {'/'.join(k.label for k in allowed)}"
    if suffix not in kind.extensions:
        named = next(k for k in allowed if suffix in k.extensions)
        return f"{label}的文件内容不是 {named.label}（实为 {kind.label}），请检查文件"
    return None


def upload_checked(
    upload: UploadedFile[bytes], *, field: str, label: str, kinds: Iterable[FileKind]
) -> str:
    """Refuse `upload` with a ValidationError keyed by `field`, or return the name to store it
    under: its own name with the extension of what its content is."""
    problem = upload_problem(upload, label=label, kinds=kinds)
    if problem is not None:
        raise ValidationError({field: problem})
    return upload_stored_name(upload, kinds)


def upload_stored_name(upload: UploadedFile[bytes], kinds: Iterable[FileKind]) -> str:
    """The name to store an accepted upload under: its own, with its kind's own extension
    ("SCAN.JPEG" is stored as "SCAN.jpg")."""
    kind = upload_kind(upload, kinds)
    if kind is None:
        raise ValueError("upload_stored_name is for uploads that upload_problem accepted")
    stem = PurePath(upload.name or "").stem or "file"
    return f"{stem}.{kind.extension}"


def file_delete_on_commit(storage: Storage, name: str) -> None:
    """Remove the file `name` from `storage` once the current transaction commits (a replaced
    scan or receipt); nothing when the name is empty or the transaction rolls back."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


class CheckedFileField(forms.FileField):
    """A form's file field that refuses a file by content and size (`upload_problem`)."""

    def __init__(self, *, kinds: Iterable[FileKind], upload_label: str, **kwargs: Any) -> None:
        self.kinds = frozenset(kinds)
        self.upload_label = upload_label
        extensions = [f".{e}" for k in _ordered(self.kinds) for e in k.extensions]
        kwargs.setdefault(
            "widget", forms.ClearableFileInput(attrs={"accept": ",".join(extensions)})
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        value = super().clean(data, initial)
        if isinstance(value, UploadedFile):
            problem = upload_problem(value, label=self.upload_label, kinds=self.kinds)
            if problem is not None:
                raise forms.ValidationError(problem)
        return value


class UploadSizeLimitHandler(FileUploadHandler):
    """Stops reading a multipart body once one file passes UPLOAD_MAX_BYTES, or at the first file
    when the declared length is already beyond it (with room for the other fields), and marks
    the request so `upload_size_checked` refuses it. Later handlers store what it passes on."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.received = 0
        self.declared_too_large = False

    def _refuse(self) -> None:
        if self.request is not None:
            setattr(self.request, TOO_LARGE_ATTRIBUTE, self.field_name or True)
        raise StopUpload(connection_reset=True)

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        limit = upload_max_bytes() + int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        self.declared_too_large = content_length > limit

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.received = 0
        if self.declared_too_large:
            self._refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > upload_max_bytes():
            self._refuse()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def upload_size_checked(
    labels: Mapping[str, str],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Wrap a view that takes files: a request whose upload `UploadSizeLimitHandler` stopped is
    answered 413 with "<label>文件超过 20 MB" (labels by field name) and the view does not run."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                request.FILES  # noqa: B018 -- parse now (CSRF usually has already)
                field = getattr(request, TOO_LARGE_ATTRIBUTE, None)
                if field is not None:
                    label = labels.get(field, "上传的") if isinstance(field, str) else "上传的"
                    referer = str(request.META.get("HTTP_REFERER", ""))
                    back = (
                        referer
                        if url_has_allowed_host_and_scheme(
                            referer, allowed_hosts={request.get_host()}
                        )
                        else ""
                    )
                    return render(
                        request,
                        "core/upload_refused.html",
                        {"message": too_large_message(label), "back": back},
                        status=413,
                    )
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
