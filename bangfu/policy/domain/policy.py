"""The policy as frozen dataclasses: modes (§二), measures (Annex 1), guarantee terms (A2-四(三)),
incentives (§六), team rules (§三(四)), cycle rules (§一, §七) and title evaluation (§五).

Built by ``bangfu.policy.loader`` from a policy file; consumed by every ``domain/`` package.
Money is ``Decimal`` in yuan. Mappings are read-only (``types.MappingProxyType``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from bangfu.policy.domain.activities import EMPTY_CATALOGUE, ActivityCatalogue


class MeasureKind(StrEnum):
    """Annex 1 groups its 21 measures into 一、优选项 (1-7) and 二、自选项 (8-21)."""

    PREFERRED = "preferred"
    OPTIONAL = "optional"

    @property
    def label(self) -> str:
        return "优选项" if self is MeasureKind.PREFERRED else "自选项"


class TargetKind(StrEnum):
    """A measure target is a number (with optional bounds) or a text to fill in."""

    NUMBER = "number"
    TEXT = "text"


class TermKind(StrEnum):
    """How a guarantee term of A2-四(三) is measured."""

    YEARS = "years"
    MULTIPLIER = "multiplier"
    COUNT = "count"
    MONEY = "money"
    FLAG = "flag"


def _format_number(value: Decimal) -> str:
    """Plain notation without exponent: Decimal('1E+6') -> '1000000'."""
    return f"{value:f}"


@dataclass(frozen=True)
class Mode:
    """One of the six modes of assistance of §二."""

    code: str
    name: str
    clause: str
    description: str


@dataclass(frozen=True)
class MeasureTarget:
    """A measurable target of an Annex 1 measure that an agreement fills in.

    Number targets carry the bounds stated in the measure's text (e.g. A1-(1) team of 3-5);
    text targets may restrict the answer to ``choices`` (e.g. A1-(5) mentor title).
    """

    key: str
    label: str
    unit: str
    kind: TargetKind
    default: Decimal | str
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    choices: tuple[str, ...] = ()

    def value_problem(self, value: Decimal | str) -> str | None:
        """Why ``value`` is not acceptable for this target (Chinese), or None when it is.

        A number target needs a number within [minimum, maximum]; a text target needs a
        non-empty text, one of ``choices`` when the policy lists them.
        """
        if self.kind is TargetKind.NUMBER:
            if not isinstance(value, Decimal):
                return f"“{self.label}”应填写数字"
            if not value.is_finite():
                return f"“{self.label}”应填写有效数字"
            if self.minimum is not None and value < self.minimum:
                return f"“{self.label}”不得低于{_format_number(self.minimum)}{self.unit}"
            if self.maximum is not None and value > self.maximum:
                return f"“{self.label}”不得高于{_format_number(self.maximum)}{self.unit}"
            return None
        if not isinstance(value, str) or not value.strip():
            return f"“{self.label}”不能为空"
        if self.choices and value not in self.choices:
            return f"“{self.label}”应为以下之一：{'、'.join(self.choices)}"
        return None


@dataclass(frozen=True)
class Measure:
    """One of the 21 measures of Annex 1 (A1-(1) .. A1-(21)).

    ``text`` is the paragraph exactly as printed in Annex 1 without its "（n）" number, so
    it begins with ``title``.
    """

    code: str
    number: int
    kind: MeasureKind
    clause: str
    title: str
    text: str
    targets: tuple[MeasureTarget, ...]

    def target(self, key: str) -> MeasureTarget:
        for target in self.targets:
            if target.key == key:
                return target
        raise KeyError(f"措施 {self.code} 没有目标 {key}")


@dataclass(frozen=True)
class GuaranteeTerm:
    """A default guarantee term of A2-四(三) items 1-7; an agreement may override ``value``
    within [minimum, maximum] (the bounds are documented in the policy file)."""

    key: str
    label: str
    clause: str
    kind: TermKind
    unit: str
    value: Decimal | bool
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    def value_problem(self, value: Decimal | bool) -> str | None:
        """Why ``value`` is not an acceptable override of this term (Chinese), or None.

        A flag takes yes/no; years and counts take whole numbers; every number must lie
        within the term's bounds (A2-四(三); bounds are product decisions where the file says so).
        """
        if self.kind is TermKind.FLAG:
            if not isinstance(value, bool):
                return f"“{self.label}”应为是或否"
            return None
        if isinstance(value, bool) or not isinstance(value, Decimal) or not value.is_finite():
            return f"“{self.label}”应填写数字"
        if self.kind in (TermKind.YEARS, TermKind.COUNT) and value != value.to_integral_value():
            return f"“{self.label}”应为整数"
        if self.minimum is not None and value < self.minimum:
            return f"“{self.label}”不得低于{_format_number(self.minimum)}{self.unit}"
        if self.maximum is not None and value > self.maximum:
            return f"“{self.label}”不得高于{_format_number(self.maximum)}{self.unit}"
        return None


@dataclass(frozen=True)
class IncentiveTerms:
    """§六 benefit rates and thresholds, as read by ``bangfu.incentives``.

    ``clauses`` maps a benefit (salary_top_up, monthly_subsidy, settling_in, travel, work_fund,
    insurance, health_check, appointment, title_route) to the clause it cites;
    ``interpretations`` holds the product decisions in Chinese.
    """

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
    clauses: Mapping[str, str]
    interpretations: Mapping[str, str]

    def statement_footnotes(self) -> tuple[str, ...]:
        """The interpretations a benefits statement cites under its table, in a fixed order."""
        return tuple(self.interpretations[key] for key in STATEMENT_INTERPRETATIONS)


# The interpretations every benefits statement prints as footnotes (page, Excel and PDF); the
# policy file must hold each of them.
STATEMENT_INTERPRETATIONS = (
    "rounding",
    "resident_years",
    "salary_top_up",
    "monthly_subsidy",
    "travel",
    "settling_in_gate",
    "settling_in_reimbursement",
    "work_fund_cap",
    "a2_numbering",
)


@dataclass(frozen=True)
class TeamRules:
    """§三(四), A1-(1): teams of 3-5 with one captain; A1-(15): each member links ≥3
    departments; A1-(5): mentors hold at least 副主任医师."""

    min_size: int
    max_size: int
    captains: int
    coverage_3x_min_departments: int
    mentor_min_title: str
    clauses: Mapping[str, str]


@dataclass(frozen=True)
class CycleRules:
    """§七: a 3-year cycle; expiring window (product decision: an agreement is expiring when
    0 <= (end - today).days < expiring_window_days); §一: 70 target counties by 2027, 90% of
    assisted county hospitals meeting the standard."""

    years: int
    expiring_window_days: int
    target_year: int
    target_county_total: int
    standard_goal_share: Decimal
    clauses: Mapping[str, str]


@dataclass(frozen=True)
class HelperEligibility:
    """§一, §三(二): helpers are out-of-province (not ``home_province``) Grade-3A hospitals."""

    clause: str
    home_province: str
    home_province_aliases: tuple[str, ...]
    required_grade: str
    required_grade_aliases: tuple[str, ...]

    def is_home_province(self, province: str) -> bool:
        name = province.strip()
        return name == self.home_province or name in self.home_province_aliases

    def is_required_grade(self, grade: str) -> bool:
        name = grade.strip()
        return name == self.required_grade or name in self.required_grade_aliases


@dataclass(frozen=True)
class TitleRoute:
    """A title-evaluation route of §五 and where the resulting title is valid."""

    code: str
    label: str
    basis: str
    validity: str


@dataclass(frozen=True)
class TitleEvaluationRules:
    """§五: a recipient county among the 20 national key counties → ``key_county_route``
    (定向评价定向使用), otherwise ``other_route`` (县级要求); an entrustment letter is needed."""

    clause: str
    key_county_route: str
    other_route: str
    key_county_count: int
    needs_entrustment_letter: bool
    entrustment_letter_note: str
    routes: Mapping[str, TitleRoute]


@dataclass(frozen=True)
class Policy:
    """One versioned policy (e.g. guizhou_2025)."""

    id: str
    title: str
    effective_from: date
    source: str
    cycle: CycleRules
    helper_eligibility: HelperEligibility
    modes: tuple[Mode, ...]
    measures: tuple[Measure, ...]
    guarantee_terms: tuple[GuaranteeTerm, ...]
    incentives: IncentiveTerms
    team: TeamRules
    title_evaluation: TitleEvaluationRules
    activity_catalogue: ActivityCatalogue = EMPTY_CATALOGUE

    def mode(self, code: str) -> Mode:
        for mode in self.modes:
            if mode.code == code:
                return mode
        raise KeyError(f"政策 {self.id} 没有帮扶方式 {code}")

    def measure(self, code: str) -> Measure:
        for measure in self.measures:
            if measure.code == code:
                return measure
        raise KeyError(f"政策 {self.id} 没有帮扶措施 {code}")

    def guarantee_term(self, key: str) -> GuaranteeTerm:
        for term in self.guarantee_terms:
            if term.key == key:
                return term
        raise KeyError(f"政策 {self.id} 没有保障条款 {key}")

    @property
    def preferred_measures(self) -> tuple[Measure, ...]:
        return tuple(m for m in self.measures if m.kind is MeasureKind.PREFERRED)

    @property
    def optional_measures(self) -> tuple[Measure, ...]:
        return tuple(m for m in self.measures if m.kind is MeasureKind.OPTIONAL)
