"""Agreement lifecycle: status on a day, the default 3-year cycle, renewal and gaps (断档).

Policy: §七 (每3年为一个周期，期满后重新签订帮扶协议，避免帮扶断档) and §三(一) (已经到期或过期的
协议要及时进行跟进续签). Pure functions; ``today`` is always a parameter.

Conventions relied on by selectors, dashboards and documents:
- An agreement is in force on every day from ``start`` through ``end``, both inclusive, once it
  is signed (``signed_on <= day``) and until it is terminated (``terminated_on`` is the first day
  it is no longer in force).
- Expiring (product decision, also in the policy file's [cycle]): an agreement in force is
  expiring when ``0 <= (end - today).days < window_days``; with 90 days and end 2027-12-31 the
  first expiring day is 2027-10-03 (= end - 89 days).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Generic, TypeVar

ONE_DAY = timedelta(days=1)
CLAUSE_CYCLE = "§七"
CLAUSE_RENEWAL = "§三(一)"

PairKey = TypeVar("PairKey", bound=Hashable)


class AgreementStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    ACTIVE = "active"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    RENEWED = "renewed"
    TERMINATED = "terminated"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def in_force(self) -> bool:
        return self in (AgreementStatus.ACTIVE, AgreementStatus.EXPIRING)


_STATUS_LABELS = {
    AgreementStatus.DRAFT: "草稿",
    AgreementStatus.SIGNED: "已签署待生效",
    AgreementStatus.ACTIVE: "执行中",
    AgreementStatus.EXPIRING: "即将到期",
    AgreementStatus.EXPIRED: "已到期",
    AgreementStatus.RENEWED: "已续签",
    AgreementStatus.TERMINATED: "已终止",
}


@dataclass(frozen=True)
class AgreementFacts:
    """What the lifecycle rules need to know about one agreement (one cycle of a partnership).

    ``terminated_on`` is the first day the agreement is no longer in force; ``has_next_cycle``
    is true when a later cycle of the same partnership exists (signed or not).
    """

    id: int
    partnership_id: int
    start: date
    end: date
    signed_on: date | None = None
    terminated_on: date | None = None
    termination_reason: str = ""
    has_next_cycle: bool = False


@dataclass(frozen=True)
class StatusResult:
    status: AgreementStatus
    reasons: tuple[str, ...]
    days_until_end: int | None = None


@dataclass(frozen=True)
class RenewalPrefill:
    start: date
    end: date
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Gap(Generic[PairKey]):
    """Days on which a helper–recipient pair had no agreement in force (断档, §七).

    ``first_day``..``last_day`` inclusive; ``days`` = their count (≥ 1). A trailing gap
    (``before_agreement_id`` None) runs from the day after the last cycle through ``today``.
    """

    pair: PairKey
    after_agreement_id: int
    before_agreement_id: int | None
    first_day: date
    last_day: date
    days: int
    reasons: tuple[str, ...]

    @property
    def trailing(self) -> bool:
        return self.before_agreement_id is None


@dataclass(frozen=True)
class UnpairedRecipient(Generic[PairKey]):
    """A recipient with no agreement in force today (§三(二))."""

    recipient: PairKey
    days_since_last_end: int | None
    last_agreement_id: int | None
    next_start: date | None
    reasons: tuple[str, ...]


def _iso(day: date) -> str:
    return day.isoformat()


def is_signed_on(facts: AgreementFacts, day: date) -> bool:
    """An agreement counts as signed on ``day`` when its signature date is on or before it
    (A2-五(一): 本协议经甲乙丙三方签字、盖章后生效)."""
    return facts.signed_on is not None and facts.signed_on <= day


def last_day_in_force(facts: AgreementFacts) -> date:
    """The last day of the agreement's period: ``end``, or the day before ``terminated_on``
    when it was terminated early. Before ``start`` when terminated before it began."""
    if facts.terminated_on is not None and facts.terminated_on <= facts.end:
        return facts.terminated_on - ONE_DAY
    return facts.end


def in_force_span(facts: AgreementFacts) -> tuple[date, date] | None:
    """The days the agreement is in force, first and last inclusive, or None when there are
    none: from its start, or its signature when signed later (A2-五(一): it takes effect once
    signed), through its last day in force (§七: it covers its period, up to an early
    termination). ``in_force_on`` is membership of this span."""
    if facts.signed_on is None:
        return None
    first = max(facts.start, facts.signed_on)
    last = last_day_in_force(facts)
    return (first, last) if first <= last else None


def in_force_on(facts: AgreementFacts, day: date) -> bool:
    """True when the agreement is signed by ``day``, ``start <= day <= end`` (both days
    inclusive) and it was not terminated on or before ``day`` (§七: an agreement covers its
    period; A2-五(一): it takes effect once signed)."""
    span = in_force_span(facts)
    return span is not None and span[0] <= day <= span[1]


def status_kind(facts: AgreementFacts, today: date, window_days: int) -> AgreementStatus:
    """The agreement's status on ``today`` (§七 cycle, §三(一) timely renewal), without the
    reasons `agreement_status` gives for it (for reads that judge many agreements on many days).

    In order of precedence:
    - terminated: ``terminated_on <= today`` (even if a next cycle exists; the reasons say so);
    - draft: not signed on or before ``today``;
    - signed: signed, ``today < start``;
    - renewed: ``today > end`` and a next cycle exists;
    - expired: ``today > end`` and no next cycle;
    - expiring: ``0 <= (end - today).days < window_days`` (start and end days are in force);
    - active: otherwise (``start <= today <= end``).
    """
    if window_days < 0:
        raise ValueError("window_days must not be negative")
    if facts.terminated_on is not None and facts.terminated_on <= today:
        return AgreementStatus.TERMINATED
    if not is_signed_on(facts, today):
        return AgreementStatus.DRAFT
    if today < facts.start:
        return AgreementStatus.SIGNED
    if today > facts.end:
        return AgreementStatus.RENEWED if facts.has_next_cycle else AgreementStatus.EXPIRED
    if (facts.end - today).days < window_days:
        return AgreementStatus.EXPIRING
    return AgreementStatus.ACTIVE


def agreement_status(facts: AgreementFacts, today: date, window_days: int) -> StatusResult:
    """The agreement's status on ``today`` (`status_kind`, which holds the order of
    precedence) with the reasons shown for it."""
    status = status_kind(facts, today, window_days)
    if status is AgreementStatus.TERMINATED and facts.terminated_on is not None:
        reasons = [f"协议已于{_iso(facts.terminated_on)}终止"]
        if facts.termination_reason.strip():
            reasons.append(f"终止原因：{facts.termination_reason.strip()}")
        if facts.has_next_cycle:
            reasons.append(f"已有下一周期协议（{CLAUSE_RENEWAL}）")
        return StatusResult(status, tuple(reasons))
    if status is AgreementStatus.DRAFT:
        return StatusResult(status, ("协议尚未经甲乙丙三方签字、盖章，未生效（附件2 五(一)）",))
    days_until_end = (facts.end - today).days
    if status is AgreementStatus.SIGNED:
        reason = f"协议已签署，将于{_iso(facts.start)}开始执行"
    elif status is AgreementStatus.RENEWED:
        reason = (
            f"协议已于{_iso(facts.end)}期满，已签订下一周期协议"
            f"（{CLAUSE_CYCLE}：期满后重新签订帮扶协议）"
        )
    elif status is AgreementStatus.EXPIRED:
        reason = (
            f"协议已于{_iso(facts.end)}期满，尚无下一周期协议，应及时跟进续签"
            f"（{CLAUSE_RENEWAL}；{CLAUSE_CYCLE}：避免帮扶断档）"
        )
    elif status is AgreementStatus.EXPIRING:
        reason = (
            f"协议将于{_iso(facts.end)}期满，距期满还有{days_until_end}天，"
            f"已进入期满前{window_days}天提醒期，应及时跟进续签（{CLAUSE_RENEWAL}）"
        )
    else:
        reason = f"协议执行中（{_iso(facts.start)}至{_iso(facts.end)}）"
    return StatusResult(status, (reason,), days_until_end)


def anniversary(start: date, years: int) -> date:
    """The ``years``-th anniversary of ``start``; a 29 February start has its anniversary on
    28 February in a non-leap year (so 2024-02-29 + 1 year → 2025-02-28)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def cycle_default_end(start: date, years: int) -> date:
    """Default end of a cycle starting on ``start``: the day before the ``years``-th
    anniversary (§七: 每3年为一个周期), so the cycle lasts exactly ``years`` years counting
    both ends: 2025-01-01 → 2027-12-31; 2024-02-29 → 2027-02-27 (anniversary 2027-02-28)."""
    if years < 1:
        raise ValueError("years must be at least 1")
    return anniversary(start, years) - ONE_DAY


def renewal_prefill(previous: AgreementFacts, years: int) -> RenewalPrefill:
    """Dates proposed for the next cycle (§七 期满后重新签订, §三(一) 跟进续签): it starts the
    day after the previous one's last day in force (its ``end``, or the day before its
    termination) so no day is left uncovered, and ends by ``cycle_default_end``."""
    start = last_day_in_force(previous) + ONE_DAY
    end = cycle_default_end(start, years)
    return RenewalPrefill(
        start=start,
        end=end,
        reasons=(
            f"下一周期自上一周期结束次日{_iso(start)}开始，避免帮扶断档（{CLAUSE_CYCLE}）",
            f"周期为{years}年，至{_iso(end)}止（{CLAUSE_CYCLE}）",
        ),
    )


def _signed_periods(cycles: Iterable[AgreementFacts], today: date) -> list[AgreementFacts]:
    """Cycles that count for gaps: signed by ``today`` and not terminated before they began;
    sorted by start, then id (deterministic)."""
    kept = [c for c in cycles if is_signed_on(c, today) and last_day_in_force(c) >= c.start]
    return sorted(kept, key=lambda c: (c.start, c.id))


def find_gaps(
    cycles_by_pair: Mapping[PairKey, Sequence[AgreementFacts]], today: date
) -> list[Gap[PairKey]]:
    """Gaps (断档, §七 避免帮扶断档) in each helper–recipient pair's chain of cycles.

    Only cycles signed by ``today`` count (a draft does not close a gap); a terminated cycle
    counts up to the day before its termination. Walking the cycles by start date, a gap
    exists when the next cycle starts later than the day after the latest day covered so
    far; its length is the number of days in between with no agreement in force (overlapping
    cycles make no gap). A trailing gap runs from the day after the last covered day through
    ``today`` when that day has passed and no cycle follows. Sorted by first day, then the
    agreement it follows.
    """
    gaps: list[Gap[PairKey]] = []
    for pair, cycles in cycles_by_pair.items():
        ordered = _signed_periods(cycles, today)
        if not ordered:
            continue
        covered_until = last_day_in_force(ordered[0])
        covered_by = ordered[0].id
        for cycle in ordered[1:]:
            if cycle.start > covered_until + ONE_DAY:
                first, last = covered_until + ONE_DAY, cycle.start - ONE_DAY
                days = (last - first).days + 1
                gaps.append(
                    Gap(
                        pair=pair,
                        after_agreement_id=covered_by,
                        before_agreement_id=cycle.id,
                        first_day=first,
                        last_day=last,
                        days=days,
                        reasons=(
                            f"{_iso(first)}至{_iso(last)}共{days}天无有效帮扶协议，"
                            f"出现帮扶断档（{CLAUSE_CYCLE}）",
                        ),
                    )
                )
            if last_day_in_force(cycle) > covered_until:
                covered_until = last_day_in_force(cycle)
                covered_by = cycle.id
        if covered_until < today:
            first = covered_until + ONE_DAY
            days = (today - covered_until).days
            gaps.append(
                Gap(
                    pair=pair,
                    after_agreement_id=covered_by,
                    before_agreement_id=None,
                    first_day=first,
                    last_day=today,
                    days=days,
                    reasons=(
                        f"上一周期协议于{_iso(covered_until)}结束，至今{days}天未续签，"
                        f"应及时跟进续签（{CLAUSE_RENEWAL}；{CLAUSE_CYCLE}）",
                    ),
                )
            )
    return sorted(gaps, key=lambda g: (g.first_day, g.after_agreement_id))


def recipients_without_helper(
    agreements_by_recipient: Mapping[PairKey, Sequence[AgreementFacts]], today: date
) -> list[UnpairedRecipient[PairKey]]:
    """Recipients with no agreement in force on ``today`` (§三(二) 尚未建立帮扶关系的医院;
    §三(一) 到期协议及时续签).

    Pass every recipient as a key (an empty sequence for one never paired). For each one
    without an agreement in force: days since the last signed agreement's last day in force
    (None if it never had one that ended), and the start of a signed future agreement if any.
    Sorted by days without a helper, longest first (never paired first), then by key order.
    """
    result: list[UnpairedRecipient[PairKey]] = []
    for recipient, agreements in agreements_by_recipient.items():
        if any(in_force_on(a, today) for a in agreements):
            continue
        signed = _signed_periods(agreements, today)
        ended = [a for a in signed if last_day_in_force(a) < today]
        upcoming = [a for a in signed if a.start > today]
        last = max(ended, key=lambda a: (last_day_in_force(a), a.id), default=None)
        next_start = min((a.start for a in upcoming), default=None)
        reasons: list[str] = []
        if last is None:
            days_since = None
            reasons.append("从未建立有效帮扶关系，应积极寻找省外三甲医院帮扶资源（§三(二)）")
        else:
            days_since = (today - last_day_in_force(last)).days
            reasons.append(
                f"最近一份协议于{_iso(last_day_in_force(last))}结束，已{days_since}天无帮扶，"
                f"应及时跟进续签（{CLAUSE_RENEWAL}）"
            )
        if next_start is not None:
            reasons.append(f"已签署的协议将于{_iso(next_start)}开始执行")
        result.append(
            UnpairedRecipient(
                recipient=recipient,
                days_since_last_end=days_since,
                last_agreement_id=None if last is None else last.id,
                next_start=next_start,
                reasons=tuple(reasons),
            )
        )
    order = {key: index for index, key in enumerate(agreements_by_recipient)}
    return sorted(
        result,
        key=lambda r: (
            r.days_since_last_end is not None,
            -(r.days_since_last_end or 0),
            order[r.recipient],
        ),
    )
