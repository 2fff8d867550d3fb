"""Leadership appointments at the recipient hospital (§六; A1-(1); A2-四(三)1)."""

from __future__ import annotations

from dataclasses import dataclass

from bangfu.incentives.domain.people import Deployment, DeploymentKind, Expert
from bangfu.incentives.domain.periods import last_day_of_years
from bangfu.incentives.domain.rates import IncentiveRates


@dataclass(frozen=True)
class AppointmentEligibility:
    vice_president: bool
    president: bool
    reasons: tuple[str, ...]


def appointment_eligibility(
    expert: Expert, deployment: Deployment, rates: IncentiveRates
) -> AppointmentEligibility:
    """Who may be appointed vice-president or president (§六; A1-(1); A2-四(三)1).

    Vice-president: holds the qualifications for public-hospital leadership and
    a resident deployment covers one year ("常驻1年以上"). President: holds them
    and a resident deployment covers two years ("常驻2年以上"). "Covers N
    years" means the planned end is on or after the day before the N-th
    anniversary of the start. Reasons (Chinese, citing the clause) explain both
    answers.
    """
    clause = rates.clauses.appointment
    cite = f"（依据{clause}）"
    reasons: list[str] = []
    if not expert.leadership_qualified:
        reasons.append("不具备公立医院领导人员任职资格和条件，不能挂任副院长或院长" + cite)
    if deployment.kind is not DeploymentKind.RESIDENT:
        reasons.append(f"派驻方式为{deployment.kind.label}，挂任副院长、院长须为常驻派驻" + cite)

    def decide(years: int, post: str) -> bool:
        earliest_end = last_day_of_years(deployment.start, years)
        covered = deployment.resident_for_years(years)
        eligible = expert.leadership_qualified and covered
        if deployment.kind is DeploymentKind.RESIDENT:
            span = (
                f"常驻{deployment.start.isoformat()}至{deployment.planned_end.isoformat()}，"
                f"满{years}年须计划至{earliest_end.isoformat()}或以后"
            )
            if eligible:
                reasons.append(f"{span}；具备任职资格，可任{post}" + cite)
            elif not covered:
                reasons.append(f"{span}；常驻未满{years}年，不能任{post}" + cite)
        return eligible

    vice_president = decide(rates.vice_president_min_resident_years, "受扶医院副院长")
    president = decide(rates.president_min_resident_years, "受扶医院院长")
    return AppointmentEligibility(vice_president, president, tuple(reasons))
