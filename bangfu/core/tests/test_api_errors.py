"""The API's translation of service exceptions into JSON errors."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.http import Http404

from bangfu.api import on_permission_denied, on_service_validation_error
from bangfu.core.views import (
    API_SERVER_ERROR,
    bad_request,
    page_not_found,
    permission_denied,
    server_error,
)


def test_service_validation_error_names_each_field_and_keeps_general_messages_plain(rf):
    exc = ValidationError({"__all__": ["协议期间重叠"], "amount": ["金额不能为负数"]})
    response = on_service_validation_error(rf.get("/api/v1/x"), exc)
    assert response.status_code == 422
    body = json.loads(response.content)
    assert body["detail"] == "协议期间重叠；amount：金额不能为负数"
    assert body["errors"] == [
        {"field": "", "message": "协议期间重叠"},
        {"field": "amount", "message": "amount：金额不能为负数"},
    ]


def test_a_plain_validation_error_is_still_a_422_with_its_message(rf):
    response = on_service_validation_error(rf.get("/"), ValidationError("期间不能跨年"))
    assert response.status_code == 422
    assert json.loads(response.content)["detail"] == "期间不能跨年"


def test_permission_denied_is_a_403_with_the_reason(rf):
    response = on_permission_denied(rf.get("/"), PermissionDenied("聘书由省卫生健康委发放"))
    assert response.status_code == 403
    assert json.loads(response.content) == {"detail": "聘书由省卫生健康委发放"}


# ---- errors outside the service layer: unknown URLs, methods, bad bodies, bugs ----


def _json(response):
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return json.loads(response.content)


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.mark.django_db
def test_an_unknown_api_address_is_a_json_404_in_chinese_not_a_page_of_url_patterns(client, debug):
    response = client.get("/api/v1/nope")
    assert response.status_code == 404
    assert _json(response)["detail"].startswith("未找到")
    assert b"URLconf" not in response.content


@pytest.mark.django_db
def test_a_method_the_endpoint_does_not_take_is_a_json_405_naming_the_allowed_ones(client, debug):
    response = client.put("/api/v1/auth/token")
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    detail = _json(response)["detail"]
    assert "PUT" in detail and "POST" in detail and "不支持" in detail


@pytest.mark.django_db
def test_a_body_missing_its_fields_is_a_json_422_in_chinese(client, debug):
    response = client.post("/api/v1/auth/token", {}, content_type="application/json")
    assert response.status_code == 422
    body = _json(response)
    assert "必填" in body["detail"]
    assert {e["field"].rsplit(".", 1)[-1] for e in body["errors"]} == {"username", "password"}


@pytest.mark.django_db
def test_an_unexpected_exception_is_logged_and_answered_as_json_500(
    client, debug, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("database exploded")

    monkeypatch.setattr("bangfu.accounts.api.authenticate", broken)
    with caplog.at_level(logging.ERROR):
        response = client.post(
            "/api/v1/auth/token",
            {"username": "demo_province", "password": "x"},
            content_type="application/json",
        )
    assert response.status_code == 500
    assert _json(response) == {"detail": API_SERVER_ERROR}
    assert "database exploded" not in response.content.decode()  # no traceback to the client
    assert any(r.exc_info and "database exploded" in str(r.exc_info[1]) for r in caplog.records)


def test_django_level_errors_under_api_are_json_too(rf):
    """What Django itself answers (outside DEBUG) when the API's own handlers are not reached."""
    assert _json(server_error(rf.get("/api/v1/x")))["detail"] == API_SERVER_ERROR
    assert server_error(rf.get("/api/v1/x")).status_code == 500
    denied = permission_denied(rf.get("/api/v1/x"), PermissionDenied("仅省卫生健康委可操作"))
    assert denied.status_code == 403 and _json(denied)["detail"] == "仅省卫生健康委可操作"
    bad = bad_request(rf.get("/api/v1/x"), SuspiciousOperation("bad"))
    assert bad.status_code == 400 and _json(bad)["detail"] == "请求无效"
    missing = page_not_found(rf.get("/api/v1/x"), Http404())
    assert missing.status_code == 404 and _json(missing)["detail"].startswith("未找到")
