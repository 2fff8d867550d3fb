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
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404

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
from bangfu.incentives.domain.periods import Period, overlap
from bangfu.incentives.domain.rates import IncentiveRates
from bangfu.incentives.models import (
    HealthCheck,
    InsurancePolicy,
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


@dataclass(frozen=True)
class ExpertStatement:
    expert: Expert
    period: Period
    sections: tuple[StatementSection, ...]
    sensitive_visible: bool

    @property
    def total(self) -> Decimal:
        return sum((s.statement.total for s in self.sections), Decimal("0.00"))

    @property
    def has_top_up(self) -> bool:
        return any(
            line.item is BenefitItem.SALARY_TOP_UP
            for s in self.sections
            for line in s.statement.lines
        )

    @property
    def total_visible(self) -> bool:
        return self.sensitive_visible or not self.has_top_up

    @property
    def total_text(self) -> str:
        return yuan(self.total) if self.total_visible else PAY_MASK

    @property
    def rows(self) -> list[StatementRow]:
        """Every line, masked where the viewer may not see the pay."""
        rows = []
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
    user may see that overlaps the period. Travel claims dated in the period are submitted."""
    expert = expert_get_for_user(user=user, pk=expert_id)
    deployments = (
        Deployment.objects.filter(access.deployment_filter_for_user(user), expert=expert)
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
    def note(self) -> str:
        """Said on the page, in the export and by the API whenever a cell is suppressed."""
        return "" if self.pay_visible else BUDGET_SMALL_CELL_NOTE

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
    rows = _aggregate(rows, level)
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
            )
        )
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
