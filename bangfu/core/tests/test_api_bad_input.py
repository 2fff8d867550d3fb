"""The bad inputs that used to be 500s (issue #9): each is now a 4xx naming the field in Chinese.

Each row is a real endpoint called as the province officer, with one bad value; the database
is never reached, so nothing is written and the row's message says what to fix. NUL, lone
surrogates and invalid UTF-8 are refused first by the input guard (`core.input_guard`), with a
message naming the parameter; every other refusal comes from the schema types
(`core.schema_types`) as `field：message`.
"""

from __future__ import annotations

import json

import pytest

from bangfu.accounts.services import token_create

EXPERT = {
    "name": "张三",
    "sex": "M",
    "title": "正高",
    "degree": "博士",
    "home_institution_id": 1,
    "prior_year_pay": "300000.00",
}
BRIEFING = {"team_id": 1, "held_on": "2025-06-01", "topic": "医保政策"}
CLAIM = {"deployment_id": 1, "date": "2025-06-01", "amount": "120.00"}
WORK_FUND = {"recipient_id": 1, "year": 2025, "amount": "100000.00"}
CARD = {"expert_id": 1, "card_number": "GZ-1", "issued_on": "2025-06-01"}
NEEDS = {"needs": [{"specialty_code": "03", "referrals_3y": 10}]}
BIG = "100000000000000000000"

GETS = [
    # (path, query, field, what the message says)
    ("/api/v1/counties", {"page": BIG}, "page", "页码：不能大于 1000000"),
    ("/api/v1/partnerships", {"page": "0"}, "page", "页码：不能小于 1"),
    ("/api/v1/experts", {"page_size": "501"}, "page_size", "每页条数：不能大于 500"),
    ("/api/v1/experts", {"q": "张\x00三"}, "q", "控制字符"),
    ("/api/v1/experts", {"q": "张\x1f三"}, "q", "q：含有不允许的控制字符（U+001F）"),
    ("/api/v1/institutions", {"q": "医" * 101}, "q", "不能超过 100 个字符"),
    ("/api/v1/institutions", {"county": "5201\n"}, "county", "不能包含换行"),
    ("/api/v1/experts", {"recipient": BIG}, "recipient", "不能大于 9223372036854775807"),
    ("/api/v1/coverage", {"on": "-2.2e-264"}, "on", "应为日期（YYYY-MM-DD）"),
    ("/api/v1/coverage", {"on": "9999-12-31"}, "on", "日期须在 2000-01-01 至 2100-12-31 之间"),
    ("/api/v1/deployments", {"on_site_on": "1700000000"}, "on_site_on", "应为日期"),
    ("/api/v1/budget", {"round_trip_cost": "1e30"}, "round_trip_cost", "最多 10 位数字"),
    ("/api/v1/budget", {"round_trip_cost": "100000.01"}, "round_trip_cost", "不能大于 100000"),
    ("/api/v1/budget", {"round_trip_cost": "NaN"}, "round_trip_cost", "不能为 NaN 或 Infinity"),
    ("/api/v1/ledger/work-funds", {"year": "40000"}, "year", "不能大于 2100"),
]


@pytest.mark.parametrize(("path", "query", "field", "message"), GETS)
def test_a_bad_query_parameter_is_a_422_naming_it(
    client, province_officer, path, query, field, message
):
    token = token_create(user=province_officer)
    response = client.get(path, query, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422, response.content
    body = response.json()
    assert message in body["detail"]
    assert field in body["detail"] or field in [e["field"] for e in body.get("errors", [])]


BODIES = [
    # (method, path, body, field, what the message says)
    (
        "post",
        "/api/v1/experts",
        {**EXPERT, "job_title": "主" * 21},
        "job_title",
        "不能超过 20 个字符",
    ),
    ("post", "/api/v1/experts", {**EXPERT, "name": "张" * 51}, "name", "不能超过 50 个字符"),
    ("post", "/api/v1/experts", {**EXPERT, "phone": "1" * 31}, "phone", "不能超过 30 个字符"),
    ("post", "/api/v1/experts", {**EXPERT, "name": "张\x00三"}, "name", "控制字符"),
    ("post", "/api/v1/experts", {**EXPERT, "name": "张\x7f三"}, "name", "U+007F"),
    ("post", "/api/v1/experts", {**EXPERT, "name": "张\n三"}, "name", "不能包含换行"),
    ("post", "/api/v1/experts", {**EXPERT, "prior_year_pay": 2**63}, "prior_year_pay", "12 位数字"),
    (
        "post",
        "/api/v1/experts",
        {**EXPERT, "prior_year_pay": "10000000000"},
        "prior_year_pay",
        "整数部分最多 10 位",
    ),
    ("post", "/api/v1/experts", {**EXPERT, "prior_year_pay": "NaN"}, "prior_year_pay", "NaN"),
    (
        "post",
        "/api/v1/experts",
        {**EXPERT, "prior_year_pay": "1.005"},
        "prior_year_pay",
        "2 位小数",
    ),
    ("post", "/api/v1/experts", {**EXPERT, "prior_year_pay": "-1"}, "prior_year_pay", "不能小于 0"),
    (
        "post",
        "/api/v1/department-services/insurance-briefings",
        {**BRIEFING, "attendees": 40000},
        "attendees",
        "不能大于 32767",
    ),
    (
        "post",
        "/api/v1/ledger/travel-claims",
        {**CLAIM, "amount": 1e30},
        "amount",
        "最多 10 位数字",
    ),
    ("post", "/api/v1/ledger/travel-claims", {**CLAIM, "note": "a\x0bb"}, "note", "U+000B"),
    ("post", "/api/v1/ledger/work-funds", {**WORK_FUND, "amount": 2**63}, "amount", "12 位数字"),
    ("post", "/api/v1/ledger/work-funds", {**WORK_FUND, "year": 40000}, "year", "不能大于 32767"),
    (
        "post",
        "/api/v1/ledger/tourism-cards",
        {**CARD, "issued_on": "2025-06-01T00:00:00"},
        "issued_on",
        "应为日期",
    ),
    ("post", "/api/v1/agreements/1/renew", {"start": "9999-01-01"}, "start", "2100-12-31"),
    (
        "post",
        "/api/v1/agreements/1/terminate",
        {"on": "2025-06-01", "reason": "x\x00"},
        "reason",
        "控制字符",
    ),
    (
        "put",
        "/api/v1/matching/needs/1",
        {"needs": [{"specialty_code": "03", "referrals_3y": 2**31}]},
        "needs.0.referrals_3y",
        "不能大于 2147483647",
    ),
    (
        "put",
        "/api/v1/matching/preferences/1",
        {"ranked_ids": [2**64]},
        "ranked_ids.0",
        "不能大于 9223372036854775807",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "field", "message"), BODIES)
def test_a_bad_body_value_is_a_422_naming_its_field(
    client, province_officer, method, path, body, field, message
):
    token = token_create(user=province_officer)
    call = getattr(client, method)
    response = call(
        path,
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert field in detail and message in detail


def _post_raw(client, user, path: str, raw: bytes):
    token = token_create(user=user)
    return client.post(
        path, raw, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )


def test_a_lone_surrogate_escape_in_json_is_a_422_naming_the_field(client, province_officer):
    raw = json.dumps({**EXPERT, "name": "PLACEHOLDER"}).replace("PLACEHOLDER", "\\ud800")
    response = _post_raw(client, province_officer, "/api/v1/experts", raw.encode())
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "name" in detail and ("无效的字符" in detail or "代理字符" in detail)


def test_a_lone_surrogate_as_a_json_key_of_stored_targets_is_a_422(client, province_officer):
    raw = json.dumps({"start": "2025-01-01", "measures": {"M01": {"KEY": "4"}}}).replace(
        "KEY", "\\udfff"
    )
    body = json.dumps(
        {"helper_id": 1, "recipient_id": 2, "modes": ["group"], "agreement": json.loads(raw)}
    ).replace("\\\\udfff", "\\udfff")
    response = _post_raw(client, province_officer, "/api/v1/partnerships", body.encode())
    assert response.status_code == 422
    assert "agreement.measures.M01" in response.json()["detail"]


def test_a_body_that_is_not_json_typed_is_still_refused_by_the_parser(client, province_officer):
    """The input guard reads JSON bodies only; any other content type reaches the API parser."""
    token = token_create(user=province_officer)
    response = client.post(
        "/api/v1/experts",
        b'{"name": "\xff\xfe"}',
        content_type="text/plain",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "请求体：不是有效的 UTF-8 编码"


@pytest.mark.parametrize(
    ("raw", "message"),
    [(b'{"name": "\xff\xfe"}', "UTF-8"), (b'{"name": ', "请求体：不是有效的 JSON")],
)
def test_a_body_that_is_not_utf8_json_is_a_422(client, province_officer, raw, message):
    response = _post_raw(client, province_officer, "/api/v1/experts", raw)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_a_multipart_header_without_boundary_on_login_is_a_422_not_a_500(client, db):
    response = client.post(
        "/api/v1/auth/token",
        b'{"username": "nobody", "password": "x"}',
        content_type="multipart/form-data",
    )
    assert response.status_code in (401, 422)
    assert "detail" in response.json()


def test_english_pydantic_messages_never_reach_the_user(client, province_officer):
    token = token_create(user=province_officer)
    body = {**EXPERT, "name": ["not", "a", "string"], "prior_year_pay": {"x": 1}, "sex": 3}
    response = client.post(
        "/api/v1/experts",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "name：应为文本" in detail
    assert not any(word in detail for word in ("Input should", "valid", "String"))
