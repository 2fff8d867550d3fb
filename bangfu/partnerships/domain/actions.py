"""What may be done with an agreement on a day, and which agreement governs a day.

One place for both rules, used by the services (which refuse what is not allowed), by the pages
(which offer only the allowed buttons) and by the API (which lists the allowed actions), and by
every reader that needs "the agreement of this partnership on this day" (statements, budgets,
deployments, coverage, appointments). Pure functions; the day is always a parameter.

Policy: §七 (每3年为一个周期，期满后重新签订帮扶协议，避免帮扶断档), §三(一) (到期协议及时续签),
附件2 五(一) (本协议经甲乙丙三方签字、盖章后生效), 附件2 五(三) (协议签订后报省、市州、县卫生健康
部门备案).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bangfu.partnerships.domain.lifecycle import (
    ONE_DAY,
    AgreementFacts,
    in_force_on,
    is_signed_on,
)

CLAUSE_CYCLE = "§七"
CLAUSE_SIGNING = "附件2 五(一)"
CLAUSE_FILING = "附件2 五(三)"


class AgreementAction(StrEnum):
    RENEW = "renew"
    SIGN = "sign"
    TERMINATE = "terminate"
    FILE = "file"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]


_ACTION_LABELS = {
    AgreementAction.RENEW: "续签下一周期",
    AgreementAction.SIGN: "登记签订",
    AgreementAction.TERMINATE: "终止协议",
    AgreementAction.FILE: "登记备案",
}


@dataclass(frozen=True)
class ActionDecision:
    """Whether one action is allowed; ``reason`` says why not (with the clause), else is empty."""

    allowed: bool
    reason: str = ""


ALLOWED = ActionDecision(True)


@dataclass(frozen=True)
class AgreementActions:
    renew: ActionDecision
    sign: ActionDecision
    terminate: ActionDecision
    file: ActionDecision

    def decision(self, action: AgreementAction) -> ActionDecision:
        decision: ActionDecision = getattr(self, action.value)
        return decision

    @property
    def allowed(self) -> tuple[AgreementAction, ...]:
        """The allowed actions, in ``AgreementAction`` order."""
        return tuple(a for a in AgreementAction if self.decision(a).allowed)


def _iso(day: date) -> str:
    return day.isoformat()


def _renew(facts: AgreementFacts, on: date) -> ActionDecision:
    if facts.has_next_cycle:
        return ActionDecision(False, f"该协议已续签，请在最新一期协议上续签（{CLAUSE_CYCLE}）")
    if facts.terminated_on is not None and facts.terminated_on <= on:
        return ALLOWED  # a terminated cycle, signed or not, is followed by a new one
    if not is_signed_on(facts, on):
        return ActionDecision(
            False, f"协议尚未经三方签字、盖章，不能续签；请先登记签订（{CLAUSE_SIGNING}）"
        )
    if on < facts.start:
        return ActionDecision(
            False,
            f"协议将于{_iso(facts.start)}开始执行，尚未执行不能续签"
            f"（{CLAUSE_CYCLE}：期满后重新签订）",
        )
    return ALLOWED


def _terminated(facts: AgreementFacts) -> ActionDecision | None:
    if facts.terminated_on is None:
        return None
    return ActionDecision(False, f"协议已于{_iso(facts.terminated_on)}终止")


def _terminate(facts: AgreementFacts, on: date) -> ActionDecision:
    refused = _terminated(facts)
    if refused is not None:
        return ActionDecision(False, refused.reason + "，不能再次终止")
    if on > facts.end:
        return ActionDecision(
            False, f"协议已于{_iso(facts.end)}期满，无需终止（{CLAUSE_CYCLE}：每3年为一个周期）"
        )
    return ALLOWED


def _sign(facts: AgreementFacts, on: date) -> ActionDecision:
    refused = _terminated(facts)
    if refused is not None:
        return ActionDecision(False, refused.reason + f"，不能登记签订（{CLAUSE_SIGNING}）")
    if on > facts.end:
        return ActionDecision(
            False, f"协议已于{_iso(facts.end)}期满，不能再登记签订（{CLAUSE_SIGNING}）"
        )
    return ALLOWED


def _file(facts: AgreementFacts, on: date) -> ActionDecision:
    if not is_signed_on(facts, on):
        return ActionDecision(False, f"协议尚未签订，不能备案（{CLAUSE_FILING}：签订后报备案）")
    return ALLOWED


def agreement_actions(facts: AgreementFacts, on: date) -> AgreementActions:
    """Which actions an agreement allows on ``on``; each refusal says why, citing the clause.

    - renew (§七 期满后重新签订; §三(一) 及时续签): only the latest cycle (no next cycle yet),
      once signed (附件2 五(一)) and started, or once terminated (a new cycle replaces it).
      A draft, or a signed agreement not yet started, is not renewed.
    - sign (附件2 五(一)): record or correct the signing date and scan while the agreement is
      neither terminated (even with a future termination date) nor past its end.
    - terminate: an agreement not yet terminated whose end has not passed (a draft may be
      withdrawn by terminating it).
    - file (附件2 五(三)): once signed, at any time (filing records what happened).
    """
    return AgreementActions(
        renew=_renew(facts, on),
        sign=_sign(facts, on),
        terminate=_terminate(facts, on),
        file=_file(facts, on),
    )


def first_agreement_decision(existing_cycles: int) -> ActionDecision:
    """A partnership's first agreement (登记首期协议) may be registered only while it has none;
    later cycles are renewals of the latest one (§七 每3年为一个周期，期满后重新签订)."""
    if existing_cycles > 0:
        return ActionDecision(
            False, f"该帮扶关系已有协议，请在最新一期协议上续签（{CLAUSE_CYCLE}）"
        )
    return ALLOWED


def governing_agreement(cycles: Iterable[AgreementFacts], day: date) -> AgreementFacts | None:
    """The agreement that governs a partnership on ``day``, or None when none does.

    It is an agreement in force that day (``in_force_on``): signed on or before the day
    (附件2 五(一)), ``start <= day <= end`` (§七), and not terminated on or before the day.
    When renewal cycles overlap, the one that started last governs (the newer terms replace
    the older, §七 重新签订); equal starts are broken by the larger id (the later record).
    """
    in_force = [c for c in cycles if in_force_on(c, day)]
    if not in_force:
        return None
    return max(in_force, key=lambda c: (c.start, c.id))


@dataclass(frozen=True)
class GovernedSpan:
    """Consecutive days ``first``..``last`` (inclusive) all governed by one agreement."""

    first: date
    last: date
    agreement_id: int


def governed_spans(
    cycles: Iterable[AgreementFacts], first: date, last: date
) -> tuple[GovernedSpan, ...]:
    """The days from ``first`` through ``last`` split by the agreement governing them
    (``governing_agreement``), in date order; days no agreement governs are left out, so a
    statement or a budget pays nothing for them (§七: work is done under an agreement in force)."""
    cycles = list(cycles)
    if last < first:
        return ()
    # The governing agreement can change only on these days.
    edges = {first}
    for c in cycles:
        for day in (c.start, c.end + ONE_DAY, c.signed_on, c.terminated_on):
            if day is not None and first < day <= last:
                edges.add(day)
    starts = sorted(edges)
    spans: list[GovernedSpan] = []
    for index, start in enumerate(starts):
        end = starts[index + 1] - ONE_DAY if index + 1 < len(starts) else last
        governing = governing_agreement(cycles, start)
        if governing is None:
            continue
        if spans and spans[-1].agreement_id == governing.id and spans[-1].last + ONE_DAY == start:
            spans[-1] = GovernedSpan(spans[-1].first, end, governing.id)
        else:
            spans.append(GovernedSpan(start, end, governing.id))
    return tuple(spans)
