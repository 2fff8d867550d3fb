"""Yearly budget forecast per recipient hospital (§六; A2-四(三))."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bangfu.incentives.domain.benefits import (
    BenefitItem,
    BenefitLine,
    monthly_subsidy,
    salary_top_up,
    settling_in_allowance,
)
from bangfu.incentives.domain.rates import IncentiveRates
from bangfu.people.domain.experts import Deployment, Expert
from bangfu.policy.domain.money import round_money, yuan
from bangfu.policy.domain.periods import Period, months_touching, overlap


@dataclass(frozen=True)
class BudgetDeployment:
    deployment_id: str
    hospital_id: str
    """The recipient hospital that pays."""
    expert: Expert
    deployment: Deployment
    home_pay_in_year: Decimal | None = None
    """Home pay expected for the days on site this year; None → pro rata of prior pay."""


@dataclass(frozen=True)
class BudgetLine:
    hospital_id: str
    deployment_id: str | None
    """None for lines owed by the hospital as a whole (work funds)."""
    item: BenefitItem
    amount: Decimal
    clause: str
    reason: str


@dataclass(frozen=True)
class HospitalBudget:
    hospital_id: str
    lines: tuple[BudgetLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


@dataclass(frozen=True)
class BudgetForecast:
    year: int
    hospitals: tuple[HospitalBudget, ...]
    """Sorted by hospital id."""

    @property
    def total(self) -> Decimal:
        return sum((hospital.total for hospital in self.hospitals), Decimal("0.00"))


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31))


def on_site_months(deployment: Deployment, period: Period) -> int:
    """Calendar months with at least one day lying in both the period and an on-site
    deployment (every kind but remote): a travel claim may be made in any such month."""
    if not deployment.kind.on_site:
        return 0
    on_site = overlap(period, deployment.span)
    if on_site is None:
        return 0
    return len(list(months_touching(on_site)))


def expected_round_trips(deployment: Deployment, period: Period, rates: IncentiveRates) -> int:
    """Expected round trips in `period`: one claim per on-site month (§六; A2-四(三)4)."""
    return on_site_months(deployment, period) * rates.travel_claims_per_month


def expected_travel_amount(
    round_trips: int, expected_round_trip_cost: Decimal, rates: IncentiveRates
) -> Decimal:
    """What `round_trips` expected trips cost at `expected_round_trip_cost` each. With a cost in
    whole `money_quantum`s (the forms and the API take 0.01 yuan) no rounding happens, so the
    amount of a sum of trips is the sum of the amounts (stored forecasts, ADR 0018)."""
    return round_money(expected_round_trip_cost * round_trips, rates.money_quantum)


def expected_travel(
    deployment: Deployment,
    period: Period,
    rates: IncentiveRates,
    expected_round_trip_cost: Decimal,
) -> BenefitLine | None:
    """Expected round trips (`expected_round_trips`) × the expected cost (§六; A2-四(三)4).
    None when there is no on-site month."""
    months = on_site_months(deployment, period)
    if not months:
        return None
    trips = months * rates.travel_claims_per_month
    clause = rates.clauses.travel
    amount = expected_travel_amount(trips, expected_round_trip_cost, rates)
    reason = (
        f"预计往返交通费：在岗{months}个月 × 每月{rates.travel_claims_per_month}次 × "
        f"{yuan(expected_round_trip_cost)}元 = {yuan(amount)}元（依据{clause}）"
    )
    return BenefitLine(BenefitItem.TRAVEL, amount, clause, reason)


def work_fund_line(hospital_id: str, rates: IncentiveRates) -> BudgetLine:
    """200,000 yuan of work funds per recipient hospital per year (§六; A2-四(三)5)."""
    clause = rates.clauses.work_fund
    amount = round_money(rates.work_fund_per_hospital_per_year, rates.money_quantum)
    return BudgetLine(
        hospital_id,
        None,
        BenefitItem.WORK_FUND,
        amount,
        clause,
        f"受扶医院每年按{yuan(amount)}元标准统筹安排工作经费（依据{clause}）",
    )


def budget_forecast(
    year: int,
    deployments: Sequence[BudgetDeployment],
    recipient_hospital_ids: Iterable[str],
    rates: IncentiveRates,
    expected_round_trip_cost: Decimal,
) -> BudgetForecast:
    """Forecast of a calendar year's incentive spending, per recipient hospital.

    Per deployment: salary top-up, monthly subsidy (as if outstanding is known
    now: the expert's flag is used), settling-in allowance, and expected travel
    (one claim per on-site month × `expected_round_trip_cost`); per recipient
    hospital (those listed and those with a deployment): 200,000 yuan of work
    funds (§六; A2-四(三)). Deployments are taken in (hospital, deployment id)
    order so the result does not depend on input order.
    """
    if expected_round_trip_cost < 0:
        raise ValueError("预计往返交通费不能为负数")
    period = year_period(year)
    hospital_ids = sorted(set(recipient_hospital_ids) | {d.hospital_id for d in deployments})
    lines_by_hospital: dict[str, list[BudgetLine]] = {h: [] for h in hospital_ids}
    for item in sorted(deployments, key=lambda d: (d.hospital_id, d.deployment_id)):
        for line in (
            salary_top_up(item.expert, item.deployment, period, rates, item.home_pay_in_year),
            monthly_subsidy(item.expert, item.deployment, period, rates),
            settling_in_allowance(item.deployment, period, rates),
            expected_travel(item.deployment, period, rates, expected_round_trip_cost),
        ):
            if line is not None:
                lines_by_hospital[item.hospital_id].append(
                    BudgetLine(
                        item.hospital_id,
                        item.deployment_id,
                        line.item,
                        line.amount,
                        line.clause,
                        line.reason,
                    )
                )
    for hospital_id in hospital_ids:
        lines_by_hospital[hospital_id].append(work_fund_line(hospital_id, rates))
    return BudgetForecast(
        year,
        tuple(HospitalBudget(h, tuple(lines_by_hospital[h])) for h in hospital_ids),
    )


@dataclass(frozen=True)
class DeploymentYear:
    """One deployment's forecast for one calendar year: what the budget adds up per item
    (stored per deployment and year, ADR 0018). Travel is a number of expected round trips,
    since the reader chooses the expected cost of one."""

    salary_top_up: Decimal
    monthly_subsidy: Decimal
    settling_in: Decimal
    round_trips: int


def deployment_year(
    expert: Expert,
    deployment: Deployment,
    year: int,
    rates: IncentiveRates,
    home_pay_in_year: Decimal | None = None,
) -> DeploymentYear:
    """The same rules as `budget_forecast`'s lines for one deployment in `year`, as sums."""
    period = year_period(year)
    zero = Decimal("0.00")
    top_up = salary_top_up(expert, deployment, period, rates, home_pay_in_year)
    subsidy = monthly_subsidy(expert, deployment, period, rates)
    settling = settling_in_allowance(deployment, period, rates)
    return DeploymentYear(
        salary_top_up=top_up.amount if top_up else zero,
        monthly_subsidy=subsidy.amount if subsidy else zero,
        settling_in=settling.amount if settling else zero,
        round_trips=expected_round_trips(deployment, period, rates),
    )
