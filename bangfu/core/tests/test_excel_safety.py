"""Stored text never breaks or arms an export (issue #9): every .xlsx goes through
`bangfu.core.excel`, which drops control characters and writes formula-like text as a quoted
string. Each export is downloaded as the province officer and read back with openpyxl."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from bangfu.core.excel import (
    XLSX,
    append_row,
    cell_value,
    xlsx_bytes,
    xlsx_stream_file,
    xlsx_stream_response,
)
from bangfu.incentives.models import (
    HealthCheck,
    InsurancePolicy,
    TourismCard,
    TravelClaim,
    WorkFund,
)
from bangfu.incentives.services import (
    health_check_create,
    insurance_policy_create,
    tourism_card_create,
    travel_claim_create,
    work_fund_set,
)
from bangfu.people.models import Expert, Team
from bangfu.people.tests.fixtures import (  # noqa: F401
    departments,
    expert,
    pair,
    team,
)

pytestmark = pytest.mark.django_db

CALC = "=cmd|' /C calc'!A0"
LINK = '=HYPERLINK("http://evil.example/x","点此查看")'
FORMULAS = [CALC, LINK, "+1+2", "-3+4", "@SUM(1,2)", "\t=1+1", "\r=1+1"]


def _read(content: bytes) -> list[list[object]]:
    wb = load_workbook(BytesIO(content))
    cells = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
            cells.append([c.value for c in row])
    return cells


def _texts(content: bytes) -> list[str]:
    return [v for row in _read(content) for v in row if isinstance(v, str)]


# ---- the one place ----


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_is_a_quoted_string_never_a_formula(text):
    content = xlsx_bytes("表", ["列"], [[text]])
    ws = load_workbook(BytesIO(content)).active
    cell = ws["A2"]
    assert cell.data_type == "s"
    assert cell.value == "'" + text


def test_control_characters_are_dropped_and_the_rest_of_the_text_kept():
    content = xlsx_bytes("表\x0b", ["备\x00注"], [["a\x0bb\x1fc\x7f\u0085", "正常\t文本\n第二行"]])
    ws = load_workbook(BytesIO(content)).active
    assert ws["A1"].value == "备注"
    assert ws["A2"].value == "abc"
    assert ws["B2"].value == "正常\t文本\n第二行"
    assert ws.title == "表"


def test_numbers_dates_and_plain_text_are_unchanged():
    from datetime import date

    content = xlsx_bytes(
        "表",
        ["a", "b", "c", "d", "e"],
        [[Decimal("-1500.50"), -3, date(2025, 1, 2), "甲-乙", True]],
    )
    ws = load_workbook(BytesIO(content)).active
    assert ws["A2"].value == -1500.5 and ws["A2"].data_type == "n"
    assert ws["B2"].value == -3 and ws["B2"].data_type == "n"
    assert ws["C2"].value.date() == date(2025, 1, 2)
    assert ws["D2"].value == "甲-乙"
    assert ws["E2"].value is True
    assert cell_value(Decimal("-2")) == Decimal("-2")


def test_append_row_marks_text_cells_as_strings_in_a_hand_built_workbook():
    wb = Workbook()
    ws = wb.active
    append_row(ws, [CALC, 5])
    assert ws["A1"].data_type == "s" and ws["A1"].quotePrefix
    assert ws["B1"].data_type == "n"


# ---- the streamed variant (exports of large scopes) ----


def test_streamed_workbook_keeps_every_cell_rule():
    from datetime import date

    rows = [
        *([text, index] for index, text in enumerate(FORMULAS)),
        ["a\x0bb\x1fc\x7f\u0085", Decimal("-1500.50")],
        [date(2025, 1, 2), True],
    ]
    response = xlsx_stream_response("导出\x0b.xlsx", "表\x0b", ["备\x00注", "数"], iter(rows))
    assert response.streaming
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(BytesIO(response.getvalue())).active
    assert ws.title == "表"
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == ["备注", "数"] and ws["A1"].font.bold
    for number, text in enumerate(FORMULAS, start=2):
        cell = ws[f"A{number}"]
        assert cell.data_type == "s" and cell.value == "'" + text and cell.quotePrefix
        assert ws[f"B{number}"].data_type == "n"
    last = len(FORMULAS) + 2
    assert ws[f"A{last}"].value == "abc"
    assert ws[f"B{last}"].value == -1500.5 and ws[f"B{last}"].data_type == "n"
    assert ws[f"A{last + 1}"].value.date() == date(2025, 1, 2)
    assert ws[f"B{last + 1}"].value is True


def test_streamed_workbook_consumes_rows_as_they_come_without_a_list():
    consumed = []

    def rows():
        for n in range(2000):
            consumed.append(n)
            yield [f"第{n}行", n]

    handle = xlsx_stream_file("表", ["名", "号"], rows())
    assert len(consumed) == 2000
    ws = load_workbook(handle, read_only=True).active
    values = list(ws.iter_rows(values_only=True))
    assert values[0] == ("名", "号") and values[-1] == ("第1999行", 1999) and len(values) == 2001


def test_every_xlsx_export_goes_through_core_excel():
    """Exports are built by `xlsx_bytes`; the few workbooks with a layout of their own (the
    statement, the activity import template) write every row through `append_row`."""
    root = Path(__file__).resolve().parents[3]
    builders = {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in (root / "bangfu").rglob("*.py")
        if "/tests/" not in p.as_posix() and "Workbook(" in p.read_text(encoding="utf-8")
    }
    assert "bangfu/core/excel.py" in builders and "bangfu/incentives/statement_files.py" in builders
    for path, text in builders.items():
        if path == "bangfu/core/excel.py":
            continue
        assert "append_row(" in text, path
        assert not re.search(r"\.append\(\s*\[", text), path  # no row appended around it


# ---- every export, with what is stored through the services ----


@pytest.fixture
def hostile(province_officer, expert):  # noqa: F811
    """Formula strings stored through the services, then control characters written straight
    into the rows as older data (before input was checked) may hold them."""
    deployment = expert.deployments.get()
    recipient = deployment.team.partnership.recipient
    tourism_card_create(
        actor=province_officer, expert=expert, card_number=CALC, issued_on=deployment.start
    )
    insurance_policy_create(
        actor=province_officer,
        expert=expert,
        insurer=LINK,
        policy_number="-1+1",
        coverage=Decimal("1000000"),
        start=deployment.start,
        end=deployment.start + timedelta(days=365),
    )
    health_check_create(
        actor=province_officer, expert=expert, checked_on=deployment.start, provider="@SUM(1,2)"
    )
    travel_claim_create(
        actor=province_officer,
        deployment=deployment,
        date=deployment.start + timedelta(days=20),
        amount=Decimal("800.00"),
        note="+86-1+1",
    )
    work_fund_set(
        actor=province_officer,
        recipient=recipient,
        year=deployment.start.year,
        amount=Decimal("100000"),
        note=LINK,
    )
    Expert.objects.filter(pk=expert.pk).update(name="控制\x0b字符", job_title="=1+2")
    Team.objects.filter(pk=deployment.team_id).update(note="a\x0bb")
    TravelClaim.objects.filter(deployment=deployment).update(note="+86-1+1\x0b")
    # Cleaning first uncovers the "=": the formula check runs on the cleaned text.
    WorkFund.objects.filter(recipient=recipient).update(note="\x0b" + LINK)
    HealthCheck.objects.filter(expert=expert).update(provider="@SUM(1,2)\x1f")
    InsurancePolicy.objects.filter(expert=expert).update(insurer=LINK + "\x0c")
    TourismCard.objects.filter(expert=expert).update(card_number=CALC + "\x08")
    return expert


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("travel", "'+86-1+1"),
        ("insurance", "'" + LINK),
        ("health", "'@SUM(1,2)"),
        ("tourism", "'" + CALC),
        ("work_fund", "'" + LINK),
    ],
)
def test_ledger_exports_survive_control_characters_and_never_hold_a_formula(
    client, province_officer, hostile, kind, expected
):
    client.force_login(province_officer)
    response = client.get(reverse("incentives:ledger_export"), {"kind": kind})
    assert response.status_code == 200
    texts = _texts(response.getvalue())
    assert expected in texts
    if kind != "work_fund":
        assert "控制字符" in texts


@pytest.mark.parametrize(
    "url",
    [
        "people:expert_export",
        "people:deployment_export",
        "people:team_export",
        "incentives:budget_export",
        "partnerships:partnership_export",
        "activities:activity_export",
        "activities:activity_template",
    ],
)
def test_list_exports_survive_control_characters(client, province_officer, hostile, url):
    client.force_login(province_officer)
    response = client.get(reverse(url))
    assert response.status_code == 200
    texts = _texts(response.getvalue())
    if url in ("people:expert_export", "people:deployment_export", "people:team_export"):
        assert any("控制字符" in t for t in texts)
    if url == "people:expert_export":
        assert "'=1+2" in texts


def test_statement_export_survives_control_characters_and_formulas(
    client, province_officer, hostile
):
    client.force_login(province_officer)
    response = client.get(reverse("incentives:statement_xlsx", args=[hostile.pk]))
    assert response.status_code == 200
    texts = _texts(response.getvalue())
    assert any("控制字符" in t for t in texts)
    assert all(not t.startswith(("=", "+", "-", "@")) for t in texts)
