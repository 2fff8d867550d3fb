"""The statement's footnotes are the policy file's interpretations (settling-in gate and
reimbursement, the 20万 work-fund cap, the A2 numbering ...), on the page, in Excel and in PDF,
and no sentence ends dangling on "；"."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook

from bangfu.incentives.statement_files import PDF_TEMPLATE_NAME
from bangfu.incentives.statement_selectors import expert_statement_for_user, statement_period
from bangfu.policy.loader import load_policy

pytestmark = pytest.mark.django_db


def _url(name, expert, year):
    return f"{reverse(name, args=[expert.pk])}?start={year}-01-01&end={year}-12-31"


def test_statement_page_cites_every_policy_interpretation(client, recipient_user, expert):
    interpretations = load_policy().incentives.interpretations
    client.force_login(recipient_user)
    response = client.get(_url("incentives:statement", expert, date.today().year - 1))
    html = response.content.decode()
    footnotes = html.split('data-testid="statement-footnotes"')[1].split("</ol>")[0]
    for key in ("settling_in_gate", "settling_in_reimbursement", "work_fund_cap", "a2_numbering"):
        assert interpretations[key] in footnotes
    assert "；</p>" not in html
    assert "1.5倍补足差额（常驻满1年，§六）；" not in html


def test_statement_page_says_plainly_when_the_pay_is_hidden(client, helper_user, expert):
    client.force_login(helper_user)
    html = client.get(_url("incentives:statement", expert, date.today().year - 1)).content
    text = html.decode()
    assert 'data-testid="pay-hidden-note"' in text
    assert "；薪酬补足涉及个人薪酬" not in text


def test_statement_excel_and_pdf_print_the_same_footnotes(client, recipient_user, expert):
    footnotes = load_policy().incentives.statement_footnotes()
    client.force_login(recipient_user)
    year = date.today().year - 1
    workbook = load_workbook(
        BytesIO(client.get(_url("incentives:statement_xlsx", expert, year)).content)
    )
    cells = [row[0] for row in workbook.active.iter_rows(values_only=True) if row and row[0]]
    assert cells[-len(footnotes) :] == [f"{n}. {t}" for n, t in enumerate(footnotes, start=1)]
    statement = expert_statement_for_user(
        user=recipient_user,
        expert_id=expert.pk,
        period=statement_period(date(year, 1, 1), date(year, 12, 31)),
    )
    html = render_to_string(PDF_TEMPLATE_NAME, {"statement": statement, "title": "t"})
    for text in footnotes:
        assert text in html
