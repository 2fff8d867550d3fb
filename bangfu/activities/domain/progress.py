"""Progress of an agreement against its chosen measures, one calendar year at a time (F8).

The period of an agreement-year is the calendar year ``year`` cut to the days the agreement was
in force (``start`` .. ``last_day``). Only CONFIRMED activities count towards ``achieved``;
unconfirmed ones are counted the same way into ``unconfirmed`` and shown beside it.

How each target is counted (the agreement's own target value, filled in from Annex 1):

- A1-(7) 每年力争完善制度规范不少于10项: target ``rules_per_year``; achieved = the documents
  (规章制度, quantity ``documents``) recorded in the period. A yearly target.
- A1-(3) 每年帮助提升1个临床专科能力: target ``specialties_per_year``; achieved = the
  specialties (专科建设, quantity ``specialties``) recorded in the period. A yearly target.
- A1-(2) 用3年时间建强建好“五大中心”: target ``centres`` over ``years`` years from the
  agreement's start; achieved = the distinct centres (中心建设, attribute ``centre``) recorded at
  stage 通过省级 or 通过国家级 from the start through the period's end. A target over years, so
  the expected share grows over the whole span, not each year.
- A1-(15) 3X: each member links ≥ ``departments_per_member`` departments without a resident
  expert; target = that number × the team size agreed under A1-(1) (``team_size``; the policy's
  minimum team when A1-(1) is not chosen); achieved = the distinct departments named on the
  activities counting towards A1-(15) (远程会诊, 远程查房) in the period. A yearly target.
- Any other measure states no number (its target is the qualitative 年度工作目标): target None;
  achieved = the number of confirmed activities counting towards it in the period.

Status, in this order:
1. 达成 (met): a numeric target and achieved ≥ target.
2. 无记录 (no record): no confirmed activity counting towards the measure in the counted span.
3. 进度正常 (on track): a qualitative measure with a confirmed activity; or a numeric one with
   achieved ≥ target × elapsed / span, where elapsed is the days of the span up to and
   including ``today`` (all of it once the span is over) — pro rata by the elapsed fraction.
4. 滞后 (behind): otherwise.
Exact integer arithmetic (achieved × span ≥ target × elapsed), no rounding.

Only 4. depends on the day. For a numeric target with achieved < target and a record,
behind ⇔ achieved × span < target × elapsed ⇔ elapsed > k with k = ⌊achieved × span / target⌋
(k < span) ⇔ today ≥ first + k (elapsed counts the days first..today). For A1-(2) the span is
the whole one from the agreement's start (``whole_first``) and the days counted stop at the
year's ``last``: behind ⇔ min(today, last) ≥ whole_first + k, i.e. from whole_first + k when
that day is ≤ ``last``, else never that year. So a measure-year is stored without a day
(``MeasureYear``: target, achieved, unconfirmed, ``met``, ``any_record``, ``behind_from``) and
``status_on`` gives its status on any day — the one rule, used by ``year_progress`` too
(ADR 0020).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from bangfu.policy.domain.activities import ActivityCatalogue

CENTRE_STAGES_REACHED = ("通过省级", "通过国家级")
CENTRE_KIND = "centre_building"  # A1-(2), the one measure counted from the agreement's start
RULES_KIND = "rules"  # A1-(7), counts quantity ``documents``
SPECIALTY_KIND = "specialty_building"  # A1-(3), counts quantity ``specialties``
QUANTITY_KINDS = (RULES_KIND, SPECIALTY_KIND)  # the only kinds whose quantities progress reads


class ProgressStatus(StrEnum):
    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    NO_RECORD = "no_record"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    ProgressStatus.MET: "达成",
    ProgressStatus.ON_TRACK: "进度正常",
    ProgressStatus.BEHIND: "滞后",
    ProgressStatus.NO_RECORD: "无记录",
}


@dataclass(frozen=True)
class ActivityFact:
    day: date
    kind: str
    quantities: Mapping[str, int]
    attributes: Mapping[str, str]
    department: str
    confirmed: bool


@dataclass(frozen=True)
class AgreementTerms:
    """What progress needs of an agreement: its days in force and its chosen measures' targets
    (code → target key → value as stored, e.g. {"M07": {"rules_per_year": "10"}})."""

    start: date
    last_day: date
    measures: Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class MeasureYear:
    """One measure of an agreement-year without a day: what is stored (ADR 0020). ``met``:
    a numeric target reached; ``any_record``: a confirmed activity counts towards it;
    ``behind_from``: the first day it is 滞后 (None: never that year)."""

    code: str
    target: int | None
    achieved: int
    unconfirmed: int
    met: bool
    any_record: bool
    behind_from: date | None
    rule: str


@dataclass(frozen=True)
class MeasureProgress(MeasureYear):
    """A measure-year with its status on one day (``status_on``)."""

    status: ProgressStatus


@dataclass(frozen=True)
class AgreementYear:
    """An agreement's measure-years of a calendar year (first..last: the days in force)."""

    year: int
    first: date
    last: date
    measures: tuple[MeasureYear, ...]


@dataclass(frozen=True)
class YearProgress:
    year: int
    first: date
    last: date
    measures: tuple[MeasureProgress, ...]


def _whole(value: str | None, default: int) -> int:
    if value is None:
        return default
    try:
        number = Decimal(value)
    except InvalidOperation:
        return default
    return int(number) if number.is_finite() else default


def _behind_from(
    target: int | None, achieved: int, any_record: bool, span_first: date, span: int, last: date
) -> date | None:
    """The first day the measure is behind (module docstring): with k = ⌊achieved × span /
    target⌋, ``span_first + k`` when that is not after ``last``; None when it is never behind
    (qualitative, met, or no record — those statuses come first)."""
    if target is None or achieved >= target or not any_record:
        return None
    k = achieved * span // target  # target > achieved >= 0
    day = span_first + timedelta(days=k)
    return day if day <= last else None


def status_on(measure: MeasureYear, day: date) -> ProgressStatus:
    """The measure's status on ``day`` (the order of the module docstring)."""
    if measure.met:
        return ProgressStatus.MET
    if not measure.any_record:
        return ProgressStatus.NO_RECORD
    if measure.behind_from is not None and day >= measure.behind_from:
        return ProgressStatus.BEHIND
    return ProgressStatus.ON_TRACK


def first_behind_day(measures: Iterable[MeasureYear]) -> date | None:
    """The first day the agreement-year is 滞后 on at least one measure (``status_on``): the
    earliest ``behind_from`` of its measures neither met nor without a record (those statuses
    come first); None when it is never behind. Stored per agreement-year, so that the goals
    panel's "behind" and the province's counts need no measure rows (ADR 0020)."""
    return min(
        (
            m.behind_from
            for m in measures
            if not m.met and m.any_record and m.behind_from is not None
        ),
        default=None,
    )


def _measure(
    code: str,
    target: int | None,
    achieved: int,
    unconfirmed: int,
    any_record: bool,
    rule: str,
    *,
    span_first: date,
    span_last: date,
    last: date,
) -> MeasureYear:
    span = (span_last - span_first).days + 1
    return MeasureYear(
        code=code,
        target=target,
        achieved=achieved,
        unconfirmed=unconfirmed,
        met=target is not None and achieved >= target,
        any_record=any_record,
        behind_from=_behind_from(target, achieved, any_record, span_first, span, last),
        rule=rule,
    )


def _anniversary(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _in(
    facts: Iterable[ActivityFact], first: date, last: date, kinds: set[str]
) -> list[ActivityFact]:
    return [f for f in facts if f.kind in kinds and first <= f.day <= last]


def _sum(facts: Iterable[ActivityFact], quantity: str) -> int:
    return sum(f.quantities.get(quantity, 0) for f in facts)


def _centres(facts: Iterable[ActivityFact]) -> int:
    return len(
        {
            f.attributes.get("centre", "")
            for f in facts
            if f.attributes.get("stage") in CENTRE_STAGES_REACHED and f.attributes.get("centre")
        }
    )


def _departments(facts: Iterable[ActivityFact]) -> int:
    return len({f.department.strip() for f in facts if f.department.strip()})


def agreement_year(
    terms: AgreementTerms,
    year: int,
    activities: Iterable[ActivityFact],
    catalogue: ActivityCatalogue,
    *,
    default_team_size: int,
) -> AgreementYear | None:
    """Every chosen measure of the agreement with target, achieved, unconfirmed and what its
    status on any day needs, for the calendar ``year`` (rules in the module docstring); None
    when the agreement was not in force on any day of that year."""
    first = max(terms.start, date(year, 1, 1))
    last = min(terms.last_day, date(year, 12, 31))
    if last < first:
        return None
    facts = list(activities)
    confirmed = [f for f in facts if f.confirmed]
    pending = [f for f in facts if not f.confirmed]
    yearly = {"span_first": first, "span_last": last, "last": last}
    results = []
    for code in sorted(terms.measures):
        targets = terms.measures[code]
        kinds = {k.code for k in catalogue.kinds_for_measure(code)}
        if code == "M07":
            rule = "A1-(7)：本年度完善制度规范项数（规章制度）"
            done = _in(confirmed, first, last, {RULES_KIND})
            achieved = _sum(done, "documents")
            unconfirmed = _sum(_in(pending, first, last, {RULES_KIND}), "documents")
            target = _whole(targets.get("rules_per_year"), 10)
            measure = _measure(code, target, achieved, unconfirmed, bool(done), rule, **yearly)
        elif code == "M03":
            rule = "A1-(3)：本年度能力提升的临床专科数（专科建设）"
            kind = {SPECIALTY_KIND}
            done = _in(confirmed, first, last, kind)
            achieved = _sum(done, "specialties")
            unconfirmed = _sum(_in(pending, first, last, kind), "specialties")
            target = _whole(targets.get("specialties_per_year"), 1)
            measure = _measure(code, target, achieved, unconfirmed, bool(done), rule, **yearly)
        elif code == "M02":
            years = max(1, _whole(targets.get("years"), 3))
            rule = f"A1-(2)：协议开始以来通过省级或国家级的急诊急救中心数（{years}年目标）"
            kind = {CENTRE_KIND}
            whole_first = terms.start
            whole_last = _anniversary(terms.start, years) - timedelta(days=1)
            done = _in(confirmed, whole_first, last, kind)
            achieved = _centres(done)
            unconfirmed = max(0, _centres(done + _in(pending, whole_first, last, kind)) - achieved)
            target = _whole(targets.get("centres"), 5)
            measure = _measure(
                code,
                target,
                achieved,
                unconfirmed,
                bool(done),
                rule,
                span_first=whole_first,
                span_last=whole_last,
                last=last,
            )
        elif code == "M15":
            team = terms.measures.get("M01", {}).get("team_size")
            per_member = _whole(targets.get("departments_per_member"), 3)
            rule = f"A1-(15)：本年度远程协作覆盖的临床科室数（每名队员{per_member}个）"
            done = _in(confirmed, first, last, kinds)
            achieved = _departments(done)
            unconfirmed = max(0, _departments(done + _in(pending, first, last, kinds)) - achieved)
            target = per_member * _whole(team, default_team_size)
            measure = _measure(code, target, achieved, unconfirmed, bool(done), rule, **yearly)
        else:
            rule = "本年度计入该措施的已确认活动条数（定性目标）"
            done = _in(confirmed, first, last, kinds)
            unconfirmed = len(_in(pending, first, last, kinds))
            measure = _measure(code, None, len(done), unconfirmed, bool(done), rule, **yearly)
        results.append(measure)
    return AgreementYear(year=year, first=first, last=last, measures=tuple(results))


def progress_on(row: AgreementYear, day: date) -> YearProgress:
    """The agreement-year with each measure's status on ``day`` (``status_on``)."""
    return YearProgress(
        year=row.year,
        first=row.first,
        last=row.last,
        measures=tuple(
            MeasureProgress(
                code=m.code,
                target=m.target,
                achieved=m.achieved,
                unconfirmed=m.unconfirmed,
                met=m.met,
                any_record=m.any_record,
                behind_from=m.behind_from,
                rule=m.rule,
                status=status_on(m, day),
            )
            for m in row.measures
        ),
    )


def year_progress(
    terms: AgreementTerms,
    year: int,
    activities: Iterable[ActivityFact],
    catalogue: ActivityCatalogue,
    *,
    today: date,
    default_team_size: int,
) -> YearProgress | None:
    """``agreement_year`` with each measure's status on ``today``; None when the agreement was
    not in force on any day of that year."""
    row = agreement_year(terms, year, activities, catalogue, default_team_size=default_team_size)
    return None if row is None else progress_on(row, today)
