"""Reads of approved (frozen) payments, scoped to the user, masked where they give pay away
(ADR 0015, ADR 0004)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.http import Http404

from bangfu.accounts.models import Role, User
from bangfu.incentives.domain.benefits import (
    BenefitItem,
)
from bangfu.incentives.labels import HIDDEN_REASON
from bangfu.incentives.models import (
    Payment,
)
from bangfu.people import access
from bangfu.people.domain.privacy import PAY_MASK
from bangfu.people.models import Expert
from bangfu.policy.domain.money import yuan
from bangfu.policy.domain.periods import Period
from bangfu.registry.scope import NOTHING, scope_for_user


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
