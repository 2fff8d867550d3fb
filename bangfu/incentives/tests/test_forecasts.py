"""The budget's stored yearly forecasts (ADR 0018): the services keep them equal to a fresh
computation after every kind of change, the fresh computation is the domain's
`budget_forecast` (the per-expert lines the page shows), and the SQL translations of who sees
pay equal the Python rules."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.incentives.agreement_terms import policy_rates
from bangfu.incentives.budget_selectors import (
    BUDGET_PAGE_SIZE,
    DEFAULT_ROUND_TRIP_COST,
    budget_for_user,
    budget_hospitals,
    hospital_lines,
    small_cell_q,
)
from bangfu.incentives.domain.benefits import BenefitItem
from bangfu.incentives.forecasts import forecasts_refresh_all
from bangfu.incentives.models import DeploymentForecast, HospitalForecast
from bangfu.partnerships.demo import demo_measures
from bangfu.partnerships.models import Agreement, Partnership
from bangfu.partnerships.services import (
    AgreementInput,
    agreement_record_signing,
    agreement_renew,
    agreement_terminate,
    partnership_create,
)
from bangfu.people import access
from bangfu.people.domain.privacy import small_cell_hidden
from bangfu.people.models import Deployment
from bangfu.people.services import (
    DeploymentInput,
    ExpertInput,
    RecognitionInput,
    deployment_end,
    deployment_update,
    expert_update,
    recognition_create,
    recognition_withdraw,
)
from bangfu.people.tests.fixtures import deploy, make_expert, new_team, today
from bangfu.registry.models import Institution, InstitutionCategory

pytestmark = pytest.mark.django_db

PERSONAS = (
    "province_officer",
    "observer_user",
    "prefecture_officer",
    "county_officer",
    "recipient_user",
    "helper_user",
    "expert_user",
)


def _stored() -> tuple[dict, dict]:
    deployments = {
        (f.deployment_id, f.year): (
            f.recipient_id,
            f.expert_id,
            f.salary_top_up,
            f.monthly_subsidy,
            f.settling_in,
            f.round_trips,
        )
        for f in DeploymentForecast.objects.all()
    }
    hospitals = {
        (f.recipient_id, f.year): (
            f.deployments,
            f.salary_top_up,
            f.monthly_subsidy,
            f.settling_in,
            f.round_trips,
            f.work_fund,
            f.pay_people,
        )
        for f in HospitalForecast.objects.all()
    }
    return deployments, hospitals


def assert_forecasts_fresh() -> None:
    """What the services left stored equals a recomputation of everything."""
    kept = _stored()
    forecasts_refresh_all()
    fresh = _stored()
    assert kept[0] == fresh[0]
    assert kept[1] == fresh[1]
    assert fresh[0] and fresh[1]


def test_demo_forecasts_are_fresh_and_equal_the_domain_lines(province_officer, world):
    """Every stored hospital-year equals the sums of `budget_forecast`'s lines (what the page
    computed for every hospital before ADR 0018, and still computes for the rows it shows),
    and the hospitals in the budget are those with a signed agreement or a deployment."""
    assert_forecasts_fresh()
    base = policy_rates()
    cost = DEFAULT_ROUND_TRIP_COST
    cycles: dict[int, list[Agreement]] = defaultdict(list)
    of_hospital: dict[int, list[Agreement]] = defaultdict(list)
    for agreement in Agreement.objects.select_related("partnership").order_by("cycle_number"):
        cycles[agreement.partnership_id].append(agreement)
        of_hospital[agreement.partnership.recipient_id].append(agreement)
    years = set(HospitalForecast.objects.values_list("year", flat=True))
    assert len(years) >= 3
    for year in years:
        first, last = date(year, 1, 1), date(year, 12, 31)
        deployments = list(
            Deployment.objects.filter(start__lte=last)
            .filter(Q(actual_end__gte=first) | Q(actual_end__isnull=True, planned_end__gte=first))
            .select_related("expert", "team__partnership")
            .prefetch_related("expert__recognitions")
            .order_by("team__partnership_id", "pk")
        )
        with_agreement = Agreement.objects.filter(
            signed_on__isnull=False, start__lte=last, end__gte=first
        ).exclude(terminated_on__lt=first)
        expected_hospitals = set(
            with_agreement.values_list("partnership__recipient_id", flat=True)
        ) | {d.team.partnership.recipient_id for d in deployments}
        stored = {f.recipient_id: f for f in HospitalForecast.objects.filter(year=year)}
        assert set(stored) == expected_hospitals
        by_hospital: dict[int, list[Deployment]] = defaultdict(list)
        for d in deployments:
            by_hospital[d.team.partnership.recipient_id].append(d)
        for hospital_id, row in stored.items():
            lines = hospital_lines(
                hospital_id,
                by_hospital[hospital_id],
                cycles,
                of_hospital[hospital_id],
                year,
                base,
                cost,
            )
            sums = {item: Decimal("0.00") for item in BenefitItem}
            for line in lines:
                sums[line.item] += line.amount
            assert row.deployments == len(by_hospital[hospital_id])
            assert row.salary_top_up == sums[BenefitItem.SALARY_TOP_UP]
            assert row.monthly_subsidy == sums[BenefitItem.MONTHLY_SUBSIDY]
            assert row.settling_in == sums[BenefitItem.SETTLING_IN]
            assert row.round_trips * cost == sums[BenefitItem.TRAVEL]
            assert row.work_fund == sums[BenefitItem.WORK_FUND]
            topped_up = {
                line.deployment_id
                for line in lines
                if line.item is BenefitItem.SALARY_TOP_UP and line.amount > 0
            }
            experts = {str(d.pk): d.expert_id for d in by_hospital[hospital_id]}
            assert row.pay_people == len({experts[d] for d in topped_up if d})


def test_each_kind_of_change_keeps_the_forecasts_fresh(
    province_officer, world, expert, resident, other_expert, pair
):
    year = today().year
    # create: a new deployment
    newcomer = make_expert(province_officer, "预测丁", pair.helper)
    added = deploy(province_officer, new_team(province_officer, pair), newcomer, months=14)
    assert DeploymentForecast.objects.filter(deployment=added).exists()
    assert_forecasts_fresh()
    # update: the deployment's dates shortened into one year (its next year's row goes)
    years = set(DeploymentForecast.objects.filter(deployment=added).values_list("year", flat=True))
    deployment_update(
        actor=province_officer,
        deployment=added,
        data=DeploymentInput(
            expert_id=None,
            kind="short_term",
            start=added.start,
            planned_end=added.start + timedelta(days=20),
            department_id=added.department_id,
            helper_exception_reason=added.helper_exception_reason,
        ),
    )
    shortened = set(
        DeploymentForecast.objects.filter(deployment=added).values_list("year", flat=True)
    )
    last = added.start + timedelta(days=20)
    assert len(years) >= 2 and shortened == set(range(added.start.year, last.year + 1))
    assert_forecasts_fresh()
    # update: the expert's pay (and so the top-up)
    expert_update(
        actor=province_officer,
        expert=expert,
        data=ExpertInput(
            name=expert.name,
            sex=expert.sex,
            title=expert.title,
            job_title=expert.job_title,
            degree=expert.degree,
            home_institution_id=expert.home_institution_id,
            prior_year_pay=expert.prior_year_pay + Decimal("60000"),
            leadership_qualified=expert.leadership_qualified,
            id_number=expert.id_number,
        ),
    )
    assert_forecasts_fresh()
    # recognition added, then withdrawn (the monthly subsidy)
    before = HospitalForecast.objects.get(recipient=pair.recipient, year=year).monthly_subsidy
    recognition = recognition_create(
        actor=province_officer,
        data=RecognitionInput(expert_id=expert.pk, start=date(year, 1, 1), reason="考核优秀"),
        today=date(year, 1, 1),
    )
    assert HospitalForecast.objects.get(recipient=pair.recipient, year=year).monthly_subsidy > (
        before
    )
    assert_forecasts_fresh()
    recognition_withdraw(
        actor=province_officer,
        recognition=recognition,
        reason="测试撤销",
        on=date(year, 1, 1),
        today=date(year, 1, 1),
    )
    assert_forecasts_fresh()
    # end: the other expert leaves early
    other = other_expert.deployments.get()
    deployment_end(actor=province_officer, deployment=other, actual_end=today())
    assert_forecasts_fresh()
    # the next cycle renewed and signed, then the current one terminated
    agreement = pair.agreements.order_by("-cycle_number").first()
    renewed = agreement_renew(actor=province_officer, previous=agreement)
    assert_forecasts_fresh()
    agreement_record_signing(actor=province_officer, agreement=renewed, signed_on=today())
    assert_forecasts_fresh()
    agreement_terminate(
        actor=province_officer, agreement=agreement, on=today(), reason="测试：提前终止"
    )
    assert_forecasts_fresh()


def test_the_refresh_command_repairs_rows_written_around_the_services(
    province_officer, resident, pair
):
    year = resident.start.year
    DeploymentForecast.objects.filter(deployment=resident, year=year).delete()
    HospitalForecast.objects.filter(recipient=pair.recipient, year=year).delete()
    out = StringIO()
    call_command("refresh_forecasts", "--year", str(year), stdout=out)
    assert "已重算" in out.getvalue()
    assert DeploymentForecast.objects.filter(deployment=resident, year=year).exists()
    assert HospitalForecast.objects.filter(recipient=pair.recipient, year=year).exists()
    assert_forecasts_fresh()


def test_small_cells_in_sql_are_the_domain_rule(db):
    rows = HospitalForecast.objects.order_by("pk")[:1]
    assert rows
    for people in range(6):
        HospitalForecast.objects.filter(pk=rows[0].pk).update(pay_people=people)
        matched = HospitalForecast.objects.filter(small_cell_q("pay_people"), pk=rows[0].pk)
        assert matched.exists() == small_cell_hidden(people)


@pytest.mark.parametrize("who", PERSONAS)
def test_pay_seen_in_sql_is_can_see_pay_of_recipient(request, who):
    user = request.getfixturevalue(who)
    recipients = Institution.objects.filter(category=InstitutionCategory.RECIPIENT)
    seen = set(
        recipients.filter(access.recipients_pay_seen_filter(user)).values_list("pk", flat=True)
    )
    unseen = set(
        recipients.exclude(access.recipients_pay_seen_filter(user)).values_list("pk", flat=True)
    )
    expected = {r.pk for r in recipients if access.can_see_pay_of_recipient(user, r.pk)}
    assert seen == expected
    assert unseen == {r.pk for r in recipients} - expected


def _more_hospitals(actor, count: int) -> None:
    """`count` more recipient hospitals in this year's budget, each with one deployment."""
    helper = Institution.objects.get(name="上海演示第7医院")
    taken = Partnership.objects.values("recipient_id")
    free = Institution.objects.filter(category=InstitutionCategory.RECIPIENT).exclude(pk__in=taken)[
        :count
    ]
    start = today() - timedelta(days=200)
    for n, recipient in enumerate(free):
        partnership = partnership_create(
            actor=actor,
            helper=helper,
            recipient=recipient,
            modes=["east_west"],
            agreement=AgreementInput(
                start=start, signed_on=start - timedelta(days=5), measures=demo_measures()
            ),
        )
        expert = make_expert(actor, f"分页{n}", helper, title="副高", job_title="副主任医师")
        deploy(actor, new_team(actor, partnership), expert, start=start, months=12)


@pytest.mark.parametrize("who", ["province_officer", "prefecture_officer", "recipient_user"])
def test_budget_page_query_count_is_the_same_at_two_sizes(request, client, who):
    user = request.getfixturevalue(who)
    province = request.getfixturevalue("province_officer")
    client.force_login(user)
    year = today().year

    def count(level: str) -> int:
        url = reverse("incentives:budget")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"year": year, "level": level})
            assert response.status_code == 200
        return len(ctx.captured_queries)

    small = {level: count(level) for level in ("hospital", "prefecture", "province")}
    hospitals = budget_hospitals(province, year).count()
    _more_hospitals(province, BUDGET_PAGE_SIZE + 5 - hospitals)
    assert budget_hospitals(province, year).count() > BUDGET_PAGE_SIZE
    assert {level: count(level) for level in small} == small


def test_hospital_rows_are_paged_and_searched_with_totals_over_all(province_officer):
    year = today().year
    hospitals = budget_hospitals(province_officer, year).count()
    _more_hospitals(province_officer, BUDGET_PAGE_SIZE + 5 - hospitals)
    first = budget_for_user(user=province_officer, year=year)
    second = budget_for_user(user=province_officer, year=year, page=2)
    assert first.count == BUDGET_PAGE_SIZE + 5 and first.pages == 2
    assert len(first.rows) == BUDGET_PAGE_SIZE and len(second.rows) == 5
    assert not {r.key for r in first.rows} & {r.key for r in second.rows}
    every = first.rows + second.rows
    assert first.total == second.total == sum((r.total for r in every), Decimal("0.00"))
    province = budget_for_user(user=province_officer, year=year, level="province")
    assert province.total == first.total and province.rows[0].hospitals == first.count
    assert all(r.lines for r in first.rows)  # the province sees every page row's lines
    name = every[-1].name
    found = budget_for_user(user=province_officer, year=year, q=name)
    assert [r.name for r in found.rows] == [name] and found.total == every[-1].total
    assert budget_for_user(user=province_officer, year=year, page=99).page == 2
