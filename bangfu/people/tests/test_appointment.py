from datetime import date
from decimal import Decimal

import pytest

from bangfu.people.domain.appointment import (
    appointment_eligibility,
    appointment_rules_with_overrides,
)
from bangfu.people.domain.experts import Degree, Deployment, DeploymentKind, Expert, Title
from bangfu.people.tests.guizhou_rules import APPOINTMENT_RULES

R = DeploymentKind.RESIDENT


def expert(qualified: bool) -> Expert:
    return Expert(Title.SENIOR, Degree.DOCTORATE, Decimal(200000), True, qualified)


@pytest.mark.parametrize(
    ("qualified", "kind", "start", "planned_end", "vice_president", "president"),
    [
        # Exactly one year (end = day before the first anniversary): vice-president only.
        (True, R, date(2025, 3, 1), date(2026, 2, 28), True, False),
        # One day short of a year: nothing.
        (True, R, date(2025, 3, 1), date(2026, 2, 27), False, False),
        # One day short of two years: still vice-president only.
        (True, R, date(2025, 3, 1), date(2027, 2, 27), True, False),
        # Two years: president too (§六 "常驻2年以上的可任受扶医院院长或副院长").
        (True, R, date(2025, 3, 1), date(2027, 2, 28), True, True),
        # Not leadership-qualified: no post, however long the stay.
        (False, R, date(2025, 3, 1), date(2028, 3, 1), False, False),
        # Not resident (flexible, silver-age, remote): no post.
        (True, DeploymentKind.FLEXIBLE, date(2025, 3, 1), date(2028, 3, 1), False, False),
        (True, DeploymentKind.SILVER_AGE, date(2025, 3, 1), date(2028, 3, 1), False, False),
        (True, DeploymentKind.REMOTE, date(2025, 3, 1), date(2028, 3, 1), False, False),
        # 29 Feb start: anniversaries fall on 28 Feb, so the day before is 27 Feb.
        (True, R, date(2024, 2, 29), date(2025, 2, 27), True, False),
        (True, R, date(2024, 2, 29), date(2025, 2, 26), False, False),
        (True, R, date(2024, 2, 29), date(2026, 2, 27), True, True),
        (True, R, date(2024, 2, 29), date(2026, 2, 26), True, False),
    ],
)
def test_appointment_needs_leadership_qualification_and_a_resident_stay_of_one_or_two_years(
    qualified, kind, start, planned_end, vice_president, president
):
    result = appointment_eligibility(
        expert(qualified), Deployment(kind, start, planned_end), APPOINTMENT_RULES
    )
    assert (result.vice_president, result.president) == (vice_president, president)
    assert result.reasons
    assert all("§六；A1-(1)" in reason for reason in result.reasons)


def test_unqualified_expert_is_told_why_in_chinese():
    result = appointment_eligibility(
        expert(False), Deployment(R, date(2025, 3, 1), date(2028, 3, 1)), APPOINTMENT_RULES
    )
    assert any("不具备公立医院领导人员任职资格" in reason for reason in result.reasons)


def test_non_resident_expert_is_told_a_post_needs_a_resident_deployment():
    result = appointment_eligibility(
        expert(True),
        Deployment(DeploymentKind.FLEXIBLE, date(2025, 3, 1), date(2028, 3, 1)),
        APPOINTMENT_RULES,
    )
    assert any("柔性" in reason and "常驻" in reason for reason in result.reasons)


def test_short_stay_reason_names_the_earliest_covering_end_date():
    result = appointment_eligibility(
        expert(True), Deployment(R, date(2025, 3, 1), date(2026, 2, 27)), APPOINTMENT_RULES
    )
    assert any("2026-02-28" in reason and "未满1年" in reason for reason in result.reasons)


def test_an_agreement_may_set_its_own_residence_thresholds():
    rules = appointment_rules_with_overrides(
        APPOINTMENT_RULES,
        {"president_min_resident_years": 3, "top_up_multiplier": "1.2", "tourism_card": True},
    )
    assert (rules.vice_president_min_resident_years, rules.president_min_resident_years) == (1, 3)
    two_years = Deployment(R, date(2025, 3, 1), date(2027, 2, 28))
    assert appointment_eligibility(expert(True), two_years, APPOINTMENT_RULES).president
    assert not appointment_eligibility(expert(True), two_years, rules).president
