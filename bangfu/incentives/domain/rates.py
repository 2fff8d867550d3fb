"""Benefit rates and thresholds, as the incentive rules consume them.

The values are policy data (`bangfu/policy/guizhou_2025.toml`, read by
`bangfu.policy.loader.load_policy`); this module only gives them a typed, frozen
shape. `incentive_rates_from_terms` accepts any object with the policy's attribute names, so
the domain never imports the loader. The team rules and the appointment rules belong to the
people domain (`bangfu.people.domain.team`, `bangfu.people.domain.appointment`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from bangfu.people.domain.appointment import AppointmentRules


@dataclass(frozen=True)
class Clauses:
    """The clause each benefit cites, e.g. "§六；A2-四(三)2"."""

    salary_top_up: str
    monthly_subsidy: str
    settling_in: str
    travel: str
    work_fund: str
    insurance: str
    health_check: str
    appointment: str
    title_route: str


@dataclass(frozen=True)
class IncentiveRates:
    top_up_multiplier: Decimal
    top_up_min_resident_years: int
    vice_president_min_resident_years: int
    president_min_resident_years: int
    monthly_subsidy_senior: Decimal
    monthly_subsidy_associate: Decimal
    settling_in_allowance: Decimal
    travel_claims_per_month: int
    work_fund_per_hospital_per_year: Decimal
    insurance_min_coverage: Decimal
    health_checks_per_year: int
    money_quantum: Decimal
    clauses: Clauses

    @property
    def appointment_rules(self) -> AppointmentRules:
        """The appointment thresholds within these rates (an agreement may override them)."""
        return AppointmentRules(
            vice_president_min_resident_years=self.vice_president_min_resident_years,
            president_min_resident_years=self.president_min_resident_years,
            clause=self.clauses.appointment,
        )


class IncentiveTermsSource(Protocol):
    """The shape of the policy's `IncentiveTerms` (read-only attributes)."""

    @property
    def top_up_multiplier(self) -> Decimal: ...
    @property
    def top_up_min_resident_years(self) -> int: ...
    @property
    def vice_president_min_resident_years(self) -> int: ...
    @property
    def president_min_resident_years(self) -> int: ...
    @property
    def monthly_subsidy_senior(self) -> Decimal: ...
    @property
    def monthly_subsidy_associate(self) -> Decimal: ...
    @property
    def settling_in_allowance(self) -> Decimal: ...
    @property
    def travel_claims_per_month(self) -> int: ...
    @property
    def work_fund_per_hospital_per_year(self) -> Decimal: ...
    @property
    def insurance_min_coverage(self) -> Decimal: ...
    @property
    def health_checks_per_year(self) -> int: ...
    @property
    def money_quantum(self) -> Decimal: ...
    @property
    def clauses(self) -> Mapping[str, str]: ...


CLAUSE_KEYS = (
    "salary_top_up",
    "monthly_subsidy",
    "settling_in",
    "travel",
    "work_fund",
    "insurance",
    "health_check",
    "appointment",
    "title_route",
)


def clauses_from_mapping(clauses: Mapping[str, str]) -> Clauses:
    """Build `Clauses`; a missing key is a broken policy file, so it raises."""
    missing = [key for key in CLAUSE_KEYS if key not in clauses]
    if missing:
        raise ValueError(f"政策文件缺少条款引用：{', '.join(missing)}")
    return Clauses(**{key: clauses[key] for key in CLAUSE_KEYS})


def incentive_rates_from_terms(terms: IncentiveTermsSource) -> IncentiveRates:
    """The one place policy incentive terms become `IncentiveRates`."""
    return IncentiveRates(
        top_up_multiplier=Decimal(terms.top_up_multiplier),
        top_up_min_resident_years=int(terms.top_up_min_resident_years),
        vice_president_min_resident_years=int(terms.vice_president_min_resident_years),
        president_min_resident_years=int(terms.president_min_resident_years),
        monthly_subsidy_senior=Decimal(terms.monthly_subsidy_senior),
        monthly_subsidy_associate=Decimal(terms.monthly_subsidy_associate),
        settling_in_allowance=Decimal(terms.settling_in_allowance),
        travel_claims_per_month=int(terms.travel_claims_per_month),
        work_fund_per_hospital_per_year=Decimal(terms.work_fund_per_hospital_per_year),
        insurance_min_coverage=Decimal(terms.insurance_min_coverage),
        health_checks_per_year=int(terms.health_checks_per_year),
        money_quantum=Decimal(terms.money_quantum),
        clauses=clauses_from_mapping(terms.clauses),
    )
