"""Invariants over generated inputs (hypothesis)."""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bangfu.incentives.domain.benefits import (
    TravelClaim,
    benefits_statement,
    salary_top_up,
    subsidy_months,
    travel_reimbursement,
)
from bangfu.incentives.tests.guizhou_rates import RATES
from bangfu.people.domain.experts import Degree, Deployment, DeploymentKind, Expert, Title
from bangfu.policy.domain.periods import Period, months_touching

CENT = Decimal("0.01")
money = st.decimals(min_value=0, max_value=2_000_000, places=3, allow_nan=False)
days = st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31))


@st.composite
def deployments(draw: st.DrawFn) -> Deployment:
    start = draw(days)
    length = draw(st.integers(min_value=0, max_value=3 * 366))
    return Deployment(draw(st.sampled_from(DeploymentKind)), start, start + timedelta(days=length))


@st.composite
def periods_in_one_year(draw: st.DrawFn) -> Period:
    year = draw(st.integers(min_value=2023, max_value=2027))
    first = draw(st.dates(min_value=date(year, 1, 1), max_value=date(year, 12, 31)))
    last = draw(st.dates(min_value=first, max_value=date(year, 12, 31)))
    return Period(first, last)


experts = st.builds(
    Expert,
    title=st.sampled_from(Title),
    degree=st.sampled_from(Degree),
    prior_year_pay=money,
    outstanding=st.booleans(),
    leadership_qualified=st.booleans(),
)
claims = st.lists(st.builds(TravelClaim, date=days, amount=money), max_size=12)


@settings(max_examples=150, deadline=None)
@given(experts, deployments(), periods_in_one_year(), st.one_of(st.none(), money))
def test_top_up_is_never_negative_and_is_whole_cents(expert, deployment, period, home_pay):
    line = salary_top_up(expert, deployment, period, RATES, home_pay)
    if line is not None:
        assert line.amount >= 0
        assert line.amount == line.amount.quantize(CENT)


@settings(max_examples=150, deadline=None)
@given(experts, deployments(), periods_in_one_year(), st.one_of(st.none(), money), claims)
def test_statement_total_is_the_sum_of_its_lines(expert, deployment, period, home_pay, travel):
    statement = benefits_statement(expert, deployment, period, RATES, home_pay, travel)
    assert statement.total == sum((line.amount for line in statement.lines), Decimal(0))
    assert all(line.amount == line.amount.quantize(CENT) for line in statement.lines)
    # Every claim is decided exactly once: reimbursed or rejected.
    travel_lines = [line for line in statement.lines if line.item == "travel"]
    assert len(travel_lines) + len(statement.rejected_claims) == len(travel)


@settings(max_examples=150, deadline=None)
@given(deployments(), periods_in_one_year(), claims)
def test_at_most_one_claim_a_month_is_reimbursed_and_only_inside_period_and_deployment(
    deployment, period, travel
):
    decision = travel_reimbursement(deployment, period, travel, RATES)
    rejected = {r.index for r in decision.rejected}
    accepted = [claim for index, claim in enumerate(travel) if index not in rejected]
    assert len(accepted) == len(decision.lines)
    per_month = Counter((claim.date.year, claim.date.month) for claim in accepted)
    assert all(count <= 1 for count in per_month.values())
    for claim in accepted:
        assert deployment.kind is not DeploymentKind.REMOTE
        assert period.contains(claim.date)
        assert deployment.span.contains(claim.date)


@settings(max_examples=150, deadline=None)
@given(deployments(), periods_in_one_year())
def test_subsidy_months_lie_in_the_period(deployment, period):
    months = subsidy_months(deployment, period)
    assert set(months) <= set(months_touching(period))
    assert len(months) == len(set(months))
