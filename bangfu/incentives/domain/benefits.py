"""Benefits owed to one expert for one period (§六; A2-四(三)).

Each rule is a function returning a `BenefitLine` (or None when the benefit does
not apply); `benefits_statement` assembles them. Amounts are rounded per line,
half up to 0.01 yuan, and the statement total is the sum of the rounded lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from bangfu.incentives.domain.rates import IncentiveRates
from bangfu.people.domain.experts import Degree, Deployment, Expert, Title
from bangfu.policy.domain.money import exact_ratio, round_money, yuan
from bangfu.policy.domain.periods import (
    CalendarMonth,
    Period,
    days_in_year,
    months_touching,
    overlap,
    overlap_days,
)


class BenefitItem(StrEnum):
    SALARY_TOP_UP = "salary_top_up"
    MONTHLY_SUBSIDY = "monthly_subsidy"
    SETTLING_IN = "settling_in"
    TRAVEL = "travel"
    WORK_FUND = "work_fund"


@dataclass(frozen=True)
class BenefitLine:
    item: BenefitItem
    amount: Decimal
    clause: str
    reason: str


@dataclass(frozen=True)
class TravelClaim:
    """One round trip between the home city and the recipient county (往返交通费)."""

    date: date
    amount: Decimal

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError("交通费金额不能为负数")


@dataclass(frozen=True)
class RejectedClaim:
    claim: TravelClaim
    index: int
    """Position of the claim in the input, so callers can point at it."""
    reason: str


@dataclass(frozen=True)
class TravelDecision:
    lines: tuple[BenefitLine, ...]
    """One line per reimbursed claim, by date (ties by input order)."""
    rejected: tuple[RejectedClaim, ...]
    """In input order."""


@dataclass(frozen=True)
class BenefitsStatement:
    period: Period
    lines: tuple[BenefitLine, ...]
    rejected_claims: tuple[RejectedClaim, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


def _cite(clause: str) -> str:
    return f"（依据{clause}）"


def top_up_applies(deployment: Deployment, rates: IncentiveRates) -> bool:
    """Salary top-up is for resident deployments covering one year (§六; A2-四(三)2)."""
    return deployment.resident_for_years(rates.top_up_min_resident_years)


def salary_top_up(
    expert: Expert,
    deployment: Deployment,
    period: Period,
    rates: IncentiveRates,
    home_pay_in_period: Decimal | None = None,
) -> BenefitLine | None:
    """Top-up of pay to 1.5× the pre-dispatch year's pay (§六; A2-四(三)2).

    For a resident deployment covering one year ("常驻1年以上") and a period
    inside one calendar year: max(0, 1.5 × P × d / Y − H), where P is the pay at
    the home hospital in the year before dispatch (performance pay included), d
    the days lying both in the period and in the deployment, Y the days of that
    year (365/366) and H the home pay received for the period, by default
    P × d / Y. Rounded once, half up, to 0.01 yuan.

    None when the top-up does not apply (not resident, under one year, or no day
    on site in the period). The line may be 0.00 when H already exceeds 1.5×.
    """
    _require_one_calendar_year(period)
    if not top_up_applies(deployment, rates):
        return None
    days = overlap_days(period, deployment.span)
    if days == 0:
        return None
    year_days = days_in_year(period.start.year)
    pay = expert.prior_year_pay
    multiplier = rates.top_up_multiplier
    clause = rates.clauses.salary_top_up
    if home_pay_in_period is None:
        # (m·P·d − P·d) / Y: one division, so nothing is rounded before the end.
        raw = exact_ratio((multiplier - 1) * pay * days, year_days)
        home_text = f"{yuan(pay)}×{days}/{year_days}（原单位薪酬按天折算）"
    else:
        if home_pay_in_period < 0:
            raise ValueError("期间内原单位所得不能为负数")
        raw = exact_ratio(multiplier * pay * days - home_pay_in_period * year_days, year_days)
        home_text = f"{yuan(home_pay_in_period)}（期间内原单位所得）"
    amount = round_money(max(Decimal(0), raw), rates.money_quantum)
    reason = (
        f"常驻满{rates.top_up_min_resident_years}年，按派驻前一年度薪酬（含绩效）的"
        f"{multiplier}倍补足差额：{multiplier}×{yuan(pay)}×{days}/{year_days} − {home_text}"
        f" = {yuan(amount)}元；本期在岗{days}天"
    )
    if raw <= 0:
        reason += "；原单位所得已不低于1.5倍标准，无需补足"
    return BenefitLine(BenefitItem.SALARY_TOP_UP, amount, clause, reason + _cite(clause))


def monthly_subsidy_rate(expert: Expert, rates: IncentiveRates) -> tuple[Decimal, str]:
    """Monthly subsidy rate and its basis by title or degree (§六; A2-四(三)6).

    正高 or 博士 → 1000 yuan; otherwise 副高 or 硕士 → 600 yuan; otherwise 0.
    """
    if expert.title is Title.SENIOR:
        return rates.monthly_subsidy_senior, "正高职称"
    if expert.degree is Degree.DOCTORATE:
        return rates.monthly_subsidy_senior, "博士研究生"
    if expert.title is Title.ASSOCIATE_SENIOR:
        return rates.monthly_subsidy_associate, "副高职称"
    if expert.degree is Degree.MASTER:
        return rates.monthly_subsidy_associate, "硕士研究生"
    return Decimal(0), "无正高、副高职称或博士、硕士学位"


def month_counts_for_subsidy(month: CalendarMonth, on_site_days: int) -> bool:
    """A month counts when the days on site are at least half of its days.

    ≥14 of 28, ≥15 of 29 (14.5), ≥15 of 30, ≥16 of 31 (15.5). Product decision
    for "每月补贴" (§六; A2-四(三)6).
    """
    return 2 * on_site_days >= month.days


def _in_month(days: Period, month: CalendarMonth) -> Period:
    """The days of `days` in `month` (callers pass a month `days` touches)."""
    return Period(max(days.start, month.first_day), min(days.end, month.last_day))


def _merged(periods: Sequence[Period]) -> list[Period]:
    merged: list[Period] = []
    for p in sorted(periods, key=lambda p: p.start):
        if merged and p.start <= merged[-1].end + _ONE_DAY:
            merged[-1] = Period(merged[-1].start, max(merged[-1].end, p.end))
        else:
            merged.append(p)
    return merged


def subsidy_months(
    deployment: Deployment, period: Period, recognised: Sequence[Period] | None = None
) -> tuple[CalendarMonth, ...]:
    """Calendar months that count for the monthly subsidy (see `month_counts_for_subsidy`).

    Days counted are those lying in the month, the period and the deployment, and, when
    `recognised` is given, in a recognition in force (表现突出认定, §六): each month depends only
    on the recognitions in force in that month, so a later recognition or withdrawal never
    changes an earlier month. Remote deployments and A1-(16) short trips never count.
    """
    if not deployment.kind.on_site:
        return ()
    on_site = overlap(period, deployment.span)
    if on_site is None:
        return ()
    spans = [on_site] if recognised is None else _merged(recognised)
    return tuple(
        month
        for month in months_touching(on_site)
        if month_counts_for_subsidy(
            month,
            sum(overlap_days(_in_month(on_site, month), span) for span in spans),
        )
    )


def monthly_subsidy(
    expert: Expert, deployment: Deployment, period: Period, rates: IncentiveRates
) -> BenefitLine | None:
    """Monthly subsidy for outstanding performers on site (§六; A2-四(三)6).

    1000 yuan a month for 正高 or 博士, 600 for 副高 or 硕士, only for experts
    recognised as outstanding (表现突出) and on an on-site deployment (every kind
    but remote). A month counts when at least half its days are on site. None
    when it does not apply or no month counts.
    """
    if expert.recognised is None and not expert.outstanding:
        return None
    if not deployment.kind.on_site:
        return None
    rate, basis = monthly_subsidy_rate(expert, rates)
    if rate <= 0:
        return None
    months = subsidy_months(deployment, period, expert.recognised)
    if not months:
        return None
    clause = rates.clauses.monthly_subsidy
    amount = round_money(rate * len(months), rates.money_quantum)
    month_list = "、".join(month.label for month in months)
    reason = (
        f"表现突出、{basis}，每月补贴{yuan(rate)}元 × {len(months)}个月 = {yuan(amount)}元"
        f"（在岗不少于半月的月份：{month_list}）"
    )
    return BenefitLine(BenefitItem.MONTHLY_SUBSIDY, amount, clause, reason + _cite(clause))


def settling_in_allowance(
    deployment: Deployment, period: Period, rates: IncentiveRates
) -> BenefitLine | None:
    """One-off 2000 yuan for daily necessities on arrival (§六; A2-四(三)5).

    Paid once, in the period containing the deployment start, for resident
    deployments covering one year (same condition as the salary top-up).
    """
    if not top_up_applies(deployment, rates) or not period.contains(deployment.start):
        return None
    clause = rates.clauses.settling_in
    amount = round_money(rates.settling_in_allowance, rates.money_quantum)
    reason = (
        f"常驻满{rates.top_up_min_resident_years}年，到岗（{deployment.start.isoformat()}）"
        f"一次性报销生活必需品费用{yuan(amount)}元"
    )
    return BenefitLine(BenefitItem.SETTLING_IN, amount, clause, reason + _cite(clause))


def travel_reimbursement(
    deployment: Deployment,
    period: Period,
    claims: Sequence[TravelClaim],
    rates: IncentiveRates,
) -> TravelDecision:
    """Round trips reimbursed at their actual cost, one a month (§六; A2-四(三)4).

    Only on-site deployments (every kind but remote). In each calendar month the
    earliest claim (ties by input order) lying in both the period and the
    deployment is reimbursed in full; later claims that month, claims outside the
    period or the deployment, and every claim under a remote deployment are
    rejected with a reason.
    """
    clause = rates.clauses.travel
    limit = rates.travel_claims_per_month
    rejected: list[RejectedClaim] = []
    eligible: list[tuple[int, TravelClaim]] = []
    for index, claim in enumerate(claims):
        if not deployment.kind.on_site:
            reason = f"{deployment.kind.label}帮扶不在受扶地驻点，不报销往返交通费"
        elif not period.contains(claim.date):
            reason = f"乘车日期不在本期（{period.start.isoformat()}至{period.end.isoformat()}）内"
        elif not deployment.span.contains(claim.date):
            reason = (
                f"乘车日期不在派驻期（{deployment.start.isoformat()}至"
                f"{deployment.planned_end.isoformat()}）内"
            )
        else:
            eligible.append((index, claim))
            continue
        rejected.append(RejectedClaim(claim, index, reason + _cite(clause)))

    lines: list[tuple[int, BenefitLine]] = []
    used: dict[CalendarMonth, int] = {}
    for index, claim in sorted(eligible, key=lambda pair: (pair[1].date, pair[0])):
        month = CalendarMonth(claim.date.year, claim.date.month)
        if used.get(month, 0) >= limit:
            reason = f"{month.label}已报销{limit}次往返交通费，每月限报{limit}次"
            rejected.append(RejectedClaim(claim, index, reason + _cite(clause)))
            continue
        used[month] = used.get(month, 0) + 1
        amount = round_money(claim.amount, rates.money_quantum)
        reason = f"{month.label}往返交通费（{claim.date.isoformat()}）据实报销{yuan(amount)}元"
        lines.append(
            (index, BenefitLine(BenefitItem.TRAVEL, amount, clause, reason + _cite(clause)))
        )

    rejected.sort(key=lambda item: item.index)
    return TravelDecision(tuple(line for _, line in lines), tuple(rejected))


def benefits_statement(
    expert: Expert,
    deployment: Deployment,
    period: Period,
    rates: IncentiveRates,
    home_pay_in_period: Decimal | None = None,
    travel_claims: Sequence[TravelClaim] = (),
) -> BenefitsStatement:
    """Every benefit line of one expert for one period inside one calendar year.

    Lines in a fixed order: salary top-up, monthly subsidy, settling-in, then
    one travel line per reimbursed claim. The total is the sum of the lines.
    """
    _require_one_calendar_year(period)
    lines: list[BenefitLine] = []
    for line in (
        salary_top_up(expert, deployment, period, rates, home_pay_in_period),
        monthly_subsidy(expert, deployment, period, rates),
        settling_in_allowance(deployment, period, rates),
    ):
        if line is not None:
            lines.append(line)
    travel = travel_reimbursement(deployment, period, travel_claims, rates)
    lines.extend(travel.lines)
    return BenefitsStatement(period, tuple(lines), travel.rejected)


UNGOVERNED_CLAUSE = "§七；附件2 五(一)"
_ONE_DAY = timedelta(days=1)


def ungoverned_days(stay: Period, governed: Sequence[Period]) -> tuple[Period, ...]:
    """The runs of days of `stay` that no governed period covers, in date order."""
    gaps: list[Period] = []
    day = stay.start
    for span in sorted(governed, key=lambda p: p.start):
        if span.end < day:
            continue
        if span.start > stay.end:
            break
        if span.start > day:
            gaps.append(Period(day, span.start - _ONE_DAY))
        day = max(day, span.end + _ONE_DAY)
    if day <= stay.end:
        gaps.append(Period(day, stay.end))
    return tuple(gaps)


def ungoverned_reason(gaps: Sequence[Period]) -> str:
    """Why nothing is paid for days outside any governed agreement (§七; 附件2 五(一)): work is
    paid under a signed agreement in force, and a terminated, unsigned or expired one pays
    nothing."""
    days = sum(gap.days for gap in gaps)
    listed = "、".join(f"{g.start.isoformat()}至{g.end.isoformat()}" for g in gaps)
    return (
        f"{listed}共{days}天不在该帮扶关系已签订且有效的帮扶协议期内（未签订、已终止或不在协议"
        f"期限内），这些天不计发任何待遇{_cite(UNGOVERNED_CLAUSE)}"
    )


def _require_one_calendar_year(period: Period) -> None:
    if not period.within_one_calendar_year:
        raise ValueError("结算期间不能跨越两个自然年")
