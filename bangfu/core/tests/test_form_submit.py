"""The one POST flow of every service form (`bangfu.core.forms.form_submit`)."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from bangfu.core.forms import StyledForm, form_submit


class _Form(StyledForm):
    name = forms.CharField(label="名称", max_length=10)
    scan = forms.FileField(label="扫描件", required=False)


def _request(method: str = "post", data: dict[str, Any] | None = None, **extra: Any) -> HttpRequest:
    factory = RequestFactory()
    request = factory.post("/x/", data or {}, **extra) if method == "post" else factory.get("/x/")
    request.user = AnonymousUser()
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    return request


def _messages(request: HttpRequest) -> list[str]:
    return [str(m) for m in get_messages(request)]


class _Page:
    """A caller's own re-render: records the form state and status it was asked for."""

    def __init__(self, form: forms.Form) -> None:
        self.form = form
        self.statuses: list[int] = []

    def __call__(self, status: int) -> HttpResponse:
        self.statuses.append(status)
        return HttpResponse("page", status=status)


def _submit(request: HttpRequest, save: Any, page: _Page | None = None) -> HttpResponse:
    form = (
        _Form(request.POST or None, request.FILES or None) if request.method == "POST" else _Form()
    )
    kwargs: dict[str, Any] = {"render_page": page} if page is not None else {}
    if page is not None:
        page.form = form
    return form_submit(
        request, form, save, done=lambda result: (f"已保存{result}", "/done/"), **kwargs
    )


def test_a_valid_post_calls_the_service_once_flashes_and_redirects():
    calls: list[dict[str, Any]] = []
    request = _request(data={"name": "甲"})

    def save(data: dict[str, Any]) -> str:
        calls.append(data)
        return data["name"]

    response = _submit(request, save, _Page(_Form()))
    assert response.status_code == 302 and response["Location"] == "/done/"
    assert [c["name"] for c in calls] == ["甲"]
    assert _messages(request) == ["已保存甲"]


def test_an_invalid_post_is_shown_again_with_400_and_the_field_errors_without_calling_the_service():
    request = _request(data={"name": "x" * 11})
    page = _Page(_Form())
    response = _submit(request, lambda data: pytest.fail("service called"), page)
    assert response.status_code == 400 and page.statuses == [400]
    assert "name" in page.form.errors
    assert _messages(request) == []


def test_service_errors_land_on_their_fields_and_unknown_keys_on_the_form():
    request = _request(data={"name": "甲"})
    page = _Page(_Form())

    def refuse(data: dict[str, Any]) -> None:
        raise ValidationError({"name": ["名称已存在"], "partnership": ["帮扶关系已终止"]})

    response = _submit(request, refuse, page)
    assert response.status_code == 400
    assert page.form.errors["name"] == ["名称已存在"]
    assert page.form.non_field_errors() == ["帮扶关系已终止"]
    assert _messages(request) == []


def test_a_service_error_without_keys_is_a_form_error():
    request = _request(data={"name": "甲"})
    page = _Page(_Form())

    def refuse(data: dict[str, Any]) -> None:
        raise ValidationError("协议已终止，不能修改")

    assert _submit(request, refuse, page).status_code == 400
    assert page.form.non_field_errors() == ["协议已终止，不能修改"]


def test_the_caller_may_attach_service_errors_itself():
    request = _request(data={"name": "甲"})
    form = _Form(request.POST)
    response = form_submit(
        request,
        form,
        lambda data: (_ for _ in ()).throw(ValidationError({"title": ["重复"]})),
        done=lambda _: ("", "/"),
        errors=lambda exc: form.add_error("name", exc.message_dict["title"]),
        render_page=lambda status: HttpResponse(status=status),
    )
    assert response.status_code == 400 and form.errors["name"] == ["重复"]


def test_uploads_reach_the_service():
    scan = SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf")
    request = _request(data={"name": "甲", "scan": scan})
    received: list[bytes] = []

    def save(data: dict[str, Any]) -> str:
        received.append(data["scan"].read())
        return "扫描件"

    assert _submit(request, save, _Page(_Form())).status_code == 302
    assert received == [b"%PDF-1.4"]


def test_a_get_shows_the_page_with_200():
    request = _request("get")
    page = _Page(_Form())
    response = _submit(request, lambda data: pytest.fail("service called"), page)
    assert response.status_code == 200 and page.statuses == [200]
    assert not page.form.is_bound


@pytest.mark.django_db
def test_the_standalone_form_page_is_the_default(province_officer):
    request = _request(data={"name": ""})
    request.user = province_officer
    response = form_submit(
        request,
        _Form(request.POST),
        lambda data: pytest.fail("service called"),
        done=lambda _: ("", "/"),
        title="新建测试",
        back_url="/back/",
        submit="提交",
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "新建测试" in html and 'href="/back/"' in html and "提交" in html
    assert "此字段是必填项" in html or "这个字段是必填项" in html
