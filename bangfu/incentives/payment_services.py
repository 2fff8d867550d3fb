"""Approving a statement: the recipient hospital freezes it as a payment (§六; A2-四(三)).

One transaction and one audit row each. The payment stores the lines, the total, the policy
version and basis, the approver and the time; nothing ever rewrites it. A later change shows as
an adjustment on a later statement (`bangfu.incentives.domain.payments`).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.core.audit import audit_record
from bangfu.core.duplicates import DuplicateError, refusing_duplicates
from bangfu.incentives.domain.payments import already_approved_message
from bangfu.incentives.models import Payment
from bangfu.incentives.statement_selectors import statement_approval
from bangfu.people.models import Expert
from bangfu.policy.domain.periods import Period
from bangfu.policy.loader import load_policy

APPROVER_ONLY = "只有专家服务的受扶医院可以核定该期间的待遇明细"
PAYMENT_BASIS = "§六；帮扶协议（附件2）四(三)"


@transaction.atomic
def statement_approve(*, actor: User, expert: Expert, period: Period) -> Payment:
    """Freeze the statement of `expert` for `period` as seen by the recipient hospital that
    pays it: its lines (with the adjustments of earlier approved periods) and total.

    Refused: a user other than the recipient hospital the expert serves in the period
    (PermissionDenied); a period that has not ended yet (ValidationError); a period that
    overlaps one already approved for the same hospital (DuplicateError, also when two
    approvals race: the expert row is locked and the database refuses a second one)."""
    # Serialise approvals of one expert: the overlap check then sees every earlier one.
    Expert.objects.select_for_update().filter(pk=expert.pk).first()
    # The one decision the statement page's 核定 button and the API also use.
    approval = statement_approval(actor, expert, period)
    recipient_id = approval.recipient_id
    if recipient_id is None:
        raise PermissionDenied(APPROVER_ONLY)
    refusal = approval.refusal
    if refusal is not None:
        if refusal.duplicate:
            raise DuplicateError({refusal.field: [refusal.message]})
        raise ValidationError({refusal.field: refusal.message})
    lines = approval.lines
    message = already_approved_message(period.start, period.end)
    policy = load_policy()
    with refusing_duplicates("period", message):
        payment = Payment.objects.create(
            expert=expert,
            recipient_id=recipient_id,
            period_start=period.start,
            period_end=period.end,
            lines=lines,
            total=approval.total,
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
