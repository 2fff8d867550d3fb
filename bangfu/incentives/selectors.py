"""Reads of statements, budgets and the ledger, scoped to the user (F5, F12).

Statements and budgets are computed here from rows by the pure rules: `benefits_statement` per
deployment and `budget_forecast` per partnership, with the rates of the agreement that governs
each deployment. A salary top-up reveals the expert's pay, so its amount and reason, and any total
that includes it, are masked for users who may not see the pay (`people.access`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from bangfu.accounts.models import Role, User
from bangfu.accounts.scope import NOTHING, scope_for_user
from bangfu.incentives.agreement_terms import rates_with_overrides
from bangfu.incentives.domain.benefits import (
    UNGOVERNED_CLAUSE,
    BenefitItem,
    BenefitsStatement,
    RejectedClaim,
    benefits_statement,
    ungoverned_days,
    ungoverned_reason,
)
from bangfu.incentives.domain.benefits import (
    TravelClaim as DomainTravelClaim,
)
from bangfu.incentives.domain.budget import (
    BudgetDeployment,
    BudgetLine,
    budget_forecast,
    work_fund_line,
)
from bangfu.incentives.domain.money import yuan
from bangfu.incentives.domain.payments import (
    ADJUSTMENT_CLAUSE,
    FrozenLine,
    adjustment_amount,
    adjustment_reason,
    approved_amounts,
)
from bangfu.incentives.domain.periods import Period, overlap
from bangfu.incentives.domain.rates import IncentiveRates
from bangfu.incentives.models import (
    HealthCheck,
    InsurancePolicy,
    Payment,
    TourismCard,
    TravelClaim,
    WorkFund,
)
from bangfu.partnerships.models import Agreement
from bangfu.partnerships.selectors import governed_spans_of
from bangfu.people import access
from bangfu.people.domain.privacy import PAY_MASK, SMALL_CELL_TEXT, small_cell_hidden
from bangfu.people.models import Deployment, Expert
from bangfu.people.selectors import (
    domain_deployment,
    domain_expert,
    expert_get_for_user,
    policy_rates,
    today_local,
)
from bangfu.policy.loader import load_policy
from bangfu.registry.models import Institution

ITEM_LABELS: dict[BenefitItem, str] = {
    BenefitItem.SALARY_TOP_UP: "薪酬补足差额",
    BenefitItem.MONTHLY_SUBSIDY: "每月补贴",
    BenefitItem.SETTLING_IN: "到岗生活必需品一次性报销",
    BenefitItem.TRAVEL: "往返交通费",
    BenefitItem.WORK_FUND: "受扶医院工作经费",
}
ITEM_ORDER = tuple(ITEM_LABELS)
HIDDEN_REASON = "涉及专家个人薪酬，仅专家本人、其服务的受扶医院和省卫健委可见"
# Product assumption for forecasts: the expected cost of one round trip between the helper's city
# and the recipient county, when the user does not give one (the policy reimburses actual cost).
DEFAULT_ROUND_TRIP_COST = Decimal("1500.00")


# ---- which agreement governs a deployment ----


def agreement_rates(agreement: Agreement | None, base: IncentiveRates) -> IncentiveRates:
    """The rates an agreement pays: the policy's with the agreement's own terms (A2-四(三))."""
    if agreement is None or not agreement.guarantee_overrides:
        return base
    return rates_with_overrides(base, agreement.guarantee_overrides)


UNGOVERNED_REASON = (
    "该日帮扶关系无生效的帮扶协议（未签订、已终止或不在协议期限内），不予报销（§七；附件2 五(一)）"
)


# ---- statements ----


@dataclass(frozen=True)
class StatementSection:
    deployment: Deployment
    rates: IncentiveRates
    travel_claims: tuple[DomainTravelClaim, ...]
    statement: BenefitsStatement
    ungoverned: str = ""
    """Why days of this deployment in the period earn nothing (no governing agreement)."""


@dataclass(frozen=True)
class StatementRow:
    deployment_id: int
    deployment_label: str
    item: str
    item_label: str
    amount: Decimal | None  # None when masked
    amount_text: str
    clause: str
    reason: str


@dataclass(frozen=True)
class RejectedRow:
    deployment_id: int
    deployment_label: str
    date: date
    amount_text: str
    reason: str


ADJUSTMENT_ITEM = "adjustment"
ADJUSTMENT_LABEL = "以前期间核定调整"


@dataclass(frozen=True)
class StatementAdjustment:
    """What an earlier approved period comes to now less what was approved for it."""

    payment_id: int
    label: str
    amount: Decimal
    clause: str
    reason: str
    reveals_pay: bool
    """The earlier period held a salary top-up, so the difference may give the pay away."""


@dataclass(frozen=True)
class ExpertStatement:
    expert: Expert
    period: Period
    sections: tuple[StatementSection, ...]
    sensitive_visible: bool
    adjustments: tuple[StatementAdjustment, ...] = ()
    """Differences on earlier approved payments, carried into this period (frozen payments)."""
    approvable: bool = False
    """The reader may approve this statement (`statement_approval_recipient`)."""
    approved: tuple[Payment, ...] = ()
    """Approved payments the reader may see whose period overlaps this one."""

    @property
    def total(self) -> Decimal:
        computed = sum((s.statement.total for s in self.sections), Decimal("0.00"))
        return computed + sum((a.amount for a in self.adjustments), Decimal("0.00"))

    @property
    def has_top_up(self) -> bool:
        return any(a.reveals_pay for a in self.adjustments) or any(
            line.item is BenefitItem.SALARY_TOP_UP
            for s in self.sections
            for line in s.statement.lines
        )

    @property
    def adjustment_rows(self) -> list[StatementRow]:
        """One row per adjustment, masked like a top-up where it holds one."""
        rows = []
        for adjustment in self.adjustments:
            hidden = adjustment.reveals_pay and not self.sensitive_visible
            rows.append(
                StatementRow(
                    deployment_id=0,
                    deployment_label=adjustment.label,
                    item=ADJUSTMENT_ITEM,
                    item_label=ADJUSTMENT_LABEL,
                    amount=None if hidden else adjustment.amount,
                    amount_text=PAY_MASK if hidden else yuan(adjustment.amount),
                    clause=adjustment.clause,
                    reason=HIDDEN_REASON if hidden else adjustment.reason,
                )
            )
        return rows

    @property
    def total_visible(self) -> bool:
        return self.sensitive_visible or not self.has_top_up

    @property
    def footnotes(self) -> tuple[str, ...]:
        """The policy file's interpretations the statement cites under its table."""
        return load_policy().incentives.statement_footnotes()

    @property
    def total_text(self) -> str:
        return yuan(self.total) if self.total_visible else PAY_MASK

    @property
    def rows(self) -> list[StatementRow]:
        """Every line, masked where the viewer may not see the pay; adjustments first."""
        rows = self.adjustment_rows
        for section in self.sections:
            label = deployment_label(section.deployment)
            for line in section.statement.lines:
                hidden = line.item is BenefitItem.SALARY_TOP_UP and not self.sensitive_visible
                rows.append(
                    StatementRow(
                        deployment_id=section.deployment.pk,
                        deployment_label=label,
                        item=line.item.value,
                        item_label=ITEM_LABELS[line.item],
                        amount=None if hidden else line.amount,
                        amount_text=PAY_MASK if hidden else yuan(line.amount),
                        clause=line.clause,
                        reason=HIDDEN_REASON if hidden else line.reason,
                    )
                )
            if section.ungoverned:
                rows.append(
                    StatementRow(
                        deployment_id=section.deployment.pk,
                        deployment_label=label,
                        item="ungoverned",
                        item_label="协议期外天数",
                        amount=Decimal("0.00"),
                        amount_text=yuan(Decimal("0.00")),
                        clause=UNGOVERNED_CLAUSE,
                        reason=section.ungoverned,
                    )
                )
        return rows

    @property
    def rejected(self) -> list[RejectedRow]:
        return [
            RejectedRow(
                s.deployment.pk,
                deployment_label(s.deployment),
                r.claim.date,
                yuan(r.claim.amount),
                r.reason,
            )
            for s in self.sections
            for r in s.statement.rejected_claims
        ]


def deployment_label(deployment: Deployment) -> str:
    recipient = deployment.team.partnership.recipient.name
    return (
        f"{recipient} {deployment.get_kind_display()} "
        f"{deployment.start:%Y-%m-%d}至{deployment.effective_end:%Y-%m-%d}"
    )


def statement_period(start: date | None, end: date | None, *, today: date | None = None) -> Period:
    """The period asked for; by default the current calendar year. One calendar year at most,
    since the salary top-up divides by the days of one year (§六)."""
    today = today or today_local()
    start = start or date((end or today).year, 1, 1)
    end = end or date(start.year, 12, 31)
    errors: dict[str, str] = {}
    if end < start:
        errors["end"] = "结束日期不能早于开始日期"
    elif start.year != end.year:
        errors["end"] = "结算期间不能跨越两个自然年，请按自然年分别查询"
    if errors:
        raise ValidationError(errors)
    return Period(start, end)


def expert_statement_for_user(*, user: User, expert_id: int, period: Period) -> ExpertStatement:
    """What an expert is owed for `period` (§六; A2-四(三)), one section per deployment the
    user may see that overlaps the period. Travel claims dated in the period are submitted.
    Approved payments of earlier periods that now come to another amount add adjustment lines;
    the statement also says whether the user may approve it and which approved payments
    overlap it."""
    expert = expert_get_for_user(user=user, pk=expert_id)
    computed = expert_statement(expert, period, access.deployment_filter_for_user(user))
    shown = payment_filter_for_user(user)
    return replace(
        computed,
        adjustments=statement_adjustments(expert, period, shown),
        approvable=statement_approval_recipient(user, expert, period) is not None,
        approved=tuple(payments_overlapping(expert, period, shown)),
    )


def expert_statement(expert: Expert, period: Period, deployments_shown: Q) -> ExpertStatement:
    """The statement of `expert` for `period` over the deployments matching `deployments_shown`
    (the reader's scope, or one recipient hospital's deployments for a payment); its pay is
    shown as `expert.sensitive_is_visible` says."""
    deployments = (
        Deployment.objects.filter(deployments_shown, expert=expert)
        .filter(start__lte=period.end)
        .filter(
            Q(actual_end__gte=period.start)
            | Q(actual_end__isnull=True, planned_end__gte=period.start)
        )
        .select_related("team__partnership__recipient", "team__partnership__helper")
        .prefetch_related(
            Prefetch(
                "team__partnership__agreements",
                queryset=Agreement.objects.order_by("cycle_number"),
            ),
            Prefetch(
                "travel_claims",
                queryset=TravelClaim.objects.filter(
                    date__gte=period.start, date__lte=period.end
                ).order_by("date", "pk"),
            ),
        )
        .order_by("start", "pk")
    )
    base = policy_rates()
    facts = domain_expert(expert)
    sections = []
    for d in deployments:
        claims = tuple(DomainTravelClaim(c.date, c.amount) for c in d.travel_claims.all())
        # Only days governed by an agreement earn anything, each at its agreement's rates.
        spans = governed_spans_of(d.team.partnership.agreements.all(), period.start, period.end)
        ungoverned = tuple(
            RejectedClaim(claim, index, UNGOVERNED_REASON)
            for index, claim in enumerate(claims)
            if not any(first <= claim.date <= last for first, last, _ in spans)
        )
        # Days of the stay no agreement governs earn nothing; the statement says why.
        stay = overlap(period, Period(d.start, d.effective_end))
        gaps = ungoverned_days(stay, [Period(f, last) for f, last, _ in spans]) if stay else ()
        note = ungoverned_reason(gaps) if gaps else ""
        if not spans:
            empty = BenefitsStatement(period, (), ungoverned)
            sections.append(StatementSection(d, base, claims, empty, note))
        for number, (first, last, agreement) in enumerate(spans):
            rates = agreement_rates(agreement, base)
            span_claims = tuple(c for c in claims if first <= c.date <= last)
            statement = benefits_statement(
                facts, domain_deployment(d), Period(first, last), rates, None, span_claims
            )
            if number == 0 and ungoverned:
                statement = replace(
                    statement, rejected_claims=statement.rejected_claims + ungoverned
                )
            sections.append(
                StatementSection(d, rates, span_claims, statement, note if number == 0 else "")
            )
    return ExpertStatement(
        expert=expert,
        period=period,
        sections=tuple(sections),
        sensitive_visible=expert.sensitive_is_visible,
    )


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


# ---- ledger ----


class LedgerKind:
    TRAVEL = "travel"
    INSURANCE = "insurance"
    HEALTH = "health"
    TOURISM = "tourism"
    WORK_FUND = "work_fund"
    CHOICES = (
        ("travel", "交通费报销"),
        ("insurance", "意外伤害保险"),
        ("health", "健康体检"),
        ("tourism", "旅游优惠证"),
        ("work_fund", "工作经费"),
    )


def work_fund_filter_for_user(user: User) -> Q:
    scope = scope_for_user(user)
    if scope.whole_province:
        return Q()
    if scope.role in (Role.PREFECTURE, Role.COUNTY, Role.RECIPIENT, Role.HELPER):
        return Q(recipient__in=access.recipients_in_scope(user))
    return NOTHING


def _experts_in_scope(user: User) -> QuerySet[Expert]:
    return Expert.objects.filter(access.expert_filter_for_user(user))


def travel_claim_list_for_user(*, user: User, q: str = "") -> QuerySet[TravelClaim]:
    qs = TravelClaim.objects.filter(
        deployment__in=Deployment.objects.filter(access.deployment_filter_for_user(user))
    ).select_related("deployment__expert", "deployment__team__partnership__recipient")
    if q:
        qs = qs.filter(deployment__expert__name__contains=q.strip())
    return qs.order_by("-date", "-pk")


def insurance_policy_list_for_user(*, user: User, q: str = "") -> QuerySet[InsurancePolicy]:
    qs = InsurancePolicy.objects.filter(expert__in=_experts_in_scope(user)).select_related("expert")
    if q:
        qs = qs.filter(expert__name__contains=q.strip())
    return qs.order_by("-start", "-pk")


def health_check_list_for_user(*, user: User, q: str = "") -> QuerySet[HealthCheck]:
    qs = HealthCheck.objects.filter(expert__in=_experts_in_scope(user)).select_related("expert")
    if q:
        qs = qs.filter(expert__name__contains=q.strip())
    return qs.order_by("-checked_on", "-pk")


def tourism_card_list_for_user(*, user: User, q: str = "") -> QuerySet[TourismCard]:
    qs = TourismCard.objects.filter(expert__in=_experts_in_scope(user)).select_related("expert")
    if q:
        qs = qs.filter(expert__name__contains=q.strip())
    return qs.order_by("-issued_on", "-pk")


def work_fund_list_for_user(*, user: User, q: str = "") -> QuerySet[WorkFund]:
    qs = WorkFund.objects.filter(work_fund_filter_for_user(user)).select_related("recipient")
    if q:
        qs = qs.filter(recipient__name__contains=q.strip())
    return qs.order_by("-year", "recipient__name")


def ledger_list_for_user(*, user: User, kind: str, q: str = "") -> QuerySet[Any]:
    """One ledger, by kind (travel, insurance, health, tourism, work_fund)."""
    if kind == LedgerKind.TRAVEL:
        return travel_claim_list_for_user(user=user, q=q)
    if kind == LedgerKind.INSURANCE:
        return insurance_policy_list_for_user(user=user, q=q)
    if kind == LedgerKind.HEALTH:
        return health_check_list_for_user(user=user, q=q)
    if kind == LedgerKind.TOURISM:
        return tourism_card_list_for_user(user=user, q=q)
    if kind == LedgerKind.WORK_FUND:
        return work_fund_list_for_user(user=user, q=q)
    raise ValidationError({"kind": "台账类别应为 travel、insurance、health、tourism 或 work_fund"})


def experts_payable_by_user(*, user: User) -> QuerySet[Expert]:
    """Experts whose ledger the user may record: all (province), those it serves (recipient),
    self (expert)."""
    scope = scope_for_user(user)
    qs = Expert.objects.select_related("home_institution").order_by("name", "pk")
    if scope.role == Role.PROVINCE:
        return qs
    if scope.role == Role.RECIPIENT:
        return qs.filter(
            pk__in=Deployment.objects.filter(
                team__partnership__recipient_id=scope.institution_id
            ).values("expert_id")
        )
    return qs.none()


def deployments_claimable_by_user(
    *, user: User, expert_id: int | None = None
) -> QuerySet[Deployment]:
    """Deployments on which the user may record travel claims (optionally one expert's)."""
    scope = scope_for_user(user)
    qs = Deployment.objects.select_related("expert", "team__partnership__recipient").order_by(
        "expert__name", "-start"
    )
    if expert_id is not None:
        qs = qs.filter(expert_id=expert_id)
    if scope.role == Role.PROVINCE:
        return qs
    if scope.role == Role.RECIPIENT:
        return qs.filter(team__partnership__recipient_id=scope.institution_id)
    if scope.role == Role.EXPERT:
        return qs.filter(expert__user_id=user.pk)
    return qs.none()


def recipients_fundable_by_user(*, user: User) -> QuerySet[Institution]:
    scope = scope_for_user(user)
    qs = Institution.objects.filter(category="recipient").order_by("county__code", "name")
    if scope.role == Role.PROVINCE:
        return qs
    if scope.role == Role.RECIPIENT and scope.institution_id is not None:
        return qs.filter(pk=scope.institution_id)
    return qs.none()


def travel_claim_get_for_user(*, user: User, pk: int) -> TravelClaim:
    try:
        return travel_claim_list_for_user(user=user).get(pk=pk)
    except TravelClaim.DoesNotExist as exc:
        raise Http404("未找到该交通费记录") from exc


# ---- ledger lists narrowed for the API (scope from the page's selectors above) ----


def travel_claim_search_for_user(
    *,
    user: User,
    q: str = "",
    expert: int | None = None,
    recipient: int | None = None,
    year: int | None = None,
) -> QuerySet[TravelClaim]:
    """`travel_claim_list_for_user`, narrowed to one expert, recipient or trip year."""
    qs = travel_claim_list_for_user(user=user, q=q)
    if expert is not None:
        qs = qs.filter(deployment__expert_id=expert)
    if recipient is not None:
        qs = qs.filter(deployment__team__partnership__recipient_id=recipient)
    if year is not None:
        qs = qs.filter(date__year=year)
    return qs


def insurance_policy_search_for_user(
    *, user: User, q: str = "", expert: int | None = None, year: int | None = None
) -> QuerySet[InsurancePolicy]:
    """`insurance_policy_list_for_user`, narrowed to one expert or the policies in force at some
    point of `year`."""
    qs = insurance_policy_list_for_user(user=user, q=q)
    if expert is not None:
        qs = qs.filter(expert_id=expert)
    if year is not None:
        qs = qs.filter(start__lte=date(year, 12, 31), end__gte=date(year, 1, 1))
    return qs


def health_check_search_for_user(
    *, user: User, q: str = "", expert: int | None = None, year: int | None = None
) -> QuerySet[HealthCheck]:
    qs = health_check_list_for_user(user=user, q=q)
    if expert is not None:
        qs = qs.filter(expert_id=expert)
    if year is not None:
        qs = qs.filter(checked_on__year=year)
    return qs


def tourism_card_search_for_user(
    *, user: User, q: str = "", expert: int | None = None, year: int | None = None
) -> QuerySet[TourismCard]:
    """`tourism_card_list_for_user`, narrowed to one expert or the cards issued in `year`."""
    qs = tourism_card_list_for_user(user=user, q=q)
    if expert is not None:
        qs = qs.filter(expert_id=expert)
    if year is not None:
        qs = qs.filter(issued_on__year=year)
    return qs


def work_fund_search_for_user(
    *, user: User, q: str = "", recipient: int | None = None, year: int | None = None
) -> QuerySet[WorkFund]:
    qs = work_fund_list_for_user(user=user, q=q)
    if recipient is not None:
        qs = qs.filter(recipient_id=recipient)
    if year is not None:
        qs = qs.filter(year=year)
    return qs


def work_fund_recipient_get_for_user(*, user: User, pk: int) -> Institution:
    """A recipient hospital the user may read, as the subject of a work fund; else 404."""
    try:
        return access.recipients_in_scope(user).get(pk=pk)
    except Institution.DoesNotExist as exc:
        raise Http404("未找到该受扶医院") from exc


# ---- ledger rows to correct or remove (pages; who may write is who may record) ----

LedgerRow = TravelClaim | InsurancePolicy | HealthCheck | TourismCard | WorkFund
LEDGER_MODELS: dict[str, type[LedgerRow]] = {
    LedgerKind.TRAVEL: TravelClaim,
    LedgerKind.INSURANCE: InsurancePolicy,
    LedgerKind.HEALTH: HealthCheck,
    LedgerKind.TOURISM: TourismCard,
    LedgerKind.WORK_FUND: WorkFund,
}
LEDGER_WRITERS = {
    LedgerKind.TRAVEL: "只有专家本人、受扶医院或省卫健委可以修改或删除交通费记录",
    LedgerKind.INSURANCE: "只有专家服务的受扶医院或省卫健委可以修改或删除意外伤害保险",
    LedgerKind.HEALTH: "只有专家服务的受扶医院或省卫健委可以修改或删除健康体检",
    LedgerKind.TOURISM: "只有专家服务的受扶医院或省卫健委可以修改或删除旅游优惠证",
    LedgerKind.WORK_FUND: "只有受扶医院本院或省卫健委可以修改或删除工作经费",
}


def _ledger_writable_filter(user: User, kind: str) -> Q:
    """The rows a user may correct or remove: those it may record (the create forms' choices)."""
    if kind == LedgerKind.TRAVEL:
        return Q(deployment__in=deployments_claimable_by_user(user=user).values("pk"))
    if kind == LedgerKind.WORK_FUND:
        return Q(recipient__in=recipients_fundable_by_user(user=user).values("pk"))
    return Q(expert__in=experts_payable_by_user(user=user).values("pk"))


def ledger_row_get_for_user(*, user: User, kind: str, pk: int) -> Any:
    """One row of the ledger `kind` that the user may read; Http404 otherwise."""
    if kind not in LEDGER_MODELS:
        raise Http404("未知的台账类别")
    model = LEDGER_MODELS[kind]
    try:
        return ledger_list_for_user(user=user, kind=kind).get(pk=pk)
    except model.DoesNotExist as exc:
        raise Http404(f"未找到该{model._meta.verbose_name}记录") from exc


def ledger_writable_ids_for_user(*, user: User, kind: str, rows: Iterable[Any]) -> set[int]:
    """Which of `rows` (of the ledger `kind`) the user may correct or remove; one query."""
    ids = [row.pk for row in rows]
    if not ids or kind not in LEDGER_MODELS:
        return set()
    writable = LEDGER_MODELS[kind].objects.filter(_ledger_writable_filter(user, kind), pk__in=ids)
    return set(writable.values_list("pk", flat=True))


def ledger_row_get_for_writer(*, user: User, kind: str, pk: int) -> Any:
    """A ledger row to correct or remove: Http404 outside what the user may read,
    PermissionDenied when the user may read it but not record it (as the services refuse)."""
    row = ledger_row_get_for_user(user=user, kind=kind, pk=pk)
    if not ledger_writable_ids_for_user(user=user, kind=kind, rows=[row]):
        raise PermissionDenied(LEDGER_WRITERS[kind])
    return row


# ---- frozen payments: approving statements, adjustments, scoped reads ----


def _overlapping_deployments(period: Period) -> Q:
    return Q(start__lte=period.end) & (
        Q(actual_end__gte=period.start) | Q(actual_end__isnull=True, planned_end__gte=period.start)
    )


def statement_approval_recipient(user: User, expert: Expert, period: Period) -> int | None:
    """Who approves a statement, the one rule used by the page, the API and the service: the
    recipient hospital the expert serves in the period (a deployment on one of its
    partnerships overlapping it), which pays (§六; A2-四(三)), through one of its users. Returns
    that hospital's id; None when the user may not approve (helper, county, prefecture,
    observer, the expert, another hospital — and the province, which oversees but does not
    pay)."""
    scope = scope_for_user(user)
    if scope.role != Role.RECIPIENT or scope.institution_id is None:
        return None
    serves = Deployment.objects.filter(
        _overlapping_deployments(period),
        expert=expert,
        team__partnership__recipient_id=scope.institution_id,
    ).exists()
    # A hospital that paid the expert before also approves a later period with no stay left in
    # it: that statement may still carry adjustments of what it paid.
    paid_before = Payment.objects.filter(
        expert=expert, recipient_id=scope.institution_id, period_end__lt=period.start
    ).exists()
    return scope.institution_id if serves or paid_before else None


def payment_filter_for_user(user: User) -> Q:
    """Approved payments a user may read: the province and observers all; a prefecture,
    county or recipient hospital those its recipient hospitals approved; a helper those of the
    experts it may read; an expert their own."""
    scope = scope_for_user(user)
    if scope.whole_province:
        return Q()
    if scope.role == Role.EXPERT:
        return Q(expert__user_id=user.pk)
    if scope.role == Role.HELPER:
        return Q(expert__in=Expert.objects.filter(access.expert_filter_for_user(user)))
    if scope.role in (Role.PREFECTURE, Role.COUNTY, Role.RECIPIENT):
        return Q(recipient__in=access.recipients_in_scope(user))
    return NOTHING


def payment_amounts_visible(user: User, payment: Payment) -> bool:
    """A payment holding a salary top-up gives the pay away (ADR 0004): its top-up lines and
    total are shown in full only to the province, the expert and the hospital that paid."""
    if not payment_reveals_pay(payment):
        return True
    scope = scope_for_user(user)
    if scope.role == Role.PROVINCE:
        return True
    if scope.role == Role.EXPERT:
        return payment.expert.user_id == user.pk
    return scope.role == Role.RECIPIENT and scope.institution_id == payment.recipient_id


def payment_reveals_pay(payment: Payment) -> bool:
    return any(
        line.get("item") == BenefitItem.SALARY_TOP_UP.value or line.get("reveals_pay")
        for line in payment.lines
    )


def payment_list_for_user(
    *, user: User, expert_id: int | None = None, hospital_id: int | None = None
) -> QuerySet[Payment]:
    payments = Payment.objects.filter(payment_filter_for_user(user)).select_related(
        "expert", "recipient", "approved_by"
    )
    if expert_id is not None:
        payments = payments.filter(expert_id=expert_id)
    if hospital_id is not None:
        payments = payments.filter(recipient_id=hospital_id)
    return payments.order_by("-period_start", "-pk")


def payment_get_for_user(*, user: User, pk: int) -> Payment:
    try:
        return payment_list_for_user(user=user).get(pk=pk)
    except Payment.DoesNotExist as exc:
        raise Http404("未找到该支付记录") from exc


def payments_overlapping(expert: Expert, period: Period, shown: Q) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(
            shown, expert=expert, period_start__lte=period.end, period_end__gte=period.start
        )
        .select_related("recipient", "approved_by")
        .order_by("period_start", "pk")
    )


def recipient_statement(expert: Expert, recipient_id: int, period: Period) -> ExpertStatement:
    """The statement of `expert`'s deployments at one recipient hospital, without adjustments:
    what that hospital approves for the period, or what an approved period comes to now."""
    return expert_statement(expert, period, Q(team__partnership__recipient_id=recipient_id))


def _frozen_lines(payment: Payment) -> list[FrozenLine]:
    return [FrozenLine(Decimal(line["amount"]), line.get("adjusts")) for line in payment.lines]


def statement_adjustments(
    expert: Expert, period: Period, shown: Q, recipient_id: int | None = None
) -> tuple[StatementAdjustment, ...]:
    """One adjustment per approved payment of `expert` for a period before `period` (that the
    reader may see; of one hospital when `recipient_id` is given) whose period comes to a
    different amount now (`bangfu.incentives.domain.payments`)."""
    payments = list(
        Payment.objects.filter(expert=expert)
        .select_related("recipient")
        .order_by("period_start", "pk")
    )
    approved = approved_amounts({p.pk: _frozen_lines(p) for p in payments})
    earlier = Payment.objects.filter(shown, expert=expert, period_end__lt=period.start)
    if recipient_id is not None:
        earlier = earlier.filter(recipient_id=recipient_id)
    carried = set(earlier.values_list("pk", flat=True))
    adjustments = []
    for payment in payments:
        if payment.pk not in carried:
            continue
        then = Period(payment.period_start, payment.period_end)
        now = recipient_statement(expert, payment.recipient_id, then)
        if now.total == approved[payment.pk]:
            continue
        adjustments.append(
            StatementAdjustment(
                payment_id=payment.pk,
                label=f"{payment.recipient.name} 支付记录#{payment.pk}",
                amount=adjustment_amount(now.total, approved[payment.pk]),
                clause=ADJUSTMENT_CLAUSE,
                reason=adjustment_reason(
                    then.start,
                    then.end,
                    timezone.localdate(payment.approved_at),
                    approved[payment.pk],
                    now.total,
                ),
                reveals_pay=payment_reveals_pay(payment) or now.has_top_up,
            )
        )
    return tuple(adjustments)


def payment_lines(statement: ExpertStatement) -> list[dict[str, object]]:
    """The lines a payment freezes, unmasked: each computed line with its deployment and the
    days of that deployment in the period, then each adjustment with the payment it adjusts.
    Amounts are Decimal strings."""
    lines: list[dict[str, object]] = []
    for adjustment in statement.adjustments:
        lines.append(
            {
                "item": ADJUSTMENT_ITEM,
                "item_label": ADJUSTMENT_LABEL,
                "deployment_id": None,
                "deployment_label": adjustment.label,
                "days": None,
                "amount": str(adjustment.amount),
                "clause": adjustment.clause,
                "reason": adjustment.reason,
                "adjusts": adjustment.payment_id,
                "reveals_pay": adjustment.reveals_pay,
            }
        )
    for section in statement.sections:
        d = section.deployment
        first = max(statement.period.start, d.start)
        last = min(statement.period.end, d.effective_end)
        days = max(0, (last - first).days + 1)
        for line in section.statement.lines:
            lines.append(
                {
                    "item": line.item.value,
                    "item_label": ITEM_LABELS[line.item],
                    "deployment_id": d.pk,
                    "deployment_label": deployment_label(d),
                    "days": days,
                    "amount": str(line.amount),
                    "clause": line.clause,
                    "reason": line.reason,
                }
            )
    return lines


def paid_by_recipient(recipient_ids: Iterable[int], year: int) -> dict[int, Decimal]:
    """Approved payments (with the adjustments they carry) per recipient hospital, by the year
    their period starts in: what has been paid, next to the forecast in the budget."""
    rows = (
        Payment.objects.filter(recipient_id__in=list(recipient_ids), period_start__year=year)
        .values("recipient_id")
        .annotate(paid=Sum("total"))
    )
    return {row["recipient_id"]: row["paid"] for row in rows}


@dataclass(frozen=True)
class PaymentLineView:
    item: str
    item_label: str
    deployment_id: int | None
    deployment_label: str
    days: int | None
    amount: Decimal | None  # None when masked
    amount_text: str
    clause: str
    reason: str
    adjusts: int | None


@dataclass(frozen=True)
class PaymentView:
    """A frozen payment as one reader may see it (masked per `payment_amounts_visible`)."""

    payment: Payment
    amounts_visible: bool
    lines: tuple[PaymentLineView, ...]

    @property
    def total(self) -> Decimal | None:
        return self.payment.total if self.amounts_visible else None

    @property
    def total_text(self) -> str:
        return yuan(self.payment.total) if self.amounts_visible else PAY_MASK


def payment_view(user: User, payment: Payment) -> PaymentView:
    visible = payment_amounts_visible(user, payment)
    lines = []
    for line in payment.lines:
        reveals = line.get("item") == BenefitItem.SALARY_TOP_UP.value or bool(
            line.get("reveals_pay")
        )
        hidden = reveals and not visible
        amount = Decimal(line["amount"])
        lines.append(
            PaymentLineView(
                item=str(line["item"]),
                item_label=str(line["item_label"]),
                deployment_id=line.get("deployment_id"),
                deployment_label=str(line["deployment_label"]),
                days=line.get("days"),
                amount=None if hidden else amount,
                amount_text=PAY_MASK if hidden else yuan(amount),
                clause=str(line["clause"]),
                reason=HIDDEN_REASON if hidden else str(line["reason"]),
                adjusts=line.get("adjusts"),
            )
        )
    return PaymentView(payment, visible, tuple(lines))
