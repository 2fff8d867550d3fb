from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from bangfu.people.domain.appointment import appointment_rules_from_terms
from bangfu.people.domain.experts import Title
from bangfu.people.domain.team import (
    GRADES,
    FindingCode,
    Grade,
    Team,
    TeamMember,
    team_check,
    team_rules_from_terms,
)
from bangfu.people.tests.guizhou_rules import APPOINTMENT_RULES, TEAM_RULES
from bangfu.policy.loader import load_policy

DEPTS = frozenset({"儿科", "眼科", "皮肤科"})
INSURED = Decimal(1000000)
CHECKED = (date(2025, 5, 1),)


def member(n: int, **changes) -> TeamMember:
    base = TeamMember(
        member_id=f"m{n}",
        name=f"专家{n}",
        title=Title.ASSOCIATE_SENIOR,
        is_captain=n == 1,
        linked_departments=DEPTS,
        insurance_coverage=INSURED,
        health_check_dates=CHECKED,
    )
    return replace(base, **changes)


def team_of(size: int) -> Team:
    return Team(tuple(member(n) for n in range(1, size + 1)))


def codes(team: Team) -> list[FindingCode]:
    return [f.code for f in team_check(team, TEAM_RULES, 2025).findings]


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (2, [FindingCode.TEAM_TOO_SMALL]),
        (3, []),
        (5, []),
        (6, [FindingCode.TEAM_TOO_LARGE]),
    ],
)
def test_team_of_three_to_five_passes_and_others_get_a_size_warning(size, expected):
    assert codes(team_of(size)) == expected


def test_size_warning_cites_the_team_clause():
    finding = team_check(team_of(2), TEAM_RULES, 2025).findings[0]
    assert finding.grade is Grade.SHOULD_FIX
    assert finding.clause == "§三(四)；A1-(1)"
    assert "2人" in finding.message


@pytest.mark.parametrize("captains", [0, 2])
def test_team_without_exactly_one_captain_gets_a_warning(captains):
    members = tuple(member(n, is_captain=n <= captains) for n in range(1, 4))
    check = team_check(Team(members), TEAM_RULES, 2025)
    assert [f.code for f in check.findings] == [FindingCode.CAPTAIN_COUNT]
    assert check.findings[0].grade is Grade.SHOULD_FIX


@pytest.mark.parametrize(
    ("resident", "departments", "served", "short"),
    [
        (True, frozenset({"儿科", "眼科"}), frozenset(), True),
        (True, DEPTS, frozenset(), False),
        # A department with its own resident expert does not count for 3X.
        (True, DEPTS, frozenset({"眼科"}), True),
        (True, DEPTS | {"口腔科"}, frozenset({"眼科"}), False),
        # Only resident members carry the 3X duty.
        (False, frozenset(), frozenset(), False),
    ],
)
def test_each_resident_member_links_three_departments_without_a_resident_expert(
    resident, departments, served, short
):
    members = (member(1), member(2), member(3, resident=resident, linked_departments=departments))
    findings = team_check(Team(members, served), TEAM_RULES, 2025).findings
    flagged = {f.member_id for f in findings if f.code is FindingCode.COVERAGE_3X_SHORT}
    assert ("m3" in flagged) is short


@pytest.mark.parametrize(
    ("coverage", "code"),
    [
        (None, FindingCode.INSURANCE_MISSING),
        (Decimal("999999.99"), FindingCode.INSURANCE_TOO_LOW),
        (Decimal("1000000"), None),
        (Decimal("2000000"), None),
    ],
)
def test_each_member_needs_accident_insurance_of_at_least_one_million(coverage, code):
    members = (member(1), member(2), member(3, insurance_coverage=coverage))
    check = team_check(Team(members), TEAM_RULES, 2025)
    if code is None:
        assert check.ok
    else:
        assert [(f.code, f.member_id, f.grade) for f in check.findings] == [
            (code, "m3", Grade.MUST_FIX)
        ]
        assert check.findings[0].clause == "§六；A2-四(三)3"


@pytest.mark.parametrize(
    ("dates", "missing"),
    [((), True), ((date(2024, 12, 31),), True), ((date(2025, 1, 1),), False)],
)
def test_each_member_has_one_health_check_in_the_year(dates, missing):
    members = (member(1), member(2), member(3, health_check_dates=dates))
    assert (FindingCode.HEALTH_CHECK_MISSING in codes(Team(members))) is missing


@pytest.mark.parametrize(
    ("title", "violation"),
    [
        (Title.SENIOR, False),
        (Title.ASSOCIATE_SENIOR, False),
        (Title.INTERMEDIATE, True),
        (Title.JUNIOR, True),
    ],
)
def test_mentor_must_be_associate_chief_physician_or_above(title, violation):
    members = (member(1), member(2), member(3, title=title, is_mentor=True))
    check = team_check(Team(members), TEAM_RULES, 2025)
    assert (FindingCode.MENTOR_TITLE_TOO_LOW in [f.code for f in check.findings]) is violation
    assert check.has_violations is violation


def test_non_mentor_of_any_title_is_not_flagged():
    members = (member(1), member(2), member(3, title=Title.JUNIOR, is_mentor=False))
    assert team_check(Team(members), TEAM_RULES, 2025).ok


def test_findings_come_in_rule_order():
    members = (
        member(1, is_captain=False, insurance_coverage=None, is_mentor=True, title=Title.JUNIOR),
        member(2, linked_departments=frozenset(), health_check_dates=()),
    )
    assert codes(Team(members)) == [
        FindingCode.TEAM_TOO_SMALL,
        FindingCode.CAPTAIN_COUNT,
        FindingCode.COVERAGE_3X_SHORT,
        FindingCode.INSURANCE_MISSING,
        FindingCode.HEALTH_CHECK_MISSING,
        FindingCode.MENTOR_TITLE_TOO_LOW,
    ]


def test_every_rule_declares_a_grade_with_its_chinese_label():
    assert set(GRADES) == set(FindingCode)
    assert {g.label for g in Grade} == {"必须整改", "建议整改", "提示"}


def test_3x_shortfall_is_a_note_and_counts_for_nothing_in_must_fix():
    members = (member(1), member(2), member(3, linked_departments=frozenset()))
    check = team_check(Team(members), TEAM_RULES, 2025)
    assert [f.grade for f in check.findings] == [Grade.NOTE]
    assert check.must_fix == () and not check.has_violations and check.worst is Grade.NOTE


def test_must_fix_holds_only_the_required_findings():
    members = (
        member(1, health_check_dates=()),
        member(2, insurance_coverage=None),
        member(3, title=Title.JUNIOR, is_mentor=True),
    )
    check = team_check(Team(members), TEAM_RULES, 2025)
    assert [f.code for f in check.must_fix] == [
        FindingCode.INSURANCE_MISSING,
        FindingCode.MENTOR_TITLE_TOO_LOW,
    ]
    assert check.worst is Grade.MUST_FIX
    assert len(check.findings) == 3


def test_policy_file_gives_the_guizhou_team_rules_the_domain_tests_use():
    policy = load_policy()
    assert team_rules_from_terms(policy.team, policy.incentives) == TEAM_RULES


def test_policy_file_gives_the_guizhou_appointment_rules_the_domain_tests_use():
    assert appointment_rules_from_terms(load_policy().incentives) == APPOINTMENT_RULES
