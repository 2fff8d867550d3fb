"""Leadership appointments at the recipient hospital (§六; A1-(1); A2-四(三)1)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Protocol

from bangfu.people.domain.experts import Deployment, DeploymentKind, Expert
from bangfu.policy.domain.periods import last_day_of_years


@dataclass(frozen=True)
class AppointmentRules:
    """How long a resident stay must be planned for each post, and the clause that says so."""

    vice_president_min_resident_years: int
    president_min_resident_years: int
    clause: str


class AppointmentTermsSource(Protocol):
    """The shape of the policy's `IncentiveTerms` as far as appointments read it."""

    @property
    def vice_president_min_resident_years(self) -> int: ...
    @property
    def president_min_resident_years(self) -> int: ...
    @property
    def clauses(self) -> Mapping[str, str]: ...


def appointment_rules_from_terms(terms: AppointmentTermsSource) -> AppointmentRules:
    """The one place the policy's appointment terms become `AppointmentRules`; a missing clause
    is a broken policy file, so it raises."""
    if "appointment" not in terms.clauses:
        raise ValueError("政策文件缺少条款引用：appointment")
    return AppointmentRules(
        vice_president_min_resident_years=int(terms.vice_president_min_resident_years),
        president_min_resident_years=int(terms.president_min_resident_years),
        clause=terms.clauses["appointment"],
    )


def appointment_rules_with_overrides(
    rules: AppointmentRules, overrides: Mapping[str, object]
) -> AppointmentRules:
    """The rules with an agreement's own appointment terms applied (e.g. an agreed 3 years of
    residence to be president); other and unknown keys are ignored."""

    def years(key: str, default: int) -> int:
        value = overrides.get(key)
        if value is None or isinstance(value, bool):
            return default
        return int(Decimal(str(value)))

    return replace(
        rules,
        vice_president_min_resident_years=years(
            "vice_president_min_resident_years", rules.vice_president_min_resident_years
        ),
        president_min_resident_years=years(
            "president_min_resident_years", rules.president_min_resident_years
        ),
    )


@dataclass(frozen=True)
class AppointmentEligibility:
    vice_president: bool
    president: bool
    reasons: tuple[str, ...]


def appointment_eligibility(
    expert: Expert, deployment: Deployment, rules: AppointmentRules
) -> AppointmentEligibility:
    """Who may be appointed vice-president or president (§六; A1-(1); A2-四(三)1).

    Vice-president: holds the qualifications for public-hospital leadership and
    a resident deployment covers one year ("常驻1年以上"). President: holds them
    and a resident deployment covers two years ("常驻2年以上"). "Covers N
    years" means the planned end is on or after the day before the N-th
    anniversary of the start. Reasons (Chinese, citing the clause) explain both
    answers.
    """
    clause = rules.clause
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

    vice_president = decide(rules.vice_president_min_resident_years, "受扶医院副院长")
    president = decide(rules.president_min_resident_years, "受扶医院院长")
    return AppointmentEligibility(vice_president, president, tuple(reasons))
