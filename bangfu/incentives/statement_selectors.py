"""Statements, computed from rows by the pure rules, scoped to the user (F5).

A statement is `benefits_statement` per deployment, with the rates of the agreement that
governs each day of it. A salary top-up reveals the expert's pay, so its amount and reason, and
any total that includes it, are masked for users who may not see the pay (`people.access`).
Approved payments of earlier periods that now come to another amount add adjustment lines
(ADR 0015)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.incentives.agreement_terms import policy_rates, rates_with_overrides
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
from bangfu.incentives.domain.payments import (
    ADJUSTMENT_CLAUSE,
    ApprovalRefusal,
    FrozenLine,
    adjustment_amount,
    adjustment_reason,
    approval_refusal,
    approved_amounts,
)
from bangfu.incentives.domain.rates import IncentiveRates
from bangfu.incentives.labels import HIDDEN_REASON, ITEM_LABELS
from bangfu.incentives.models import (
    Payment,
    TravelClaim,
)
from bangfu.incentives.payment_selectors import (
    payment_filter_for_user,
    payment_reveals_pay,
    payments_overlapping,
)
from bangfu.incentives.permissions import statement_approval_recipient
from bangfu.partnerships.models import Agreement
from bangfu.partnerships.selectors import governed_spans_of
from bangfu.people import access
from bangfu.people.domain.privacy import PAY_MASK
from bangfu.people.models import Deployment, Expert, deployments_with_days_in
from bangfu.people.selectors import (
    domain_deployment,
    domain_expert,
    expert_get_for_user,
    today_local,
)
from bangfu.policy.domain.money import yuan
from bangfu.policy.domain.periods import Period, overlap
from bangfu.policy.loader import load_policy

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
    """The reader may approve this statement now (`statement_approval(...).accepted`)."""
    approval_refusal: str = ""
    """Why the hospital that pays may not approve it now (period not ended, approved already,
    nothing to pay); empty for readers who may not approve at all."""
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
    approval = statement_approval(user, expert, period)
    return replace(
        computed,
        adjustments=statement_adjustments(expert, period, shown),
        approvable=approval.accepted,
        approval_refusal=approval.refusal.message if approval.refusal else "",
        approved=tuple(payments_overlapping(expert, period, shown)),
    )


@dataclass(frozen=True)
class StatementApproval:
    """Whether `user` may approve the statement of `expert` for `period` now, the one answer
    the statement page's 核定 button, the API and `statement_approve` use."""

    recipient_id: int | None
    """The paying hospital the user approves for; None: the user may not approve at all."""
    refusal: ApprovalRefusal | None
    lines: list[dict[str, object]]
    """What the payment would freeze (only when accepted)."""
    total: Decimal

    @property
    def accepted(self) -> bool:
        return self.recipient_id is not None and self.refusal is None


def statement_approval(
    user: User, expert: Expert, period: Period, *, today: date | None = None
) -> StatementApproval:
    """Who approves (`statement_approval_recipient`) and whether the statement may be approved
    now (`domain.payments.approval_refusal`); the frozen lines are computed only when the
    period has ended and nothing overlapping is approved."""
    recipient_id = statement_approval_recipient(user, expert, period)
    if recipient_id is None:
        return StatementApproval(None, None, [], Decimal("0.00"))
    today = today or today_local()
    overlapping = Payment.objects.filter(
        expert=expert,
        recipient_id=recipient_id,
        period_start__lte=period.end,
        period_end__gte=period.start,
    ).exists()
    lines: list[dict[str, object]] = []
    total = Decimal("0.00")
    if period.end < today and not overlapping:
        statement = recipient_statement(expert, recipient_id, period)
        adjustments = statement_adjustments(
            expert, period, Q(recipient_id=recipient_id), recipient_id=recipient_id
        )
        frozen = replace(statement, sensitive_visible=True, adjustments=adjustments)
        lines, total = payment_lines(frozen), frozen.total
    refusal = approval_refusal(
        period_start=period.start,
        period_end=period.end,
        today=today,
        overlaps_approved=overlapping,
        has_lines=bool(lines),
    )
    return StatementApproval(recipient_id, refusal, lines if refusal is None else [], total)


def expert_statement(expert: Expert, period: Period, deployments_shown: Q) -> ExpertStatement:
    """The statement of `expert` for `period` over the deployments matching `deployments_shown`
    (the reader's scope, or one recipient hospital's deployments for a payment); its pay is
    shown as `expert.sensitive_is_visible` says."""
    deployments = (
        Deployment.objects.filter(deployments_shown, expert=expert)
        .filter(deployments_with_days_in(period.start, period.end))
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
