"""The API's translation of service exceptions into JSON errors."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.api import on_permission_denied, on_service_validation_error


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
