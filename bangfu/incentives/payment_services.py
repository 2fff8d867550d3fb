"""Approving a statement: the recipient hospital freezes it as a payment (§六; A2-四(三)).

One transaction and one audit row each. The payment stores the lines, the total, the policy
version and basis, the approver and the time; nothing ever rewrites it. A later change shows as
an adjustment on a later statement (`bangfu.incentives.domain.payments`).
"""

from __future__ import annotations

from dataclasses import replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.core.audit import audit_record
from bangfu.core.duplicates import DuplicateError, refusing_duplicates
from bangfu.incentives.models import Payment
from bangfu.incentives.permissions import statement_approval_recipient
from bangfu.incentives.statement_selectors import (
    payment_lines,
    recipient_statement,
    statement_adjustments,
)
from bangfu.people.models import Expert
from bangfu.people.selectors import today_local
from bangfu.policy.domain.periods import Period
from bangfu.policy.loader import load_policy

APPROVER_ONLY = "只有专家服务的受扶医院可以核定该期间的待遇明细"
PAYMENT_BASIS = "§六；帮扶协议（附件2）四(三)"


def _already_approved(start: str, end: str) -> str:
    return f"该专家{start}至{end}的待遇已核定（或与已核定的期间重叠），不能重复核定"


@transaction.atomic
def statement_approve(*, actor: User, expert: Expert, period: Period) -> Payment:
    """Freeze the statement of `expert` for `period` as seen by the recipient hospital that
    pays it: its lines (with the adjustments of earlier approved periods) and total.

    Refused: a user other than the recipient hospital the expert serves in the period
    (PermissionDenied); a period that has not ended yet (ValidationError); a period that
    overlaps one already approved for the same hospital (DuplicateError, also when two
    approvals race: the expert row is locked and the database refuses a second one)."""
    recipient_id = statement_approval_recipient(actor, expert, period)
    if recipient_id is None:
        raise PermissionDenied(APPROVER_ONLY)
    if period.end >= today_local():
        raise ValidationError({"end": "结算期间尚未结束，不能核定；请在期末之后核定"})
    # Serialise approvals of one expert: the overlap check below then sees every earlier one.
    Expert.objects.select_for_update().filter(pk=expert.pk).first()
    message = _already_approved(period.start.isoformat(), period.end.isoformat())
    overlapping = Payment.objects.filter(
        expert=expert,
        recipient_id=recipient_id,
        period_start__lte=period.end,
        period_end__gte=period.start,
    )
    if overlapping.exists():
        raise DuplicateError({"period": [message]})
    statement = recipient_statement(expert, recipient_id, period)
    adjustments = statement_adjustments(
        expert, period, Q(recipient_id=recipient_id), recipient_id=recipient_id
    )
    frozen = replace(statement, sensitive_visible=True, adjustments=adjustments)
    lines = payment_lines(frozen)
    if not lines:
        raise ValidationError({"period": "本期没有应付待遇，也没有以前期间的调整，无需核定"})
    policy = load_policy()
    with refusing_duplicates("period", message):
        payment = Payment.objects.create(
            expert=expert,
            recipient_id=recipient_id,
            period_start=period.start,
            period_end=period.end,
            lines=lines,
            total=frozen.total,
            policy_version=policy.id,
            basis=f"《{policy.title}》{PAYMENT_BASIS}",
            approved_by=actor,
            approved_at=timezone.now(),
        )
    # The audit row names the period and the line count, never the amounts (they give pay away).
    audit_record(
        actor=actor,
        action="decide",
        obj=payment,
        after={
            "expert": expert.pk,
            "recipient": recipient_id,
            "period_start": period.start,
            "period_end": period.end,
            "lines": len(payment.lines),
            "policy_version": payment.policy_version,
        },
        note="核定待遇明细，生成支付记录",
    )
    return payment
