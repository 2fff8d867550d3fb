"""Per-agreement guarantee terms applied to the policy's incentive rates (F5; A2-四(三)).

An agreement may override a guarantee term within the policy's bounds (checked when the agreement
is saved, `bangfu.partnerships.domain.validation`). Statements and budgets read the rates of the
agreement that governs a deployment, so an agreed 1.2× top-up is what the statement pays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal

from bangfu.incentives.domain.rates import IncentiveRates, incentive_rates_from_terms
from bangfu.policy.loader import load_policy

# guarantee-term key (policy [guarantee_terms]) → IncentiveRates field; the loader checks that
# both places state the same policy default (`_INCENTIVE_TERM_PAIRS`).
DECIMAL_TERMS: dict[str, str] = {
    "top_up_multiplier": "top_up_multiplier",
    "monthly_subsidy_senior": "monthly_subsidy_senior",
    "monthly_subsidy_associate": "monthly_subsidy_associate",
    "settling_in_allowance": "settling_in_allowance",
    "work_fund_per_year": "work_fund_per_hospital_per_year",
    "insurance_min_coverage": "insurance_min_coverage",
}
INTEGER_TERMS: dict[str, str] = {
    "vice_president_min_resident_years": "vice_president_min_resident_years",
    "president_min_resident_years": "president_min_resident_years",
    "travel_round_trips_per_month": "travel_claims_per_month",
    "health_checks_per_year": "health_checks_per_year",
}


def policy_rates() -> IncentiveRates:
    """The policy's incentive rates, before any agreement's own terms."""
    return incentive_rates_from_terms(load_policy().incentives)


def rates_with_overrides(rates: IncentiveRates, overrides: Mapping[str, object]) -> IncentiveRates:
    """The policy rates with an agreement's overrides applied; terms with no rate (the tourism
    card flag) and unknown keys are ignored."""
    changes: dict[str, object] = {}
    for key, value in overrides.items():
        if isinstance(value, bool):
            continue
        if key in DECIMAL_TERMS:
            changes[DECIMAL_TERMS[key]] = Decimal(str(value))
        elif key in INTEGER_TERMS:
            changes[INTEGER_TERMS[key]] = int(Decimal(str(value)))
    return replace(rates, **changes) if changes else rates  # type: ignore[arg-type]
