"""An expert's statement on the page, in Excel, in PDF and through the API: the numbers are the
domain's `benefits_statement` for the same inputs; the salary top-up (it reveals pay) is masked
for everyone but the expert, the recipient served and the province (§六; A2-四(三); F12)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from bangfu.core.templatetags.bangfu_format import yuan as shown_yuan
from bangfu.documents.render import has_configured_cjk_font, pdf_font_names
from bangfu.incentives.domain.benefits import TravelClaim, benefits_statement
from bangfu.incentives.domain.rates import incentive_rates_from_terms
from bangfu.incentives.services import travel_claim_create
from bangfu.people.domain.experts import Degree, Deployment, DeploymentKind, Expert, Title
from bangfu.people.models import Recognition
from bangfu.people.services import deployment_end
from bangfu.people.tests.fixtures import PAY, SENSITIVE, VISIBLE
from bangfu.policy.domain.money import yuan
from bangfu.policy.domain.periods import Period
from bangfu.policy.loader import load_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims(province_officer, resident):
    """Last year: two trips in March (the second is refused: one a month) and one in February."""
    year = resident.start.year
    dates = [date(year, 3, 5), date(year, 3, 20), date(year, 2, 14)]
    for day, amount in zip(dates, ("1180.00", "960.00", "1234.56"), strict=True):
        travel_claim_create(
            actor=province_officer, deployment=resident, date=day, amount=Decimal(amount)
        )
    return dates


@pytest.fixture
def outstanding(province_officer, expert, resident):
    """Recognised (表现突出, §六) since the deployment started: set up directly, since the
    service accepts no start before the current month (past months are never rewritten)."""
    return Recognition.objects.create(
        expert=expert, start=resident.start, reason="考核优秀", decided_by=province_officer
    )


def period_of(resident) -> Period:
    year = resident.start.year
    return Period(date(year, 1, 1), date(year, 12, 31))


def domain_statement(resident, claims, outstanding=True):
    period = period_of(resident)
    return benefits_statement(
        Expert(Title.SENIOR, Degree.DOCTORATE, PAY, outstanding, True),
        Deployment(DeploymentKind.RESIDENT, resident.start, resident.planned_end),
        period,
        incentive_rates_from_terms(load_policy().incentives),
        None,
        tuple(
            TravelClaim(c.date, c.amount)
            for c in sorted(resident.travel_claims.all(), key=lambda c: (c.date, c.pk))
            if period.contains(c.date)
        ),
    )


def statement_url(expert, resident, name="incentives:statement"):
    period = period_of(resident)
    return f"{reverse(name, args=[expert.pk])}?start={period.start}&end={period.end}"


def test_statement_page_equals_the_domain_statement(
    client, recipient_user, expert, resident, claims, outstanding
):
    client.force_login(recipient_user)
    response = client.get(statement_url(expert, resident))
    assert response.status_code == 200
    shown = response.context["statement"]
    expected = domain_statement(resident, claims)
    assert [(r.item, r.amount, r.clause, r.reason) for r in shown.rows] == [
        (line.item.value, line.amount, line.clause, line.reason) for line in expected.lines
    ]
    assert shown.total == expected.total
    assert [r.reason for r in shown.rejected] == [r.reason for r in expected.rejected_claims]
    assert {"salary_top_up", "monthly_subsidy", "settling_in", "travel"} <= {
        r.item for r in shown.rows
    }
    html = response.content.decode()
    assert shown_yuan(expected.total) in html  # 1,234.56 on the page
    assert "每月限报1次" in html


def test_api_statement_equals_the_domain_statement(
    api_client, expert_user, expert, resident, claims, outstanding
):
    api_client.login(expert_user)
    period = period_of(resident)
    body = api_client.get(
        f"/api/v1/experts/{expert.pk}/statement", start=period.start, end=period.end
    ).json()
    expected = domain_statement(resident, claims)
    assert [(x["item"], x["amount"], x["clause"]) for x in body["lines"]] == [
        (line.item.value, yuan(line.amount), line.clause) for line in expected.lines
    ]
    assert body["total"] == yuan(expected.total)
    assert body["sensitive_visible"] is True
    assert len(body["rejected_claims"]) == 1


def test_statement_defaults_to_the_current_calendar_year(client, expert_user, expert):
    client.force_login(expert_user)
    statement = client.get(reverse("incentives:statement", args=[expert.pk])).context["statement"]
    today = date.today()
    assert (statement.period.start, statement.period.end) == (
        date(today.year, 1, 1),
        date(today.year, 12, 31),
    )


def test_statement_masks_the_top_up_for_the_unentitled_and_is_404_out_of_scope(
    client, persona, expert, resident, claims
):
    client.force_login(persona)
    response = client.get(statement_url(expert, resident))
    if "甲" not in VISIBLE[persona.username]:
        assert response.status_code == 404
        return
    statement = response.context["statement"]
    top_up = next(r for r in statement.rows if r.item == "salary_top_up")
    html = response.content.decode()
    if "甲" in SENSITIVE[persona.username]:
        assert top_up.amount is not None and "300000.00" in top_up.reason
        assert statement.total_text == yuan(statement.total)
    else:
        assert (top_up.amount, top_up.amount_text) == (None, "***")
        assert statement.total_text == "***"
        assert "300000" not in html and "300,000" not in html
        assert shown_yuan(statement.total) not in html and yuan(statement.total) not in html
        travel = next(r for r in statement.rows if r.item == "travel")
        assert travel.amount_text != "***"  # only pay-derived amounts are hidden


def test_api_statement_masks_for_the_observer(api_client, observer_user, expert, resident):
    api_client.login(observer_user)
    body = api_client.get(f"/api/v1/experts/{expert.pk}/statement").json()
    assert body["sensitive_visible"] is False
    top_up = [x for x in body["lines"] if x["item"] == "salary_top_up"]
    assert top_up and top_up[0]["amount"] == "***" and "300000" not in top_up[0]["reason"]
    assert body["total"] == "***"


def test_excel_statement_reads_back_with_the_same_lines(
    client, recipient_user, expert, resident, claims, outstanding
):
    client.force_login(recipient_user)
    response = client.get(statement_url(expert, resident, "incentives:statement_xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert "测试甲 帮扶待遇明细" in rows[0][0]
    assert rows[2] == ("派驻", "项目", "金额（元）", "依据条款", "计算说明")
    expected = domain_statement(resident, claims)
    lines = rows[3 : 3 + len(expected.lines)]
    assert [Decimal(str(r[2])).quantize(Decimal("0.01")) for r in lines] == [
        line.amount for line in expected.lines
    ]
    assert [r[3] for r in lines] == [line.clause for line in expected.lines]
    total = rows[3 + len(expected.lines)]
    assert total[0] == "合计"
    assert Decimal(str(total[2])).quantize(Decimal("0.01")) == expected.total
    assert any(r and r[0] == "不予报销的交通费" for r in rows)


def test_excel_statement_is_masked_for_the_county_officer(client, county_officer, expert, resident):
    client.force_login(county_officer)
    response = client.get(statement_url(expert, resident, "incentives:statement_xlsx"))
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    top_up = next(r for r in rows if r[1] == "薪酬补足差额")
    assert top_up[2] == "***" and "300000" not in str(rows)
    assert next(r for r in rows if r[0] == "合计")[2] == "***"


def test_pdf_statement_reads_back_with_a_cjk_font(
    client, expert_user, expert, resident, claims, outstanding
):
    client.force_login(expert_user)
    response = client.get(statement_url(expert, resident, "incentives:statement_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert has_configured_cjk_font(pdf_font_names(pdf))
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    compact = text.replace(" ", "").replace("\n", "")
    expected = domain_statement(resident, claims)
    assert "测试甲帮扶待遇明细" in compact
    assert "薪酬补足差额" in compact and "每月补贴" in compact
    assert shown_yuan(expected.total) in compact


def test_an_agreed_lower_multiplier_is_what_the_statement_pays(
    client, province_officer, expert, resident, pair
):
    agreement = pair.agreements.order_by("-start").first()
    agreement.guarantee_overrides = {"top_up_multiplier": "1.2"}
    agreement.save(update_fields=["guarantee_overrides"])
    client.force_login(province_officer)
    statement = client.get(statement_url(expert, resident)).context["statement"]
    top_up = next(r for r in statement.rows if r.item == "salary_top_up")
    assert "1.2倍" in top_up.reason


def test_an_early_actual_end_shortens_the_stay_the_statement_pays(
    client, province_officer, expert, resident
):
    client.force_login(province_officer)
    url = statement_url(expert, resident)
    before = client.get(url).context["statement"]
    deployment_end(actor=province_officer, deployment=resident, actual_end=resident.start)
    after = client.get(url).context["statement"]
    assert after.total < before.total
    assert "salary_top_up" not in {r.item for r in after.rows}  # no longer a 1-year resident


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2025-12-01", "end": "2026-01-31"}, "结算期间不能跨越两个自然年"),
        ({"start": "2025-05-01", "end": "2025-04-01"}, "结束日期不能早于开始日期"),
        ({"start": "not-a-date"}, "有效的日期"),
    ],
)
def test_a_bad_period_is_refused_with_a_message(client, expert_user, expert, params, message):
    client.force_login(expert_user)
    response = client.get(reverse("incentives:statement", args=[expert.pk]), params)
    assert response.status_code == 400
    assert message in response.content.decode()
    excel = client.get(reverse("incentives:statement_xlsx", args=[expert.pk]), params)
    assert excel.status_code == 400


def test_api_refuses_a_period_across_two_years(api_client, expert_user, expert):
    api_client.login(expert_user)
    response = api_client.get(
        f"/api/v1/experts/{expert.pk}/statement", start="2025-12-01", end="2026-01-31"
    )
    assert response.status_code == 422
    assert "结算期间不能跨越两个自然年" in response.json()["detail"]
