"""Demo ledger rows for the demo teams (F5), after `bangfu.people.demo.people_demo_load`.

Realistic, not flawless. On the 广州市番禺区中心医院 → 威宁彝族回族苗族自治县人民医院 team everyone
is insured, the remote member's yearly health check is still to do (建议整改), the captain holds
a tourism card and has two travel claims, and the recipient has this year's work fund. On the
other demo teams about one in eight has a member whose accident insurance is not yet bought
(必须整改, chosen by the partnership's id); the others are insured and checked, so their teams show
no must-fix. Deterministic for a given day; running it twice changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bangfu.accounts.models import Role, User
from bangfu.incentives.models import InsurancePolicy
from bangfu.incentives.services import (
    health_check_create,
    insurance_policy_create,
    tourism_card_create,
    travel_claim_create,
    work_fund_set,
)
from bangfu.people.demo import MAIN_HELPER, MAIN_RECIPIENT, plan_end
from bangfu.people.models import Deployment, Expert, Team


@transaction.atomic
def incentives_demo_load(*, actor: User | None = None, today: date | None = None) -> int:
    """Create the demo teams' ledger rows once; returns how many insurance policies were bought."""
    if InsurancePolicy.objects.filter(expert__is_demo=True).exists():
        return 0
    actor = actor or User.objects.filter(username="demo_province", role=Role.PROVINCE).first()
    if actor is None:
        return 0
    today = today or timezone.localdate()
    insured = 0
    teams = Team.objects.filter(is_demo=True, batch=1).select_related(
        "partnership__helper", "partnership__recipient", "captain"
    )
    for team in teams.order_by("pk"):
        members = list(team.deployments.select_related("expert").order_by("pk"))
        if not members:
            continue
        pair = (team.partnership.helper.name, team.partnership.recipient.name)
        if pair == (MAIN_HELPER, MAIN_RECIPIENT):
            insured += _main_team(actor, team, members, today)
        else:
            insured += _small_team(actor, team, members, today)
    return insured


def _main_team(actor: User, team: Team, members: list[Deployment], today: date) -> int:
    experts = [d.expert for d in members]
    start = members[0].start
    for expert in experts:
        _insure(actor, expert, start)
    for expert in experts[:3]:
        _health_check(actor, expert, start, today, "威宁县人民医院体检中心")
    captain, resident = experts[0], members[0]
    tourism_card_create(
        actor=actor, expert=captain, card_number=f"YQ-DEMO-{captain.pk:05d}", issued_on=start
    )
    month_start = (today - timedelta(days=60)).replace(day=5)
    if month_start >= start:
        for day, amount in ((5, Decimal("1180.00")), (20, Decimal("960.00"))):
            travel_claim_create(
                actor=actor,
                deployment=resident,
                date=month_start.replace(day=day),
                amount=amount,
                note="广州—威宁往返（演示）",
            )
    work_fund_set(
        actor=actor,
        recipient=team.partnership.recipient,
        year=today.year,
        amount=Decimal("200000"),
        note="住房、用餐、取暖等生活保障（演示）",
    )
    return len(experts)


def _small_team(actor: User, team: Team, members: list[Deployment], today: date) -> int:
    uninsured = 2 if team.partnership.pk % 8 == 3 else -1
    insured = 0
    for index, deployment in enumerate(members):
        if index != uninsured:
            _insure(actor, deployment.expert, deployment.start)
            insured += 1
        _health_check(
            actor,
            deployment.expert,
            deployment.start,
            today,
            f"{team.partnership.recipient.name}体检中心",
        )
    return insured


def _insure(actor: User, expert: Expert, start: date) -> None:
    insurance_policy_create(
        actor=actor,
        expert=expert,
        insurer="中国人民财产保险股份有限公司（演示）",
        policy_number=f"DEMO-{expert.pk:06d}",
        coverage=Decimal("1000000"),
        start=start,
        end=plan_end(start, 12),
    )


def _health_check(actor: User, expert: Expert, start: date, today: date, provider: str) -> None:
    """This year's check: on the start day, or on 2 January when the stay began last year."""
    checked_on = max(start, date(today.year, 1, 2))
    health_check_create(
        actor=actor, expert=expert, checked_on=min(checked_on, today), provider=provider
    )
