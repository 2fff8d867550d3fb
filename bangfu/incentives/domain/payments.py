"""Frozen payments: an approved statement never changes; differences come as adjustments.

The recipient hospital pays the expert's benefits (§六; A2-四(三)). Once it approves the statement
of a period, that period's lines and total are history. If the expert, a deployment or an
agreement later changes so that the same period would now come to a different amount, the
statement of a later period carries one adjustment line per earlier payment: what the earlier
period comes to now less what was approved for it (the payment itself plus every adjustment of
it already approved in other payments). Approving the later statement freezes the adjustment
too, so the same difference is never paid twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bangfu.policy.domain.money import yuan

ADJUSTMENT_CLAUSE = "§六；A2-四(三)"
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class FrozenLine:
    """One stored line of a payment: `adjusts` names the earlier payment an adjustment is for."""

    amount: Decimal
    adjusts: int | None = None


def approved_amounts(payments: Mapping[int, Iterable[FrozenLine]]) -> dict[int, Decimal]:
    """Per payment id: what has been approved for its period so far — its own lines (not the
    adjustments it carries for earlier periods) plus every adjustment of it frozen in any
    payment."""
    amounts = {
        pk: sum((line.amount for line in lines if line.adjusts is None), ZERO)
        for pk, lines in payments.items()
    }
    for lines in payments.values():
        for line in lines:
            if line.adjusts is not None and line.adjusts in amounts:
                amounts[line.adjusts] += line.amount
    return amounts


def adjustment_amount(now: Decimal, approved: Decimal) -> Decimal:
    """Positive: paid in addition this period; negative: recovered this period."""
    return now - approved


def adjustment_reason(
    start: date, end: date, approved_on: date, approved: Decimal, now: Decimal
) -> str:
    """Why the adjustment: the earlier period, what was approved, what it comes to now."""
    difference = adjustment_amount(now, approved)
    action = "补发" if difference > 0 else "扣回"
    return (
        f"{start.isoformat()}至{end.isoformat()}已于{approved_on.isoformat()}核定{yuan(approved)}元；"
        f"按现有专家、派驻和协议信息重新计算为{yuan(now)}元，本期{action}"
        f"{yuan(abs(difference))}元，原支付记录不变（依据{ADJUSTMENT_CLAUSE}）"
    )


@dataclass(frozen=True)
class ApprovalRefusal:
    """Why the paying hospital may not approve a statement now (`approval_refusal`)."""

    field: str
    message: str
    duplicate: bool = False
    """The period is approved already (a conflict, not a bad value)."""


def already_approved_message(start: date, end: date) -> str:
    return f"该专家{start.isoformat()}至{end.isoformat()}的待遇已核定（或与已核定的期间重叠），不能重复核定"


def approval_refusal(
    *, period_start: date, period_end: date, today: date, overlaps_approved: bool, has_lines: bool
) -> ApprovalRefusal | None:
    """Whether the statement of a period may be approved by the hospital that pays it, once it
    may approve at all (`incentives.permissions.statement_approval_recipient`): the period has
    ended, no period of the same hospital overlapping it is approved already, and there is
    something to pay or recover. The one rule for the 核定 button, the API and the service."""
    if period_end >= today:
        return ApprovalRefusal("end", "结算期间尚未结束，不能核定；请在期末之后核定")
    if overlaps_approved:
        return ApprovalRefusal(
            "period", already_approved_message(period_start, period_end), duplicate=True
        )
    if not has_lines:
        return ApprovalRefusal("period", "本期没有应付待遇，也没有以前期间的调整，无需核定")
    return None
