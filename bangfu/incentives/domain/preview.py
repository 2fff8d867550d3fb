"""One expert's whole picture for a period: benefits, appointment, title route.

This is what `manage.py benefits_preview` prints and what an expert's own
statement page shows (§五, §六).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from bangfu.incentives.domain.benefits import BenefitsStatement, TravelClaim, benefits_statement
from bangfu.incentives.domain.rates import IncentiveRates
from bangfu.people.domain.appointment import AppointmentEligibility, appointment_eligibility
from bangfu.people.domain.experts import Deployment, Expert
from bangfu.people.domain.title_route import (
    RecipientCounty,
    TitleRouteDecision,
    title_evaluation_route,
)
from bangfu.policy.domain.periods import Period


@dataclass(frozen=True)
class BenefitsPreview:
    statement: BenefitsStatement
    appointment: AppointmentEligibility
    title_route: TitleRouteDecision


def benefits_preview(
    expert: Expert,
    deployment: Deployment,
    period: Period,
    rates: IncentiveRates,
    county: RecipientCounty,
    has_entrustment_letter: bool,
    home_pay_in_period: Decimal | None = None,
    travel_claims: Sequence[TravelClaim] = (),
) -> BenefitsPreview:
    """Benefits for the period (§六), appointment eligibility (§六; A1-(1)) and
    the title-evaluation route (§五), each decided by its own rule."""
    return BenefitsPreview(
        statement=benefits_statement(
            expert, deployment, period, rates, home_pay_in_period, travel_claims
        ),
        appointment=appointment_eligibility(expert, deployment, rates.appointment_rules),
        title_route=title_evaluation_route(
            county, has_entrustment_letter, rates.clauses.title_route
        ),
    )
