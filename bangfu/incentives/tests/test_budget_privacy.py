"""The budget never gives away one person's pay (个人信息保护法; ADR 0004): for readers without
pay access a salary top-up adding up fewer than 3 people — and the totals holding it, at every
level — is shown as "<3人不公开" on the page, in the export and by the API, with a note; the
province and the paying recipient still see the figures."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bangfu.core.templatetags.bangfu_format import yuan
from bangfu.people.domain.privacy import SMALL_CELL_TEXT, small_cell_hidden
from bangfu.people.tests.fixtures import deploy, make_expert

pytestmark = pytest.mark.django_db

WEINING_HOSPITAL = "威宁彝族回族苗族自治县人民医院"
ENTITLED = ("province_officer", "recipient_user")
NOT_ENTITLED = ("observer_user", "prefecture_officer", "county_officer")
TOP_UP_LABEL = "薪酬补足差额"


def test_small_cells_are_one_or_two_people():
    assert [small_cell_hidden(n) for n in range(5)] == [False, True, True, False, False]


def _report(client, user, year, level="hospital"):
    client.force_login(user)
    response = client.get(reverse("incentives:budget"), {"year": year, "level": level})
    assert response.status_code == 200
    return response.context["report"], response.content.decode()


def _weining(report):
    return next(r for r in report.rows if r.name == WEINING_HOSPITAL)


@pytest.fixture
def year(resident):
    return resident.start.year  # 甲 alone has a top-up that year (the demo's experts start later)


@pytest.fixture
def top_up(client, province_officer, year):
    report, _ = _report(client, province_officer, year)
    row = _weining(report)
    assert row.pay_people == 1 and row.items["salary_top_up"] > 0
    return row.items["salary_top_up"]


@pytest.mark.parametrize("who", NOT_ENTITLED)
@pytest.mark.parametrize("level", ["hospital", "prefecture", "province"])
def test_one_persons_top_up_is_suppressed_at_every_level_with_a_note(
    request, client, year, top_up, who, level
):
    user = request.getfixturevalue(who)
    report, html = _report(client, user, year, level)
    assert not report.pay_visible
    holding = [r for r in report.rows if r.pay_people]
    assert holding and all(not r.pay_visible for r in holding)
    for row in holding:
        assert row.shown_items["salary_top_up"] == SMALL_CELL_TEXT
        assert row.shown_total == SMALL_CELL_TEXT
        assert row.shown_items["work_fund"] == row.items["work_fund"]  # not pay: still shown
    assert report.shown_item_totals["salary_top_up"] == SMALL_CELL_TEXT
    assert report.shown_total == SMALL_CELL_TEXT
    assert yuan(top_up) not in html and str(top_up) not in html
    assert 'data-testid="small-cell-note"' in html and "不足3人" in html


@pytest.mark.parametrize("who", ENTITLED)
def test_the_province_and_the_paying_recipient_see_the_figures(request, client, year, top_up, who):
    user = request.getfixturevalue(who)
    report, html = _report(client, user, year)
    row = _weining(report)
    assert row.pay_visible and report.pay_visible
    assert row.shown_items["salary_top_up"] == top_up
    assert row.shown_total == row.total
    assert yuan(top_up) in html
    assert 'data-testid="small-cell-note"' not in html


@pytest.mark.parametrize("who", NOT_ENTITLED + ENTITLED)
def test_budget_export_suppresses_the_same_cells(request, client, year, top_up, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(reverse("incentives:budget_export"), {"year": year})
    rows = list(
        load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    header = rows[0]
    by_name = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    weining = by_name[WEINING_HOSPITAL]
    values = [v for r in rows for v in r if v is not None]
    if who in ENTITLED:
        assert float(weining[TOP_UP_LABEL]) == float(top_up)
        assert not any(isinstance(v, str) and "不足3人" in v for v in values)
    else:
        assert weining[TOP_UP_LABEL] == SMALL_CELL_TEXT
        assert weining["合计"] == SMALL_CELL_TEXT
        assert by_name["合计"]["合计"] == SMALL_CELL_TEXT
        assert float(top_up) not in [v for v in values if isinstance(v, int | float)]
        assert any(isinstance(v, str) and "不足3人" in v for v in values)


@pytest.mark.parametrize("who", NOT_ENTITLED + ENTITLED)
def test_budget_api_suppresses_the_same_cells(request, api_client, year, top_up, who):
    user = request.getfixturevalue(who)
    api_client.login(user)
    body = api_client.get("/api/v1/budget", year=year).json()
    row = next(r for r in body["rows"] if r["name"] == WEINING_HOSPITAL)
    if who in ENTITLED:
        assert row["pay_visible"] and row["items"]["salary_top_up"] == str(top_up)
        assert body["note"] == ""
    else:
        assert not row["pay_visible"]
        assert row["items"]["salary_top_up"] == row["total"] == SMALL_CELL_TEXT
        assert body["item_totals"]["salary_top_up"] == body["total"] == SMALL_CELL_TEXT
        assert "不足3人" in body["note"]
        assert str(top_up) not in str(body)


def test_three_peoples_top_ups_are_shown_to_every_budget_reader(
    client, province_officer, prefecture_officer, team, resident, year, top_up
):
    for i in range(2):
        e = make_expert(province_officer, f"补足{i}", team.partnership.helper)
        deploy(province_officer, team, e, start=resident.start, months=24)
    report, html = _report(client, prefecture_officer, year)
    row = _weining(report)
    assert row.pay_people == 3 and row.pay_visible
    assert row.shown_items["salary_top_up"] == row.items["salary_top_up"] > top_up
    assert yuan(row.items["salary_top_up"]) in html
    assert 'data-testid="small-cell-note"' not in html
