"""The yearly budget forecast per recipient hospital, prefecture or the province (F12;
§六; A2-四(三)), scoped to the user, with the small-cell suppression of pay (ADR 0004)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet

from bangfu.accounts.models import Role, User
from bangfu.incentives.agreement_terms import policy_rates
from bangfu.incentives.domain.benefits import (
    BenefitItem,
)
from bangfu.incentives.domain.budget import (
    BudgetDeployment,
    BudgetLine,
    budget_forecast,
    work_fund_line,
)
from bangfu.incentives.domain.rates import IncentiveRates
from bangfu.incentives.labels import ITEM_LABELS, ITEM_ORDER
from bangfu.incentives.models import (
    Payment,
)
from bangfu.incentives.payment_selectors import paid_by_recipient, payment_reveals_pay
from bangfu.incentives.statement_selectors import agreement_rates
from bangfu.partnerships.models import Agreement
from bangfu.partnerships.selectors import governed_spans_of
from bangfu.people import access
from bangfu.people.domain.privacy import SMALL_CELL_TEXT, small_cell_hidden
from bangfu.people.models import Deployment
from bangfu.people.selectors import (
    domain_deployment,
    domain_expert,
)
from bangfu.policy.domain.money import yuan
from bangfu.registry.models import Institution
from bangfu.registry.scope import scope_for_user

# Product assumption for forecasts: the expected cost of one round trip between the helper's city
# and the recipient county, when the user does not give one (the policy reimburses actual cost).
DEFAULT_ROUND_TRIP_COST = Decimal("1500.00")


# ---- budgets ----


class BudgetLevel:
    HOSPITAL = "hospital"
    PREFECTURE = "prefecture"
    PROVINCE = "province"
    CHOICES = (("hospital", "按受扶医院"), ("prefecture", "按市州"), ("province", "全省汇总"))
    VALUES = ("hospital", "prefecture", "province")


BUDGET_SMALL_CELL_NOTE = (
    f"薪酬补足由个人薪酬算出：不足3人的薪酬补足及含有它的合计显示为“{SMALL_CELL_TEXT}”，"
    "以免推算出个人薪酬（个人信息保护法）；省卫健委和受扶医院本院可见实际金额。"
)
BUDGET_ROLES = (Role.PROVINCE, Role.OBSERVER, Role.PREFECTURE, Role.COUNTY, Role.RECIPIENT)


@dataclass(frozen=True)
class BudgetLineView:
    expert_name: str
    item_label: str
    amount_text: str
    clause: str
    reason: str


@dataclass(frozen=True)
class BudgetRow:
    key: str
    name: str
    prefecture: str
    hospitals: int
    deployments: int
    items: dict[str, Decimal]
    total: Decimal
    lines: tuple[BudgetLineView, ...] = ()
    details_visible: bool = False
    # The salary top-up gives away pay (ADR 0004): how many people's top-ups the row adds up,
    # and whether the reader may see the pay-derived cells (the top-up and the total).
    pay_people: int = 0
    pay_visible: bool = True
    # What approved payments (frozen statements, with their adjustments) have paid in the year.
    paid: Decimal = Decimal("0.00")
    paid_visible: bool = True

    @property
    def shown_paid(self) -> Decimal | str:
        return self.paid if self.paid_visible else SMALL_CELL_TEXT

    @property
    def amounts(self) -> tuple[Decimal, ...]:
        """The item sums in `ITEM_ORDER` (for tables)."""
        return tuple(self.items[item.value] for item in ITEM_ORDER)

    @property
    def shown_items(self) -> dict[str, Decimal | str]:
        """`items` as the reader may see them: a suppressed top-up is `SMALL_CELL_TEXT`."""
        return {
            key: SMALL_CELL_TEXT
            if key == BenefitItem.SALARY_TOP_UP.value and not self.pay_visible
            else amount
            for key, amount in self.items.items()
        }

    @property
    def shown_amounts(self) -> tuple[Decimal | str, ...]:
        shown = self.shown_items
        return tuple(shown[item.value] for item in ITEM_ORDER)

    @property
    def shown_total(self) -> Decimal | str:
        """The total less the other items is the top-up, so it is suppressed along with it."""
        return self.total if self.pay_visible else SMALL_CELL_TEXT


@dataclass(frozen=True)
class BudgetReport:
    year: int
    level: str
    round_trip_cost: Decimal
    rows: tuple[BudgetRow, ...]
    available: bool
    item_totals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum((r.total for r in self.rows), Decimal("0.00"))

    @property
    def item_amounts(self) -> tuple[Decimal, ...]:
        return tuple(self.item_totals[item.value] for item in ITEM_ORDER)

    @property
    def pay_visible(self) -> bool:
        """Totals over every row show the top-up only when no row hides it: otherwise the total
        less the shown rows would give the hidden ones away."""
        return all(r.pay_visible for r in self.rows)

    @property
    def paid(self) -> Decimal:
        return sum((r.paid for r in self.rows), Decimal("0.00"))

    @property
    def shown_paid(self) -> Decimal | str:
        return self.paid if all(r.paid_visible for r in self.rows) else SMALL_CELL_TEXT

    @property
    def note(self) -> str:
        """Said on the page, in the export and by the API whenever a cell is suppressed."""
        hidden = not self.pay_visible or not all(r.paid_visible for r in self.rows)
        return BUDGET_SMALL_CELL_NOTE if hidden else ""

    @property
    def shown_item_totals(self) -> dict[str, Decimal | str]:
        return {
            key: SMALL_CELL_TEXT
            if key == BenefitItem.SALARY_TOP_UP.value and not self.pay_visible
            else amount
            for key, amount in self.item_totals.items()
        }

    @property
    def shown_item_amounts(self) -> tuple[Decimal | str, ...]:
        shown = self.shown_item_totals
        return tuple(shown[item.value] for item in ITEM_ORDER)

    @property
    def shown_total(self) -> Decimal | str:
        return self.total if self.pay_visible else SMALL_CELL_TEXT


def _budget_recipients(user: User, year: int) -> QuerySet[Institution]:
    """Recipients in the user's scope with a signed agreement or a deployment in `year`."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    if scope_for_user(user).role not in BUDGET_ROLES:
        return Institution.objects.none()
    in_scope = access.recipients_in_scope(user)
    with_agreement = Agreement.objects.filter(
        signed_on__isnull=False, start__lte=last, end__gte=first
    ).exclude(terminated_on__lt=first)
    with_deployment = Deployment.objects.filter(start__lte=last).filter(
        Q(actual_end__gte=first) | Q(actual_end__isnull=True, planned_end__gte=first)
    )
    return (
        in_scope.filter(
            Q(pk__in=with_agreement.values("partnership__recipient_id"))
            | Q(pk__in=with_deployment.values("team__partnership__recipient_id"))
        )
        .select_related("county__prefecture", "prefecture")
        .order_by("county__code", "name")
    )


def hospital_rates_for_year(
    agreements_of_hospital: Iterable[Agreement], year: int, base: IncentiveRates
) -> IncentiveRates:
    """A recipient hospital's rates for a year (its work fund, A2-四(三)5): those of the agreement
    governing the last day of the year that one governs (`governed_spans_of`, per partnership;
    the latest such day across its partnerships); the policy's when none governs that year."""
    by_partnership: dict[int, list[Agreement]] = defaultdict(list)
    for a in agreements_of_hospital:
        by_partnership[a.partnership_id].append(a)
    last_spans = [
        spans[-1]
        for cycles in by_partnership.values()
        if (spans := governed_spans_of(cycles, date(year, 1, 1), date(year, 12, 31)))
    ]
    if not last_spans:
        return base
    _, _, agreement = max(last_spans, key=lambda span: (span[1], span[2].start, span[2].pk))
    return agreement_rates(agreement, base)


def budget_for_user(
    *,
    user: User,
    year: int,
    level: str = BudgetLevel.HOSPITAL,
    round_trip_cost: Decimal = DEFAULT_ROUND_TRIP_COST,
) -> BudgetReport:
    """The year's forecast per recipient hospital, prefecture or the province (§六; A2-四(三)):
    top-ups, subsidies, settling-in, expected travel and 200,000 yuan of work funds per hospital.

    Per-expert lines are shown only where the user may see the experts' pay (the province; a
    recipient for itself); the sums per item are shown to every user who may see the budget,
    except that for the others a top-up (and the total holding it) adding up fewer than 3
    people is suppressed, as is any sum over rows that holds a suppressed one (ADR 0004).
    """
    if level not in BudgetLevel.VALUES:
        raise ValidationError({"level": "汇总层级应为 hospital、prefecture 或 province"})
    if round_trip_cost < 0:
        raise ValidationError({"round_trip_cost": "预计往返交通费不能为负数"})
    available = scope_for_user(user).role in BUDGET_ROLES
    hospitals = list(_budget_recipients(user, year))
    first, last = date(year, 1, 1), date(year, 12, 31)
    deployments = list(
        Deployment.objects.filter(team__partnership__recipient__in=[h.pk for h in hospitals])
        .filter(start__lte=last)
        .filter(Q(actual_end__gte=first) | Q(actual_end__isnull=True, planned_end__gte=first))
        .select_related("expert", "team__partnership")
        .prefetch_related("expert__recognitions")  # 表现突出 by date (§六)
        .order_by("team__partnership_id", "pk")
    )
    # Each partnership's cycles, fetched once (not once per deployment's copy of it).
    cycles: dict[int, list[Agreement]] = defaultdict(list)
    hospital_agreements: dict[int, list[Agreement]] = defaultdict(list)
    for agreement in (
        Agreement.objects.filter(partnership__recipient__in=[h.pk for h in hospitals])
        .annotate(recipient_id=F("partnership__recipient_id"))
        .order_by("cycle_number")
    ):
        cycles[agreement.partnership_id].append(agreement)
        hospital_agreements[agreement.recipient_id].append(agreement)
    base = policy_rates()
    by_hospital: dict[int, list[Deployment]] = defaultdict(list)
    for d in deployments:
        by_hospital[d.team.partnership.recipient_id].append(d)
    rows = []
    for hospital in hospitals:
        lines = _hospital_lines(
            hospital,
            by_hospital.get(hospital.pk, []),
            cycles,
            hospital_agreements.get(hospital.pk, []),
            year,
            base,
            round_trip_cost,
        )
        rows.append(_hospital_row(user, hospital, lines, by_hospital.get(hospital.pk, [])))
    rows = _aggregate(_with_paid(user, rows, year), level)
    item_totals = {item.value: Decimal("0.00") for item in ITEM_ORDER}
    for row in rows:
        for key, amount in row.items.items():
            item_totals[key] += amount
    return BudgetReport(
        year=year,
        level=level,
        round_trip_cost=round_trip_cost,
        rows=tuple(rows),
        available=available,
        item_totals=item_totals,
    )


def _hospital_lines(
    hospital: Institution,
    deployments: Sequence[Deployment],
    cycles: Mapping[int, Sequence[Agreement]],
    agreements_of_hospital: Sequence[Agreement],
    year: int,
    base: IncentiveRates,
    round_trip_cost: Decimal,
) -> list[BudgetLine]:
    """`budget_forecast` per partnership (each with its agreement's rates), then one work-fund
    line for the hospital."""
    by_partnership: dict[int, list[Deployment]] = defaultdict(list)
    for d in deployments:
        by_partnership[d.team.partnership_id].append(d)
    lines: list[BudgetLine] = []
    for group in by_partnership.values():
        partnership = group[0].team.partnership
        # The terms of the agreement that governs first in the year (policy rates if none).
        spans = governed_spans_of(
            cycles.get(partnership.pk, []), date(year, 1, 1), date(year, 12, 31)
        )
        rates = agreement_rates(spans[0][2] if spans else None, base)
        forecast = budget_forecast(
            year,
            [
                BudgetDeployment(
                    deployment_id=str(d.pk),
                    hospital_id=str(hospital.pk),
                    expert=domain_expert(d.expert),
                    deployment=domain_deployment(d),
                )
                for d in group
            ],
            [],
            rates,
            round_trip_cost,
        )
        lines.extend(
            line
            for h in forecast.hospitals
            for line in h.lines
            if line.item is not BenefitItem.WORK_FUND
        )
    lines.append(
        work_fund_line(
            str(hospital.pk), hospital_rates_for_year(agreements_of_hospital, year, base)
        )
    )
    return lines


def _hospital_row(
    user: User,
    hospital: Institution,
    lines: Sequence[BudgetLine],
    deployments: Sequence[Deployment],
) -> BudgetRow:
    names = {str(d.pk): d.expert.name for d in deployments}
    experts = {str(d.pk): d.expert_id for d in deployments}
    items = {item.value: Decimal("0.00") for item in ITEM_ORDER}
    for line in lines:
        items[line.item.value] += line.amount
    topped_up = {
        experts.get(line.deployment_id or "")
        for line in lines
        if line.item is BenefitItem.SALARY_TOP_UP and line.amount > 0
    }
    visible = access.can_see_pay_of_recipient(user, hospital.pk)
    prefecture = (
        hospital.county.prefecture.name
        if hospital.county
        else (hospital.prefecture.name if hospital.prefecture else "")
    )
    return BudgetRow(
        key=str(hospital.pk),
        name=hospital.name,
        prefecture=prefecture,
        hospitals=1,
        deployments=len(deployments),
        items=items,
        total=sum((line.amount for line in lines), Decimal("0.00")),
        lines=tuple(
            BudgetLineView(
                expert_name=names.get(line.deployment_id or "", "（医院）"),
                item_label=ITEM_LABELS[line.item],
                amount_text=yuan(line.amount),
                clause=line.clause,
                reason=line.reason,
            )
            for line in lines
        )
        if visible
        else (),
        details_visible=visible,
        pay_people=len(topped_up),
        pay_visible=visible or not small_cell_hidden(len(topped_up)),
    )


def _aggregate(rows: Iterable[BudgetRow], level: str) -> list[BudgetRow]:
    rows = list(rows)
    if level == BudgetLevel.HOSPITAL:
        return rows
    groups: dict[str, list[BudgetRow]] = defaultdict(list)
    for row in rows:
        groups[row.prefecture if level == BudgetLevel.PREFECTURE else "贵州省"].append(row)
    result = []
    for name, members in groups.items():
        items = {item.value: Decimal("0.00") for item in ITEM_ORDER}
        for member in members:
            for key, amount in member.items.items():
                items[key] += amount
        result.append(
            BudgetRow(
                key=name,
                name=name,
                prefecture=name if level == BudgetLevel.PREFECTURE else "",
                hospitals=len(members),
                deployments=sum(m.deployments for m in members),
                items=items,
                total=sum((m.total for m in members), Decimal("0.00")),
                pay_people=sum(m.pay_people for m in members),
                pay_visible=all(m.pay_visible for m in members),
                paid=sum((m.paid for m in members), Decimal("0.00")),
                paid_visible=all(m.paid_visible for m in members),
            )
        )
    return result


def _with_paid(user: User, rows: Sequence[BudgetRow], year: int) -> list[BudgetRow]:
    """Each hospital row with its approved payments for the year (`paid_by_recipient`). Paid
    amounts hold top-ups, so they are suppressed like the total: for readers without pay
    access where the row's top-up is, or where payments holding a top-up were made to 1 or 2
    people (ADR 0004)."""
    ids = [int(row.key) for row in rows]
    paid = paid_by_recipient(ids, year)
    paid_people: dict[int, set[int]] = defaultdict(set)
    for payment in Payment.objects.filter(recipient_id__in=ids, period_start__year=year):
        if payment_reveals_pay(payment):
            paid_people[payment.recipient_id].add(payment.expert_id)
    result = []
    for row in rows:
        key = int(row.key)
        visible = access.can_see_pay_of_recipient(user, key) or (
            row.pay_visible and not small_cell_hidden(len(paid_people[key]))
        )
        result.append(replace(row, paid=paid.get(key, Decimal("0.00")), paid_visible=visible))
    return result
