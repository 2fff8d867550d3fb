"""Guizhou 2025 team and appointment rules written out by hand, so domain tests do not read the
policy file. `test_team.py` checks that the policy file yields exactly these values.
"""

from __future__ import annotations

from decimal import Decimal

from bangfu.people.domain.appointment import AppointmentRules
from bangfu.people.domain.experts import Title
from bangfu.people.domain.team import TeamRules

TEAM_RULES = TeamRules(
    min_size=3,
    max_size=5,
    captains=1,
    coverage_3x_min_departments=3,
    mentor_min_title=Title.ASSOCIATE_SENIOR,
    insurance_min_coverage=Decimal(1000000),
    health_checks_per_year=1,
    size_clause="§三(四)；A1-(1)",
    captain_clause="§三(四)；A1-(1)",
    coverage_3x_clause="A1-(15)",
    mentor_clause="A1-(5)",
    insurance_clause="§六；A2-四(三)3",
    health_check_clause="§六；A2-四(三)3",
)

APPOINTMENT_RULES = AppointmentRules(
    vice_president_min_resident_years=1,
    president_min_resident_years=2,
    clause="§六；A1-(1)；A2-四(三)1",
)
