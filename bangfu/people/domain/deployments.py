"""Rules a deployment (派驻) must satisfy to be recorded: who may serve on a team, when, and with
which other deployments of the same expert it may share days. Pure functions.

Policy: §三(四) and A1-(1) (the helper hospital sends its own experts as a team), §七 and
附件2 五(一) (work is done under a signed agreement in force), A1-(16) (短期或临时医疗队 to
neighbouring recipient county hospitals, at weekends or between duties).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from bangfu.people.domain.experts import DeploymentKind

CLAUSE_TEAM = "§三(四)；附件1（一）"
CLAUSE_AGREEMENT = "§七；附件2 五(一)"
CLAUSE_SHORT_TRIP = "附件1（十六）"
ONE_DAY = timedelta(days=1)


def may_overlap(kind: DeploymentKind, other: DeploymentKind) -> bool:
    """Whether two deployments of one expert may share days.

    An expert is in one place at a time: two deployments that both put the expert on site
    (`DeploymentKind.on_site`) may not overlap, nor may two A1-(16) short trips. Remote help
    overlaps anything. A short trip to a neighbouring recipient hospital may overlap an on-site
    deployment (附件1（十六）: 利用周末或工作间隙 by experts already deployed).
    """
    if DeploymentKind.REMOTE in (kind, other):
        return True
    short_trips = (kind is DeploymentKind.SHORT_TRIP) + (other is DeploymentKind.SHORT_TRIP)
    return short_trips == 1


def helper_mismatch_message(expert_name: str, home_name: str, helper_name: str) -> str:
    """The refusal when an expert of another hospital joins a helper's team without a reason."""
    return (
        f"{expert_name}的派出单位是{home_name}，不是该帮扶队的帮扶医院{helper_name}；"
        f"帮扶队由帮扶医院选派本院专家组成（{CLAUSE_TEAM}），"
        "确需例外派驻请填写例外原因"
    )


@dataclass(frozen=True)
class Span:
    first: date
    last: date


def first_ungoverned_days(governed: Iterable[Span], first: date, last: date) -> Span | None:
    """The first run of days in `first`..`last` that no governed span covers, or None when the
    governed spans (from `partnerships.domain.actions.governed_spans`) cover every day."""
    day = first
    for span in sorted(governed, key=lambda s: s.first):
        if span.last < day:
            continue
        if span.first > day:
            return Span(day, min(span.first - ONE_DAY, last))
        day = span.last + ONE_DAY
        if day > last:
            return None
    return Span(day, last) if day <= last else None


def refused_days(
    governed: Iterable[Span], first: date, last: date, renewable_after: date | None
) -> Span | None:
    """The days that make a deployment `first`..`last` unacceptable, or None.

    The start and every day up to the end of the partnership's last signed, unterminated
    agreement (`renewable_after`) must be governed (§七; 附件2 五(一)). Days after that end are
    accepted: the renewal (§七 期满后重新签订，避免帮扶断档) will govern them, and until it is
    signed the statement pays nothing for them and says why.
    """
    gap = first_ungoverned_days(governed, first, last)
    if gap is None:
        return None
    if renewable_after is not None and first < gap.first and gap.first > renewable_after:
        return None
    return gap


@dataclass(frozen=True)
class AgreementDates:
    cycle_number: int
    start: date
    end: date
    signed_on: date | None
    terminated_on: date | None

    @property
    def text(self) -> str:
        state = f"{self.signed_on:%Y-%m-%d}签订" if self.signed_on else "未签订"
        if self.terminated_on:
            state += f"，{self.terminated_on:%Y-%m-%d}终止"
        return f"第{self.cycle_number}期 {self.start:%Y-%m-%d}至{self.end:%Y-%m-%d}（{state}）"


def ungoverned_message(gap: Span, agreements: Iterable[AgreementDates]) -> str:
    """The refusal of a deployment with days no signed agreement in force governs."""
    listed = "；".join(a.text for a in sorted(agreements, key=lambda a: a.cycle_number))
    return (
        f"{gap.first:%Y-%m-%d}至{gap.last:%Y-%m-%d}不在该帮扶关系已签订且有效的帮扶协议期内"
        f"（{listed or '该帮扶关系尚无协议'}）；派驻须在协议期内（{CLAUSE_AGREEMENT}）"
    )
