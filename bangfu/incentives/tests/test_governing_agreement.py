"""Statements, appointments and work funds read the agreement that governs the day
(`partnerships.domain.actions.governing_agreement`: signed, not terminated, in force), and its
own terms where it sets them (A2-四(三))."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bangfu.incentives.budget_selectors import budget_for_user
from bangfu.incentives.services import work_fund_set
from bangfu.incentives.statement_selectors import expert_statement_for_user
from bangfu.partnerships.demo import demo_measures
from bangfu.partnerships.services import AgreementInput, agreement_terminate, partnership_create
from bangfu.people.services import appointment_create
from bangfu.people.tests.fixtures import deploy, make_expert, new_team, today
from bangfu.policy.domain.periods import Period
from bangfu.registry.models import Institution

pytestmark = pytest.mark.django_db

LAST_YEAR = today().year - 1


@pytest.fixture
def helper(db) -> Institution:
    return Institution.objects.get(name="上海演示第7医院")


@pytest.fixture
def recipient(db) -> Institution:
    return Institution.objects.get(name="息烽县人民医院")


def _partnership(actor, helper, recipient, **terms):
    return partnership_create(
        actor=actor,
        helper=helper,
        recipient=recipient,
        modes=["east_west"],
        agreement=AgreementInput(
            start=date(LAST_YEAR, 1, 1),
            signed_on=date(LAST_YEAR - 1, 12, 20),
            measures=demo_measures(),
            guarantee_overrides=terms,
        ),
    )


def test_a_statement_pays_nothing_for_days_after_the_agreement_was_terminated(
    province_officer, helper, recipient
):
    partnership = _partnership(province_officer, helper, recipient)
    expert = make_expert(province_officer, "测试丁", helper)
    deploy(
        province_officer,
        new_team(province_officer, partnership),
        expert,
        start=date(LAST_YEAR, 1, 10),
    )
    agreement_terminate(
        actor=province_officer,
        agreement=partnership.agreements.get(),
        on=date(LAST_YEAR, 7, 1),
        reason="协议解除",
    )

    def total(first: date, last: date) -> Decimal:
        return expert_statement_for_user(
            user=province_officer, expert_id=expert.pk, period=Period(first, last)
        ).total

    assert total(date(LAST_YEAR, 5, 1), date(LAST_YEAR, 5, 31)) > 0
    assert total(date(LAST_YEAR, 8, 1), date(LAST_YEAR, 8, 31)) == Decimal("0.00")
    # A period across the termination pays only the governed days: June, not July.
    across = expert_statement_for_user(
        user=province_officer,
        expert_id=expert.pk,
        period=Period(date(LAST_YEAR, 6, 1), date(LAST_YEAR, 7, 31)),
    )
    assert across.total == total(date(LAST_YEAR, 6, 1), date(LAST_YEAR, 6, 30))
    assert {s.statement.period for s in across.sections} == {
        Period(date(LAST_YEAR, 6, 1), date(LAST_YEAR, 6, 30))
    }


def test_president_needs_the_agreed_three_years_not_the_policy_two(
    province_officer, helper, recipient
):
    partnership = _partnership(
        province_officer, helper, recipient, president_min_resident_years="3"
    )
    expert = make_expert(province_officer, "测试戊", helper)
    # Resident for 25 months: two years cover the policy's threshold, not the agreed three.
    deployment = deploy(
        province_officer,
        new_team(province_officer, partnership),
        expert,
        start=date(LAST_YEAR, 1, 10),
        months=25,
    )
    with pytest.raises(ValidationError) as refused:
        appointment_create(
            actor=province_officer,
            deployment=deployment,
            post="president",
            start=date(LAST_YEAR, 2, 1),
        )
    assert "满3年" in str(refused.value)
    # The vice-presidency keeps the policy's one year (the agreement does not change it).
    appointment = appointment_create(
        actor=province_officer,
        deployment=deployment,
        post="vice_president",
        start=date(LAST_YEAR, 2, 1),
    )
    assert appointment.pk


def test_the_work_fund_cap_and_budget_are_the_agreed_figure(province_officer, helper, recipient):
    _partnership(province_officer, helper, recipient, work_fund_per_year="150000")
    with pytest.raises(ValidationError) as refused:
        work_fund_set(
            actor=province_officer, recipient=recipient, year=LAST_YEAR, amount=Decimal("180000")
        )
    assert "150,000.00" in str(refused.value) or "150000" in str(refused.value)
    fund = work_fund_set(
        actor=province_officer, recipient=recipient, year=LAST_YEAR, amount=Decimal("150000")
    )
    assert fund.amount == Decimal("150000")
    report = budget_for_user(user=province_officer, year=LAST_YEAR)
    row = next(r for r in report.rows if r.key == str(recipient.pk) or r.name == recipient.name)
    assert row.items["work_fund"] == Decimal("150000.00")
