"""Guizhou 2025 rates written out by hand, so domain tests do not read the policy file.

`test_rates.py` checks that the policy file yields exactly these values. The team and
appointment rules are in `bangfu/people/tests/guizhou_rules.py`.
"""

from __future__ import annotations

from decimal import Decimal

from bangfu.incentives.domain.rates import Clauses, IncentiveRates

CLAUSES = Clauses(
    salary_top_up="§六；A2-四(三)2",
    monthly_subsidy="§六；A2-四(三)6",
    settling_in="§六；A2-四(三)5",
    travel="§六；A2-四(三)4",
    work_fund="§六；A2-四(三)5",
    insurance="§六；A2-四(三)3",
    health_check="§六；A2-四(三)3",
    appointment="§六；A1-(1)；A2-四(三)1",
    title_route="§五",
)

RATES = IncentiveRates(
    top_up_multiplier=Decimal("1.5"),
    top_up_min_resident_years=1,
    vice_president_min_resident_years=1,
    president_min_resident_years=2,
    monthly_subsidy_senior=Decimal(1000),
    monthly_subsidy_associate=Decimal(600),
    settling_in_allowance=Decimal(2000),
    travel_claims_per_month=1,
    work_fund_per_hospital_per_year=Decimal(200000),
    insurance_min_coverage=Decimal(1000000),
    health_checks_per_year=1,
    money_quantum=Decimal("0.01"),
    clauses=CLAUSES,
)
