"""The year's budget per recipient hospital, prefecture and province (§六; A2-四(三)): numbers
from the domain's `budget_forecast`, scope per persona, per-expert lines only where pay may be
seen, Excel export, constant query count."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bangfu.incentives.budget_selectors import DEFAULT_ROUND_TRIP_COST
from bangfu.incentives.domain.budget import BudgetDeployment, budget_forecast
from bangfu.incentives.domain.rates import incentive_rates_from_terms
from bangfu.incentives.forecasts import forecasts_refresh_all
from bangfu.partnerships.models import Agreement
from bangfu.people.domain.experts import Degree, DeploymentKind, Title
from bangfu.people.domain.experts import Deployment as DomainDeployment
from bangfu.people.domain.experts import Expert as DomainExpert
from bangfu.people.models import Deployment
from bangfu.people.tests.fixtures import deploy, make_expert
from bangfu.policy.loader import load_policy
from bangfu.registry.models import Institution

pytestmark = pytest.mark.django_db

WEINING_HOSPITAL = "威宁彝族回族苗族自治县人民医院"


def year_of(resident) -> int:
    return resident.start.year  # last year: 甲 is on site the whole year


def expected_hospital_total(hospital: Institution, year: int) -> Decimal:
    """The domain's forecast for one hospital, from the deployment rows (no overrides set)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    rows = (
        Deployment.objects.filter(team__partnership__recipient=hospital, start__lte=last)
        .filter(Q(actual_end__gte=first) | Q(actual_end__isnull=True, planned_end__gte=first))
        .select_related("expert")
    )
    items = [
        BudgetDeployment(
            deployment_id=str(d.pk),
            hospital_id=str(hospital.pk),
            expert=DomainExpert(
                Title(d.expert.title),
                Degree(d.expert.degree),
                d.expert.prior_year_pay,
                d.expert.outstanding,
                d.expert.leadership_qualified,
            ),
            deployment=DomainDeployment(
                DeploymentKind(d.kind), d.start, d.actual_end or d.planned_end
            ),
        )
        for d in rows
    ]
    forecast = budget_forecast(
        year,
        items,
        [str(hospital.pk)],
        incentive_rates_from_terms(load_policy().incentives),
        DEFAULT_ROUND_TRIP_COST,
    )
    return forecast.total


def test_hospital_row_equals_the_domain_forecast(client, province_officer, resident, pair):
    Agreement.objects.filter(partnership__recipient=pair.recipient).update(guarantee_overrides={})
    forecasts_refresh_all()  # the update above bypassed the services
    year = year_of(resident)
    client.force_login(province_officer)
    report = client.get(reverse("incentives:budget"), {"year": year}).context["report"]
    row = next(r for r in report.rows if r.name == WEINING_HOSPITAL)
    assert row.total == expected_hospital_total(pair.recipient, year)
    assert row.items["work_fund"] == Decimal("200000.00")
    assert row.items["salary_top_up"] > 0 and row.items["settling_in"] >= Decimal("2000.00")
    assert row.details_visible and not row.lines  # loaded per hospital, on demand
    lines = client.get(
        reverse("incentives:budget_lines", args=[pair.recipient.pk]),
        {"year": year},
        HTTP_HX_REQUEST="true",
    )
    assert lines.status_code == 200 and "测试甲" in lines.content.decode()
    shown = lines.context["result"].lines
    assert sum(Decimal(line.amount_text) for line in shown) == row.total


def test_levels_add_up(client, province_officer, resident):
    client.force_login(province_officer)
    year = year_of(resident)
    by_level = {
        level: client.get(reverse("incentives:budget"), {"year": year, "level": level}).context[
            "report"
        ]
        for level in ("hospital", "prefecture", "province")
    }
    hospitals, prefectures, province = (
        by_level["hospital"],
        by_level["prefecture"],
        by_level["province"],
    )
    assert hospitals.total == prefectures.total == province.total
    assert len(province.rows) == 1 and province.rows[0].name == "贵州省"
    bijie = next(r for r in prefectures.rows if r.name == "毕节市")
    assert bijie.total == sum(r.total for r in hospitals.rows if r.prefecture == "毕节市")
    assert bijie.hospitals == sum(1 for r in hospitals.rows if r.prefecture == "毕节市")
    assert prefectures.item_totals == hospitals.item_totals


def test_a_hospital_with_only_a_signed_agreement_gets_its_work_fund(
    client, province_officer, other_pair
):
    client.force_login(province_officer)
    year = other_pair.agreements.order_by("start").first().start.year
    report = client.get(reverse("incentives:budget"), {"year": year}).context["report"]
    row = next(r for r in report.rows if r.name == "南明区人民医院")
    assert row.items["work_fund"] == Decimal("200000.00")


@pytest.mark.parametrize(
    ("who", "sees", "details"),
    [
        ("province_officer", {"威宁", "南明"}, {"威宁", "南明"}),
        ("observer_user", {"威宁", "南明"}, set()),
        ("prefecture_officer", {"威宁"}, set()),
        ("county_officer", {"威宁"}, set()),
        ("recipient_user", {"威宁"}, {"威宁"}),
        ("helper_user", set(), set()),
        ("expert_user", set(), set()),
    ],
)
def test_budget_scope_and_detail_lines_per_persona(
    request, client, api_client, resident, other_expert, who, sees, details
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    year = year_of(resident)
    report = client.get(reverse("incentives:budget"), {"year": year}).context["report"]
    names = {"威宁": WEINING_HOSPITAL, "南明": "南明区人民医院"}
    listed = {r.name: r for r in report.rows}
    assert {k for k, n in names.items() if n in listed} == sees
    assert {k for k, n in names.items() if n in listed and listed[n].details_visible} == details
    for key, name in names.items():
        pk = Institution.objects.get(name=name).pk
        status = client.get(reverse("incentives:budget_lines", args=[pk]), {"year": year})
        expected = 200 if key in details else (403 if key in sees else 404)
        assert status.status_code == expected, (key, status.status_code)
    if who == "recipient_user":
        assert set(listed) == {WEINING_HOSPITAL}
    if who in ("helper_user", "expert_user"):
        assert not report.available and not report.rows
    api_client.login(user)
    body = api_client.get("/api/v1/budget", year=year).json()
    api_rows = {r["name"]: r for r in body["rows"]}
    assert {k for k, n in names.items() if n in api_rows} == sees
    assert {k for k, n in names.items() if n in api_rows and api_rows[n]["lines"]} == details


def test_masked_budget_page_shows_no_per_expert_line(client, prefecture_officer, resident):
    client.force_login(prefecture_officer)
    html = client.get(reverse("incentives:budget"), {"year": year_of(resident)}).content.decode()
    assert "测试甲" not in html and "300000" not in html and "300,000" not in html


def test_budget_export_reads_back(client, province_officer, resident):
    client.force_login(province_officer)
    params = {"year": year_of(resident), "level": "prefecture"}
    report = client.get(reverse("incentives:budget"), params).context["report"]
    response = client.get(reverse("incentives:budget_export"), params)
    rows = list(
        load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert rows[0][0] == "名称" and rows[0][-2:] == ("合计", "已核定支付")
    assert rows[-1][0] == "合计"
    assert Decimal(str(rows[-1][-2])).quantize(Decimal("0.01")) == report.total
    assert Decimal(str(rows[-1][-1])) == report.paid == Decimal("0.00")
    assert {r[0] for r in rows[1:-1]} == {r.name for r in report.rows}


@pytest.mark.parametrize(
    ("params", "message"),
    [({"level": "county"}, "level"), ({"year": 1800}, "不能小于 2000")],
)
def test_api_budget_refuses_bad_parameters(api_client, province_officer, params, message):
    api_client.login(province_officer)
    response = api_client.get("/api/v1/budget", **params)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_budget_page_query_count_is_constant_as_deployments_grow(
    client, province_officer, recipient_user, team, resident
):
    client.force_login(recipient_user)
    url = f"{reverse('incentives:budget')}?year={year_of(resident)}"

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(3):
        e = make_expert(province_officer, f"预算{i}", team.partnership.helper)
        deploy(province_officer, team, e, start=resident.start, months=12)
    assert count() == before
    assert before <= 12
