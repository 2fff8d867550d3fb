"""Checks on an assistance team and its members (§三(四); A1-(1); A1-(15); A1-(5); §六)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from bangfu.people.domain.experts import Title, title_from_text
from bangfu.policy.domain.money import yuan


@dataclass(frozen=True)
class TeamRules:
    min_size: int
    max_size: int
    captains: int
    coverage_3x_min_departments: int
    mentor_min_title: Title
    insurance_min_coverage: Decimal
    health_checks_per_year: int
    size_clause: str
    captain_clause: str
    coverage_3x_clause: str
    mentor_clause: str
    insurance_clause: str
    health_check_clause: str


class TeamTermsSource(Protocol):
    """The shape of the policy's team terms (read-only attributes)."""

    @property
    def min_size(self) -> int: ...
    @property
    def max_size(self) -> int: ...
    @property
    def captains(self) -> int: ...
    @property
    def coverage_3x_min_departments(self) -> int: ...
    @property
    def mentor_min_title(self) -> str: ...
    @property
    def clauses(self) -> Mapping[str, str]: ...


class CareTermsSource(Protocol):
    """The shape of the policy's `IncentiveTerms` as far as the team checks read it: the
    insurance cover and health checks every member is owed (§六; A2-四(三)3)."""

    @property
    def insurance_min_coverage(self) -> Decimal: ...
    @property
    def health_checks_per_year(self) -> int: ...
    @property
    def clauses(self) -> Mapping[str, str]: ...


TEAM_CLAUSE_KEYS = ("min_size", "captains", "coverage_3x_min_departments", "mentor_min_title")
CARE_CLAUSE_KEYS = ("insurance", "health_check")


def team_rules_from_terms(team: TeamTermsSource, care: CareTermsSource) -> TeamRules:
    """The one place policy team terms (plus insurance and health checks, read from the policy's
    incentive terms) become `TeamRules`; a missing clause is a broken policy file, so it raises."""
    missing = [key for key in TEAM_CLAUSE_KEYS if key not in team.clauses]
    if missing:
        raise ValueError(f"政策文件缺少帮扶队条款引用：{', '.join(missing)}")
    missing = [key for key in CARE_CLAUSE_KEYS if key not in care.clauses]
    if missing:
        raise ValueError(f"政策文件缺少条款引用：{', '.join(missing)}")
    return TeamRules(
        min_size=int(team.min_size),
        max_size=int(team.max_size),
        captains=int(team.captains),
        coverage_3x_min_departments=int(team.coverage_3x_min_departments),
        mentor_min_title=title_from_text(team.mentor_min_title),
        insurance_min_coverage=Decimal(care.insurance_min_coverage),
        health_checks_per_year=int(care.health_checks_per_year),
        size_clause=team.clauses["min_size"],
        captain_clause=team.clauses["captains"],
        coverage_3x_clause=team.clauses["coverage_3x_min_departments"],
        mentor_clause=team.clauses["mentor_min_title"],
        insurance_clause=care.clauses["insurance"],
        health_check_clause=care.clauses["health_check"],
    )


class Grade(StrEnum):
    """How much a finding matters, read from the clause's own wording."""

    MUST_FIX = "must_fix"
    """必须整改: the policy or the agreement template states it as a requirement."""
    SHOULD_FIX = "should_fix"
    """建议整改: the policy asks for it as an aim (积极争取、鼓励)."""
    NOTE = "note"
    """提示: the policy is exploratory (探索建立); shown for information."""

    @property
    def label(self) -> str:
        return GRADE_LABELS[self]


GRADE_LABELS = {
    Grade.MUST_FIX: "必须整改",
    Grade.SHOULD_FIX: "建议整改",
    Grade.NOTE: "提示",
}


class FindingCode(StrEnum):
    TEAM_TOO_SMALL = "team_too_small"
    TEAM_TOO_LARGE = "team_too_large"
    CAPTAIN_COUNT = "captain_count"
    COVERAGE_3X_SHORT = "coverage_3x_short"
    INSURANCE_MISSING = "insurance_missing"
    INSURANCE_TOO_LOW = "insurance_too_low"
    HEALTH_CHECK_MISSING = "health_check_missing"
    MENTOR_TITLE_TOO_LOW = "mentor_title_too_low"


@dataclass(frozen=True)
class TeamMember:
    member_id: str
    name: str
    title: Title
    is_captain: bool = False
    resident: bool = True
    """On a resident deployment (常驻); only residents carry a 3X duty."""
    linked_departments: frozenset[str] = frozenset()
    """Clinical departments the member links to under the 3X mechanism."""
    insurance_coverage: Decimal | None = None
    """Personal accident insurance cover in yuan; None when none is bought."""
    health_check_dates: tuple[date, ...] = ()
    is_mentor: bool = False


@dataclass(frozen=True)
class Team:
    members: tuple[TeamMember, ...]
    departments_with_resident_expert: frozenset[str] = field(default_factory=frozenset)
    """Departments already served by a resident expert: they do not count for 3X."""


GRADES: dict[FindingCode, Grade] = {
    # 积极争取按每批次3-5人的团队进行帮扶，其中1人任队长 (§三(四); A1-(1))
    FindingCode.TEAM_TOO_SMALL: Grade.SHOULD_FIX,
    FindingCode.TEAM_TOO_LARGE: Grade.SHOULD_FIX,
    FindingCode.CAPTAIN_COUNT: Grade.SHOULD_FIX,
    # 探索建立3X机制 (A1-(15))
    FindingCode.COVERAGE_3X_SHORT: Grade.NOTE,
    # 为每名帮扶人员办理不低于100万元保额的人身意外伤害保险 (§六; A2-四(三)3)
    FindingCode.INSURANCE_MISSING: Grade.MUST_FIX,
    FindingCode.INSURANCE_TOO_LOW: Grade.MUST_FIX,
    # 鼓励每年组织帮扶干部开展1次健康体检 (§六; A2-四(三)3)
    FindingCode.HEALTH_CHECK_MISSING: Grade.SHOULD_FIX,
    # 选派副主任医师以上职称的人员 (A1-(5))
    FindingCode.MENTOR_TITLE_TOO_LOW: Grade.MUST_FIX,
}
"""The grade each rule declares, next to the clause that sets it."""


@dataclass(frozen=True)
class TeamFinding:
    code: FindingCode
    message: str
    clause: str
    member_id: str | None = None

    @property
    def grade(self) -> Grade:
        return GRADES[self.code]


@dataclass(frozen=True)
class TeamCheck:
    findings: tuple[TeamFinding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def must_fix(self) -> tuple[TeamFinding, ...]:
        """The findings to fix (必须整改); lists count only these."""
        return tuple(f for f in self.findings if f.grade is Grade.MUST_FIX)

    @property
    def has_violations(self) -> bool:
        return bool(self.must_fix)

    @property
    def worst(self) -> Grade | None:
        """The highest grade among the findings, or None when there are none."""
        order = (Grade.MUST_FIX, Grade.SHOULD_FIX, Grade.NOTE)
        return next((g for g in order if any(f.grade is g for f in self.findings)), None)


def team_size_findings(team: Team, rules: TeamRules) -> list[TeamFinding]:
    """A team is 3–5 people per batch (§三(四); A1-(1)); outside that, 建议整改."""
    size = len(team.members)
    if size < rules.min_size:
        return [
            TeamFinding(
                FindingCode.TEAM_TOO_SMALL,
                f"帮扶队现有{size}人，少于每批次{rules.min_size}人（应为{rules.min_size}-{rules.max_size}人）",
                rules.size_clause,
            )
        ]
    if size > rules.max_size:
        return [
            TeamFinding(
                FindingCode.TEAM_TOO_LARGE,
                f"帮扶队现有{size}人，多于每批次{rules.max_size}人（应为{rules.min_size}-{rules.max_size}人）",
                rules.size_clause,
            )
        ]
    return []


def captain_findings(team: Team, rules: TeamRules) -> list[TeamFinding]:
    """Exactly one member is captain (§三(四); A1-(1)); otherwise 建议整改."""
    captains = sum(1 for m in team.members if m.is_captain)
    if captains == rules.captains:
        return []
    return [
        TeamFinding(
            FindingCode.CAPTAIN_COUNT,
            f"帮扶队有{captains}名队长，应有且仅有{rules.captains}名",
            rules.captain_clause,
        )
    ]


def coverage_3x_findings(team: Team, rules: TeamRules) -> list[TeamFinding]:
    """Each resident member links ≥3 departments without a resident expert (A1-(15)).

    The 3X mechanism is exploratory (探索建立), so a shortfall is a note (提示).
    Departments already served by a resident expert do not count.
    """
    findings: list[TeamFinding] = []
    for member in team.members:
        if not member.resident:
            continue
        counted = member.linked_departments - team.departments_with_resident_expert
        if len(counted) < rules.coverage_3x_min_departments:
            findings.append(
                TeamFinding(
                    FindingCode.COVERAGE_3X_SHORT,
                    f"{member.name}联系的无派驻专家科室为{len(counted)}个，"
                    f"少于{rules.coverage_3x_min_departments}个（3X机制）",
                    rules.coverage_3x_clause,
                    member.member_id,
                )
            )
    return findings


def insurance_findings(team: Team, rules: TeamRules) -> list[TeamFinding]:
    """Each member has accident insurance of at least 1,000,000 yuan (§六; A2-四(三)3)."""
    findings: list[TeamFinding] = []
    minimum = yuan(rules.insurance_min_coverage)
    for member in team.members:
        if member.insurance_coverage is None:
            findings.append(
                TeamFinding(
                    FindingCode.INSURANCE_MISSING,
                    f"{member.name}未办理人身意外伤害保险（保额应不低于{minimum}元）",
                    rules.insurance_clause,
                    member.member_id,
                )
            )
        elif member.insurance_coverage < rules.insurance_min_coverage:
            findings.append(
                TeamFinding(
                    FindingCode.INSURANCE_TOO_LOW,
                    f"{member.name}人身意外伤害保险保额{yuan(member.insurance_coverage)}元，"
                    f"低于{minimum}元",
                    rules.insurance_clause,
                    member.member_id,
                )
            )
    return findings


def health_check_findings(team: Team, rules: TeamRules, year: int) -> list[TeamFinding]:
    """Each member has one health check a year (§六; A2-四(三)3); the policy encourages it."""
    findings: list[TeamFinding] = []
    for member in team.members:
        done = sum(1 for day in member.health_check_dates if day.year == year)
        if done < rules.health_checks_per_year:
            findings.append(
                TeamFinding(
                    FindingCode.HEALTH_CHECK_MISSING,
                    f"{member.name}{year}年健康体检{done}次，应每年{rules.health_checks_per_year}次",
                    rules.health_check_clause,
                    member.member_id,
                )
            )
    return findings


def mentor_findings(team: Team, rules: TeamRules) -> list[TeamFinding]:
    """A mentor (师带徒) holds 副主任医师 or above, i.e. 副高 or 正高 (A1-(5))."""
    return [
        TeamFinding(
            FindingCode.MENTOR_TITLE_TOO_LOW,
            f"{member.name}职称为{member.title}，师带徒的师傅须为副主任医师以上（副高、正高）",
            rules.mentor_clause,
            member.member_id,
        )
        for member in team.members
        if member.is_mentor and member.title.rank < rules.mentor_min_title.rank
    ]


def team_check(team: Team, rules: TeamRules, year: int) -> TeamCheck:
    """All team checks, in a fixed order (size, captain, 3X, insurance, health, mentor)."""
    checks: Sequence[Callable[[Team, TeamRules], list[TeamFinding]]] = (
        team_size_findings,
        captain_findings,
        coverage_3x_findings,
        insurance_findings,
        lambda t, r: health_check_findings(t, r, year),
        mentor_findings,
    )
    return TeamCheck(tuple(finding for check in checks for finding in check(team, rules)))
