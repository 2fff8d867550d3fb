"""Bad input on the web pages is a 4xx with a Chinese message, never a 500 (issue #9).

- forms: implausible dates, control characters, over-long text and over-large numbers come
  back on the right field, and nothing is written;
- query strings on every list page: page numbers past bigint, negative or not numbers, dates
  that are not dates or lie in year 9999, very long search text: the page still answers;
- the input guard: NUL, lone surrogates and invalid UTF-8 anywhere in a request are refused
  before the view runs (400 on pages naming the parameter, 422 JSON under /api/).

The test client re-raises any exception of a view, so a 500 fails the test with its traceback.
"""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import urlencode

import pytest
from django.http import HttpRequest
from django.test import RequestFactory
from django.urls import reverse

from bangfu.core.input_guard import refused_input
from bangfu.core.models import AuditEntry
from bangfu.matching.forms import CapacityForm
from bangfu.partnerships.demo import demo_measures
from bangfu.partnerships.forms import RenewForm, TerminateForm
from bangfu.partnerships.models import Agreement, AgreementMeasure, Partnership
from bangfu.partnerships.services import AgreementInput, partnership_create
from bangfu.partnerships.tests.conftest import form_body
from bangfu.people.forms import BriefingForm
from bangfu.people.models import Expert, Team
from bangfu.people.tests.fixtures import (  # noqa: F401
    departments,
    expert,
    pair,
    resident,
    team,
)
from bangfu.registry.models import Institution

pytestmark = pytest.mark.django_db

RANGE = "2000-01-01 至 2100-12-31"
CONTROL = "含有不允许的控制字符"


def counts() -> tuple[int, ...]:
    return (
        Partnership.objects.count(),
        Agreement.objects.count(),
        AgreementMeasure.objects.count(),
        Team.objects.count(),
        Expert.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def helper() -> Institution:
    return Institution.objects.get(name="上海演示第7医院")


@pytest.fixture
def recipient() -> Institution:
    return Institution.objects.get(name="威宁彝族回族苗族自治县中医医院")


@pytest.fixture
def agreement(province_officer, helper, recipient) -> Agreement:
    partnership = partnership_create(
        actor=province_officer,
        helper=helper,
        recipient=recipient,
        modes=["east_west"],
        agreement=AgreementInput(
            start=date(2025, 3, 1), signed_on=date(2025, 2, 20), measures=demo_measures()
        ),
    )
    return partnership.agreements.get()


# ---- forms: the error on the right field, nothing written ----

PARTNERSHIP_CASES = [
    pytest.param({"start": "9999-12-31"}, "start", RANGE, id="start-9999-12-31"),
    pytest.param({"start": "1999-12-31"}, "start", RANGE, id="start-1999"),
    pytest.param({"end": "2101-01-01"}, "end", RANGE, id="end-2101"),
    pytest.param({"signed_on": "0001-01-01"}, "signed_on", RANGE, id="signed-year-1"),
    pytest.param({"start": "-2.2e-264"}, "start", "有效的日期", id="start-not-a-date"),
    pytest.param(
        {"helper_liaison": "张\x0b联络"}, "helper_liaison", "U+000B", id="liaison-vertical-tab"
    ),
    pytest.param({"other_matters": "见附件\x07"}, "other_matters", "U+0007", id="note-bell"),
    pytest.param({"party_c": "县政府\x1b"}, "party_c", CONTROL, id="party-c-escape"),
    pytest.param(
        {"measures.M01.team_size": "4\x0e1"},
        "measures.M01.team_size",
        "U+000E",
        id="measure-target-shift-out",
    ),
    pytest.param({"helper_liaison": "张" * 101}, "helper_liaison", "100", id="liaison-too-long"),
]


@pytest.mark.parametrize(("changes", "field", "message"), PARTNERSHIP_CASES)
def test_partnership_form_refuses_bad_values_on_their_field(
    client, province_officer, helper, recipient, changes, field, message
):
    client.force_login(province_officer)
    before = counts()
    response = client.post(
        reverse("partnerships:partnership_create"), form_body(helper, recipient, **changes)
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert counts() == before


def test_partnership_form_start_9999_re_renders_without_a_default_end(
    client, province_officer, helper, recipient
):
    """The page shows start + 3 years as the default end; 9999-12-31 + 3 years overflowed."""
    client.force_login(province_officer)
    response = client.post(
        reverse("partnerships:partnership_create"),
        form_body(helper, recipient, start="9999-12-31"),
    )
    assert response.status_code == 400
    assert response.context["form"].default_end() is None
    assert RANGE in response.content.decode()


def test_renew_page_with_start_9999_names_the_start_field(client, province_officer, agreement):
    client.force_login(province_officer)
    before = counts()
    response = client.post(
        reverse("partnerships:agreement_renew", args=[agreement.pk]), {"start": "9999-01-01"}
    )
    assert response.status_code == 400
    assert RANGE in response.content.decode()
    assert counts() == before


def test_terminate_page_refuses_a_date_in_year_9999(client, province_officer, agreement):
    client.force_login(province_officer)
    response = client.post(
        reverse("partnerships:agreement_terminate", args=[agreement.pk]),
        {"on": "9999-12-31", "reason": "撤回"},
    )
    assert response.status_code == 400
    assert RANGE in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.terminated_on is None


TEAM_CASES = [
    pytest.param({"note": "第二\x0b批"}, "note", "U+000B", id="note-vertical-tab"),
    pytest.param({"note": "备" * 301}, "note", "300", id="note-too-long"),
    pytest.param({"batch": "100000000000000000000"}, "batch", "32767", id="batch-past-column"),
]


@pytest.mark.parametrize(("changes", "field", "message"), TEAM_CASES)
def test_team_form_refuses_bad_values_on_their_field(
    client,
    province_officer,
    pair,  # noqa: F811
    changes,
    field,
    message,
):
    client.force_login(province_officer)
    before = counts()
    body = {"partnership": pair.pk, "batch": "99", "note": ""} | changes
    response = client.post(reverse("people:team_create"), body)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors
    assert counts() == before


EXPERT_CASES = [
    pytest.param({"name": "名" * 51}, "name", "50", id="name-too-long"),
    pytest.param({"job_title": "主任医师" * 6}, "job_title", "20", id="job-title-too-long"),
    pytest.param({"phone": "1" * 31}, "phone", "30", id="phone-too-long"),
    pytest.param({"name": "王\x7f五"}, "name", "U+007F", id="name-delete-char"),
]


@pytest.mark.parametrize(("changes", "field", "message"), EXPERT_CASES)
def test_expert_form_refuses_bad_values_on_their_field(
    client, province_officer, helper, changes, field, message
):
    client.force_login(province_officer)
    before = counts()
    body = {
        "name": "王五",
        "sex": "M",
        "title": "正高",
        "job_title": "主任医师",
        "degree": "博士",
        "home_institution": helper.pk,
        "prior_year_pay": "300000",
    } | changes
    response = client.post(reverse("people:expert_create"), body)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors
    assert counts() == before


def test_forms_refuse_nul_with_the_chinese_message_on_the_field():
    """Behind the input guard a NUL never reaches a form; the form refuses it all the same."""
    form = TerminateForm({"on": "2026-01-01", "reason": "撤\x00回"})
    assert not form.is_valid()
    assert form.errors["reason"] == ["含有不允许的控制字符（U+0000），请删除后重试"]


@pytest.mark.parametrize(
    ("value", "valid"),
    [("1999-12-31", False), ("2000-01-01", True), ("2100-12-31", True), ("2101-01-01", False)],
)
def test_form_date_fields_accept_exactly_the_programme_window(value, valid):
    form = RenewForm({"start": value})
    assert form.is_valid() is valid
    if not valid:
        assert RANGE in form.errors["start"][0]


# ---- query strings on list pages ----

LIST_PAGES = [
    "registry:county_list",
    "registry:institution_list",
    "partnerships:partnership_list",
    "partnerships:coverage",
    "partnerships:county_plan_list",
    "people:expert_list",
    "people:team_list",
    "people:deployment_list",
    "incentives:ledger",
    "incentives:budget",
    "matching:round_list",
    "matching:needs_list",
    "activities:activity_list",
    "activities:progress_overview",
    "overview:county_map",
    "overview:report_page",
    "jobs:job_list",
    "accounts:token_list",
    "accounts:lockout_list",
]

QUERIES = [
    pytest.param({"page": "100000000000000000000"}, id="page-past-bigint"),
    pytest.param({"page": "-1"}, id="page-negative"),
    pytest.param({"page": "abc"}, id="page-not-a-number"),
    pytest.param({"page": "1e30"}, id="page-float"),
    pytest.param({"on": "-2.2e-264", "on_site_on": "-2.2e-264"}, id="date-not-a-date"),
    pytest.param({"on": "9999-12-31", "on_site_on": "9999-12-31"}, id="date-9999"),
    pytest.param({"q": "县" * 5000}, id="q-very-long"),
    pytest.param({"q": "a\x0bb", "prefecture": "\x1f"}, id="filter-control-chars"),
    pytest.param(
        {"year": "99999999999999999999", "round_trip_cost": "1e30", "expiring_within_days": "1e9"},
        id="numbers-past-columns",
    ),
    pytest.param({"recipient": "²", "home_institution": "99999999999999999999"}, id="ids"),
]


@pytest.mark.parametrize("page", LIST_PAGES)
@pytest.mark.parametrize("query", QUERIES)
def test_list_pages_answer_any_query_string(client, province_officer, page, query):
    client.force_login(province_officer)
    response = client.get(reverse(page), query)
    assert response.status_code == 200, response.status_code
    assert "<html" in response.content.decode()


def test_coverage_on_year_9999_shows_the_range_message(client, province_officer):
    client.force_login(province_officer)
    response = client.get(reverse("partnerships:coverage"), {"on": "9999-12-31"})
    assert response.status_code == 200
    assert RANGE in response.content.decode()


def test_statement_with_a_period_in_year_9999_is_a_400_with_the_message(
    client,
    province_officer,
    expert,  # noqa: F811
):
    client.force_login(province_officer)
    response = client.get(
        reverse("incentives:statement", args=[expert.pk]),
        {"start": "9999-01-01", "end": "9999-12-31"},
    )
    assert response.status_code == 400
    assert RANGE in response.content.decode()


def test_travel_claim_page_with_a_superscript_expert_id_still_answers(client, province_officer):
    client.force_login(province_officer)
    for raw in ("²", "99999999999999999999", "-1"):
        response = client.get(reverse("incentives:travel_claim_create"), {"expert": raw})
        assert response.status_code == 200


# ---- the input guard ----


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("q=a%00b", "参数「q」含有不允许的控制字符"),
        ("page=1&q=%FF%FE", "参数「q」不是有效的 UTF-8 文本"),
        ("q=%ED%A0%80", "参数「q」不是有效的 UTF-8 文本"),  # a surrogate written in UTF-8
        ("a%00b=1", "参数「ab」含有不允许的控制字符"),
    ],
)
def test_pages_refuse_unstorable_query_strings_with_400_naming_the_parameter(
    client, province_officer, query, message
):
    client.force_login(province_officer)
    response = client.get(f"{reverse('partnerships:partnership_list')}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_urlencoded_post_with_nul_is_refused_before_the_form_and_writes_nothing(
    client, province_officer, helper, recipient
):
    client.force_login(province_officer)
    before = counts()
    body = form_body(helper, recipient, helper_liaison="张\x00联络")
    response = client.post(
        reverse("partnerships:partnership_create"),
        urlencode(body, doseq=True),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "参数「helper_liaison」含有不允许的控制字符" in response.content.decode()
    assert counts() == before


def test_api_query_with_nul_is_a_422_json_detail(client):
    response = client.get("/api/v1/partnerships?q=a%00b")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("参数「q」含有不允许的控制字符")


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ('{"note": "a\\u0000b"}', "note"),
        ('{"items": [{"name": "\\ud800"}]}', "items.0.name"),
        ('{"x\\u0000": 1}', "x"),
    ],
)
def test_api_json_with_nul_or_a_lone_surrogate_is_a_422_naming_the_field(client, body, name):
    response = client.post("/api/v1/ledger/travel-claims", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"参数「{name}」含有不允许的控制字符")


def test_api_json_that_is_not_utf8_is_a_422(client):
    response = client.post(
        "/api/v1/ledger/travel-claims", b'{"note": "\xff"}', content_type="application/json"
    )
    assert response.status_code == 422
    assert "UTF-8" in response.json()["detail"]


def _request(method: str, path: str, body: bytes = b"", content_type: str = "") -> HttpRequest:
    factory = RequestFactory()
    if method == "GET":
        return factory.get(path)
    return factory.post(path, body, content_type=content_type)


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(_request("GET", "/partnerships/?q=%E5%8E%BF&page=2"), id="chinese-query"),
        pytest.param(
            _request(
                "POST", "/api/v1/x", json.dumps({"n": "😀 \\u00e9"}).encode(), "application/json"
            ),
            id="json-emoji-pair",
        ),
        pytest.param(
            _request("POST", "/api/v1/x", b'{"n": "\\ud83d\\ude00"}', "application/json"),
            id="json-escaped-surrogate-pair",
        ),
        pytest.param(
            _request("POST", "/x/", b"a=%E5%8E%BF&b=", "application/x-www-form-urlencoded"),
            id="urlencoded-chinese",
        ),
    ],
)
def test_the_guard_passes_ordinary_text(request_):
    assert refused_input(request_) is None


def test_small_integer_columns_are_bounded_on_their_forms():
    """attendees, batch and capacity are PositiveSmallIntegerField: 32767 at most on PostgreSQL."""
    briefing = BriefingForm({"attendees": "40000"}, teams=Team.objects.none())
    assert not briefing.is_valid()
    assert "32767" in briefing.errors["attendees"][0]
    capacity = CapacityForm({"helper": "1", "capacity": "40000"}, helper_choices=[(1, "甲")])
    assert not capacity.is_valid()
    assert "32767" in capacity.errors["capacity"][0]


def test_api_renew_with_start_9999_is_a_422_naming_start(api_client, province_officer, agreement):
    """The measured 500: `renew {"start": "9999-01-01"}` overflowed adding the 3-year cycle."""
    api_client.login(province_officer)
    before = counts()
    response = api_client.post(f"/api/v1/agreements/{agreement.pk}/renew", {"start": "9999-01-01"})
    assert response.status_code == 422
    assert "start" in json.dumps(response.json(), ensure_ascii=False)
    assert RANGE in json.dumps(response.json(), ensure_ascii=False)
    assert counts() == before


EXPORTS = [
    "registry:county_export",
    "registry:institution_export",
    "partnerships:partnership_export",
    "partnerships:coverage_export",
    "people:expert_export",
    "people:team_export",
    "people:deployment_export",
    "incentives:ledger_export",
    "incentives:budget_export",
    "matching:round_list_export",
    "matching:needs_list_export",
    "activities:activity_export",
]


@pytest.mark.parametrize("export", EXPORTS)
def test_exports_answer_any_filter_query_with_a_workbook(client, province_officer, export):
    client.force_login(province_officer)
    for query in (
        {"on": "9999-12-31", "on_site_on": "-2.2e-264", "page": "100000000000000000000"},
        {"q": "县" * 5000, "prefecture": "a\x0bb", "year": "99999999999999999999"},
    ):
        response = client.get(reverse(export), query)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
