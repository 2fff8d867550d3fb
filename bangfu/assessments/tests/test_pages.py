"""Pages, the board counts, the Excel export and the documents read back (issue #12)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from bangfu.assessments.domain.review import Action
from bangfu.assessments.models import Assessment
from bangfu.assessments.selectors import assessment_board_for_user
from bangfu.assessments.services import AssessmentChanges, assessment_act, assessment_update

from .conftest import all_ratings

pytestmark = pytest.mark.django_db


def test_board_counts_for_each_level(
    year, weining, ready, recipient_user, county_officer, prefecture_officer, province_officer
):
    Assessment.objects.filter(pk=weining.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    in_county = Assessment.objects.filter(
        year=year, agreement__partnership__recipient__county__code="520526"
    ).count()
    board = assessment_board_for_user(user=county_officer, year=year)
    assert len(board.rows) == in_county
    assert [r.assessment.pk for r in board.overdue] == [weining.pk]
    assert board.waiting == []
    assessment_act(actor=recipient_user, assessment=ready, action=Action.SUBMIT)
    board = assessment_board_for_user(user=county_officer, year=year)
    assert [r.assessment.pk for r in board.waiting] == [weining.pk]
    assert board.overdue == []  # submitted: no longer overdue
    assert board.by_status["submitted"] == 1
    assert assessment_board_for_user(user=prefecture_officer, year=year).waiting == []
    whole = assessment_board_for_user(user=province_officer, year=year)
    assert len(whole.rows) == Assessment.objects.filter(year=year).count()
    assert sum(whole.by_status.values()) == len(whole.rows)
    assert whole.waiting == []


def test_the_board_page_and_export(client, county_officer, weining, year):
    client.force_login(county_officer)
    page = client.get("/assessments/", {"year": year})
    assert page.status_code == 200
    assert f'data-assessment="{weining.pk}"' in page.content.decode()
    assert "开启年度自查自评" not in page.content.decode()  # a province button only
    export = client.get("/assessments/export.xlsx", {"year": year})
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "年度", "县", "受扶医院")
    assert {r[0] for r in rows[1:]} == set(
        Assessment.objects.filter(
            year=year, agreement__partnership__recipient__county__code="520526"
        ).values_list("pk", flat=True)
    )


def test_the_province_opens_a_year_from_the_page(client, province_officer, county_officer, year):
    client.force_login(county_officer)
    assert client.post("/assessments/open/", {"year": year + 1}).status_code == 403
    client.force_login(province_officer)
    response = client.post("/assessments/open/", {"year": year + 1, "due_on": f"{year + 2}-03-31"})
    assert response.status_code == 302
    assert Assessment.objects.filter(year=year + 1).exists()


def test_the_form_is_scoped(client, county_officer, elsewhere):
    client.force_login(county_officer)
    assert client.get(f"/assessments/{elsewhere.pk}/").status_code == 404
    assert client.post(f"/assessments/{elsewhere.pk}/act/approve").status_code == 404


def test_the_recipient_saves_and_submits_on_the_page(client, recipient_user, weining):
    client.force_login(recipient_user)
    page = client.get(f"/assessments/{weining.pk}/").content.decode()
    assert 'data-testid="recipient-form"' in page
    data = {f"rating_{code}": "completed" for code in all_ratings(weining)}
    data.update(results_text="成效显著", problems_text="", next_steps_text="")
    assert client.post(f"/assessments/{weining.pk}/", data).status_code == 302
    assert Assessment.objects.get(pk=weining.pk).results_text == "成效显著"
    assert client.post(f"/assessments/{weining.pk}/act/submit").status_code == 302
    assert Assessment.objects.get(pk=weining.pk).status == "submitted"


def test_a_return_without_comment_shows_the_message(client, ready, recipient_user, county_officer):
    assessment_act(actor=recipient_user, assessment=ready, action=Action.SUBMIT)
    client.force_login(county_officer)
    response = client.post(f"/assessments/{ready.pk}/act/return", {"comment": ""})
    assert response.status_code == 400
    assert "退回时必须填写意见" in response.content.decode()
    assert Assessment.objects.get(pk=ready.pk).status == "submitted"


def test_an_invalid_comment_is_refused_not_dropped(client, ready, recipient_user, county_officer):
    """A comment the form refuses (too long) stops the action: before, it was dropped silently
    and the assessment moved on without it."""
    assessment_act(actor=recipient_user, assessment=ready, action=Action.SUBMIT)
    client.force_login(county_officer)
    response = client.post(f"/assessments/{ready.pk}/act/approve", {"comment": "好" * 2001})
    assert response.status_code == 400
    assert response.context["action_form"].errors["comment"]
    assert Assessment.objects.get(pk=ready.pk).status == "submitted"


def test_acting_out_of_turn_on_the_page_is_403(client, weining, prefecture_officer):
    client.force_login(prefecture_officer)
    assert client.post(f"/assessments/{weining.pk}/act/approve").status_code == 403


def test_documents_read_back(client, ready, recipient_user, helper_user, county_officer):
    assessment_update(
        actor=helper_user, assessment=ready, changes=AssessmentChanges(helper_comments="帮扶方认可")
    )
    assessment_act(actor=recipient_user, assessment=ready, action=Action.SUBMIT)
    assessment_act(
        actor=county_officer, assessment=ready, action=Action.RETURN, comment="请补充问题"
    )
    client.force_login(county_officer)
    docx = client.get(f"/assessments/{ready.pk}/assessment.docx")
    assert docx.status_code == 200
    document = Document(io.BytesIO(docx.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert (
        "威宁彝族回族苗族自治县人民医院" in text
        and "完成了年度任务" in text
        and "帮扶方认可" in text
    )
    assert "请补充问题" in cells and "完成" in cells
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    pdf = client.get(f"/assessments/{ready.pk}/assessment.pdf")
    assert pdf.status_code == 200
    reader = PdfReader(io.BytesIO(pdf.content))
    pdf_text = "".join(page.extract_text() for page in reader.pages)
    assert "自查自评报告" in pdf_text.replace("\n", "") and "请补充问题" in pdf_text
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 1 and abs(float(box.height) - 841.9) < 1
