"""The safety net for characters no database column can hold.

PostgreSQL refuses NUL in text, and a lone surrogate or a byte sequence that is not UTF-8
cannot be stored either; Django turns invalid UTF-8 into U+FFFD silently. Any request whose
query string, urlencoded form body, already-parsed multipart fields, or (under /api/) JSON body
carries one of them is answered before the view runs: 400 with a short Chinese page naming
the parameter, or under /api/ 422 with a JSON `detail`.

Forms and API schemas still check every field with nicer, field-level messages (and refuse
the other control characters, `bangfu.core.text`); this middleware only makes sure nothing
reaches the database driver that would make it raise. It is cheap: a request with no `%`
escape, NUL byte or `\\u` escape in it is passed on after a few substring tests, and multipart
bodies (file uploads) are never read here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.html import format_html

from bangfu.core.text import without_forbidden_characters

# What no column can hold: NUL and UTF-16 surrogates (only ever valid in pairs, in UTF-16).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_NAME_MAX = 40


class RefusedInput(Exception):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(name, reason)
        self.name = name
        self.reason = reason


_CONTROL = "含有不允许的控制字符（如 NUL 或单独的代理字符），请删除后重试"
_ENCODING = "不是有效的 UTF-8 文本，请检查后重试"


def _shown(name: str) -> str:
    """A parameter name fit to show in a message."""
    text = without_forbidden_characters(name).replace("\ufffd", "?")
    return text if len(text) <= _NAME_MAX else text[:_NAME_MAX] + "…"


def _check_urlencoded(raw: bytes) -> None:
    """Raise RefusedInput for the first parameter of a query string or urlencoded body that
    holds NUL or is not UTF-8 (before Django's lenient decoding hides it)."""
    if b"%" not in raw and b"\x00" not in raw:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return
    for pair in raw.split(b"&"):
        if not pair:
            continue
        key, _, value = pair.partition(b"=")
        key_bytes = unquote_to_bytes(key.replace(b"+", b" "))
        name = _shown(key_bytes.decode("utf-8", errors="replace"))
        for part in (key_bytes, unquote_to_bytes(value.replace(b"+", b" "))):
            if b"\x00" in part:
                raise RefusedInput(name, _CONTROL)
            try:
                part.decode("utf-8")
            except UnicodeDecodeError:
                raise RefusedInput(name, _ENCODING) from None


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every (where, text) of a decoded JSON document: keys and string values, with the dotted
    path of where they occur."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            yield where, str(key)
            yield from _strings(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}" if path else str(index))


def _check_json(body: bytes) -> None:
    """Raise RefusedInput when a JSON body is not UTF-8 or a string in it holds NUL or a lone
    surrogate. A body that is not JSON at all is left to the API, which answers 422 itself."""
    if b"\x00" in body:
        raise RefusedInput("请求体", _CONTROL)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise RefusedInput("请求体", _ENCODING) from None
    if "\\u" not in text:
        return  # NUL and surrogates can only arrive as \u escapes in valid JSON
    try:
        document = json.loads(text)
    except ValueError:
        return
    for where, value in _strings(document, ""):
        if _UNSTORABLE.search(value):
            raise RefusedInput(_shown(where) or "请求体", _CONTROL)


def _check_parsed_fields(request: HttpRequest) -> None:
    """Fields of a multipart form Django has already parsed (e.g. for the CSRF check); file
    contents are never looked at, and an unparsed body is not parsed here."""
    post = getattr(request, "_post", None)
    if post is None:
        return
    for key, values in post.lists():
        for text in (key, *values):
            if isinstance(text, str) and _UNSTORABLE.search(text):
                raise RefusedInput(_shown(key), _CONTROL)


def refused_input(request: HttpRequest) -> RefusedInput | None:
    """The first refused parameter of the request, or None when everything can be stored."""
    try:
        _check_urlencoded(request.META.get("QUERY_STRING", "").encode("iso-8859-1", "replace"))
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            content_type = request.content_type or ""
            if content_type == "application/x-www-form-urlencoded":
                _check_urlencoded(request.body)
            elif content_type == "application/json" and _is_api(request):
                _check_json(request.body)
            elif content_type.startswith("multipart/"):
                _check_parsed_fields(request)
    except RefusedInput as refused:
        return refused
    return None


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def refused_response(request: HttpRequest, refused: RefusedInput) -> HttpResponse:
    message = f"参数「{refused.name}」{refused.reason}"
    if _is_api(request):
        return JsonResponse({"detail": message}, status=422)
    page = format_html(
        '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8">'
        "<title>请求无法处理</title></head><body><h1>请求无法处理</h1><p>{}</p>"
        '<p><a href="javascript:history.back()">返回上一页</a></p></body></html>',
        message,
    )
    return HttpResponse(page, status=400, content_type="text/html; charset=utf-8")


class InputGuardMiddleware:
    """Answers a request carrying unstorable characters before its view runs (see module doc).

    Listed after CsrfViewMiddleware, so `process_view` sees multipart fields the CSRF check has
    already parsed without parsing any body itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        refused = refused_input(request)
        return None if refused is None else refused_response(request, refused)
