"""Read and validate a policy file (``bangfu/policy/<policy_id>.toml``).

``load_policy(policy_id)`` is the entry point (cached); ``load_policy_file(path)`` reads any
file (used by tests on broken copies). A file that breaks a rule is refused with ``PolicyError``
whose Chinese message names the bad entry.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from bangfu.policy.domain import (
    ActivityAttribute,
    ActivityCatalogue,
    ActivityKind,
    ActivityQuantity,
    CycleRules,
    GuaranteeTerm,
    HelperEligibility,
    IncentiveTerms,
    Measure,
    MeasureKind,
    MeasureTarget,
    Mode,
    Policy,
    TargetKind,
    TeamRules,
    TermKind,
    TitleEvaluationRules,
    TitleRoute,
)
from bangfu.policy.domain.activities import EMPTY_CATALOGUE
from bangfu.policy.domain.policy import STATEMENT_INTERPRETATIONS

POLICY_DIR = Path(__file__).resolve().parent
DEFAULT_POLICY_ID = "guizhou_2025"
EXPECTED_MODE_COUNT = 6  # §二 (一)-(六)
EXPECTED_MEASURE_COUNT = 21  # Annex 1
EXPECTED_PREFERRED_COUNT = 7  # Annex 1 一、优选项 (1)-(7)
_POLICY_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_IDENTIFIER_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

# Pairs of [incentives] keys and [guarantee_terms] keys that state the same policy value twice
# (the incentives engine reads the first, agreements the second); they must agree.
_INCENTIVE_TERM_PAIRS: tuple[tuple[str, str], ...] = (
    ("top_up_multiplier", "top_up_multiplier"),
    ("vice_president_min_resident_years", "vice_president_min_resident_years"),
    ("president_min_resident_years", "president_min_resident_years"),
    ("monthly_subsidy_senior", "monthly_subsidy_senior"),
    ("monthly_subsidy_associate", "monthly_subsidy_associate"),
    ("settling_in_allowance", "settling_in_allowance"),
    ("travel_claims_per_month", "travel_round_trips_per_month"),
    ("work_fund_per_hospital_per_year", "work_fund_per_year"),
    ("insurance_min_coverage", "insurance_min_coverage"),
    ("health_checks_per_year", "health_checks_per_year"),
)


class PolicyError(ValueError):
    """A policy file is missing, unreadable or breaks a rule; the message names the entry."""


class _Entry:
    """Typed access to one TOML table; every read error names the entry and key.

    ``finish()`` refuses keys that were never read, so a misspelt key is an error, not a
    silently ignored value.
    """

    def __init__(self, data: object, name: str) -> None:
        if not isinstance(data, Mapping):
            raise PolicyError(f"{name} 应为表（table）")
        self._data: Mapping[str, object] = data
        self.name = name
        self._read: set[str] = set()

    def has(self, key: str) -> bool:
        return key in self._data

    def raw(self, key: str) -> object:
        if key not in self._data:
            raise PolicyError(f"{self.name} 缺少 {key}")
        self._read.add(key)
        return self._data[key]

    def str_(self, key: str, *, allow_empty: bool = False) -> str:
        value = self.raw(key)
        if not isinstance(value, str):
            raise PolicyError(f"{self.name} 的 {key} 应为文本")
        if not allow_empty and not value.strip():
            raise PolicyError(f"{self.name} 的 {key} 不能为空")
        return value

    def int_(self, key: str) -> int:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise PolicyError(f"{self.name} 的 {key} 应为整数")
        return value

    def bool_(self, key: str) -> bool:
        value = self.raw(key)
        if not isinstance(value, bool):
            raise PolicyError(f"{self.name} 的 {key} 应为 true 或 false")
        return value

    def date_(self, key: str) -> date:
        value = self.raw(key)
        if not isinstance(value, date):
            raise PolicyError(f"{self.name} 的 {key} 应为日期（如 2025-01-01）")
        return value

    def decimal(self, key: str) -> Decimal:
        return _to_decimal(self.raw(key), f"{self.name} 的 {key}")

    def optional_decimal(self, key: str) -> Decimal | None:
        return self.decimal(key) if self.has(key) else None

    def entry(self, key: str, name: str) -> _Entry:
        return _Entry(self.raw(key), name)

    def entries(self, key: str) -> list[_Entry]:
        value = self.raw(key)
        if not isinstance(value, list):
            raise PolicyError(f"{self.name} 的 {key} 应为表数组（[[{key}]]）")
        return [_Entry(item, f"{key}[{index + 1}]") for index, item in enumerate(value)]

    def str_tuple(self, key: str) -> tuple[str, ...]:
        value = self.raw(key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise PolicyError(f"{self.name} 的 {key} 应为非空文本列表")
        return tuple(str(v) for v in value)

    def str_mapping(self, key: str) -> Mapping[str, str]:
        table = self.entry(key, f"{self.name}.{key}")
        result = {name: table.str_(name) for name in table.key_names()}
        table.finish()
        return MappingProxyType(result)

    def key_names(self) -> list[str]:
        return list(self._data)

    def finish(self) -> None:
        unknown = sorted(set(self._data) - self._read)
        if unknown:
            raise PolicyError(f"{self.name} 含有未知项：{'、'.join(unknown)}")


def _to_decimal(value: object, where: str) -> Decimal:
    """Exact numbers only: an integer or a decimal written as a string ("1.5"); a TOML float
    is refused because binary floats cannot hold money exactly."""
    if isinstance(value, bool):
        raise PolicyError(f"{where} 应为数字")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise PolicyError(f"{where} 不是有效数字：{value!r}") from None
        if not number.is_finite():
            raise PolicyError(f"{where} 不是有效数字：{value!r}")
        return number
    if isinstance(value, float):
        raise PolicyError(f'{where} 的小数须写成字符串（如 "1.5"），以免浮点误差')
    raise PolicyError(f"{where} 应为数字")


def _fmt(value: Decimal) -> str:
    return f"{value:f}"


def _check_bounds(where: str, value: Decimal, low: Decimal | None, high: Decimal | None) -> None:
    if low is not None and high is not None and low > high:
        raise PolicyError(f"{where} 的下限 {_fmt(low)} 大于上限 {_fmt(high)}")
    if low is not None and value < low:
        raise PolicyError(f"{where} 的默认值 {_fmt(value)} 低于下限 {_fmt(low)}")
    if high is not None and value > high:
        raise PolicyError(f"{where} 的默认值 {_fmt(value)} 高于上限 {_fmt(high)}")


def _read_meta(root: _Entry) -> tuple[str, str, date, str]:
    meta = root.entry("meta", "[meta]")
    result = (
        meta.str_("id"),
        meta.str_("title"),
        meta.date_("effective_from"),
        meta.str_("source"),
    )
    meta.finish()
    return result


def _read_cycle(root: _Entry) -> CycleRules:
    cycle = root.entry("cycle", "[cycle]")
    rules = CycleRules(
        years=cycle.int_("years"),
        expiring_window_days=cycle.int_("expiring_window_days"),
        target_year=cycle.int_("target_year"),
        target_county_total=cycle.int_("target_county_total"),
        standard_goal_share=cycle.decimal("standard_goal_share"),
        clauses=cycle.str_mapping("clauses"),
    )
    cycle.finish()
    for key in ("years", "expiring_window_days", "target_county_total"):
        if getattr(rules, key) < 1:
            raise PolicyError(f"[cycle] 的 {key} 应为正整数")
    if not Decimal(0) <= rules.standard_goal_share <= Decimal(1):
        raise PolicyError("[cycle] 的 standard_goal_share 应在 0 到 1 之间")
    _require_clauses("[cycle]", rules.clauses, ("years", "expiring_window_days", "target_year"))
    return rules


def _read_helper_eligibility(root: _Entry) -> HelperEligibility:
    entry = root.entry("helper_eligibility", "[helper_eligibility]")
    rules = HelperEligibility(
        clause=entry.str_("clause"),
        home_province=entry.str_("home_province"),
        home_province_aliases=entry.str_tuple("home_province_aliases"),
        required_grade=entry.str_("required_grade"),
        required_grade_aliases=entry.str_tuple("required_grade_aliases"),
    )
    entry.finish()
    return rules


def _require_clauses(where: str, clauses: Mapping[str, str], keys: Sequence[str]) -> None:
    missing = [key for key in keys if key not in clauses]
    if missing:
        raise PolicyError(f"{where}.clauses 缺少条款出处：{'、'.join(missing)}")


def _read_modes(root: _Entry) -> tuple[Mode, ...]:
    modes: list[Mode] = []
    for entry in root.entries("modes"):
        code = entry.str_("code")
        entry.name = f"帮扶方式 {code}"
        modes.append(
            Mode(
                code=code,
                name=entry.str_("name"),
                clause=entry.str_("clause"),
                description=entry.str_("description"),
            )
        )
        entry.finish()
    if len(modes) != EXPECTED_MODE_COUNT:
        raise PolicyError(
            f"[[modes]] 应有 {EXPECTED_MODE_COUNT} 种帮扶方式（§二），实际为 {len(modes)} 种"
        )
    _require_unique("帮扶方式代码", [mode.code for mode in modes])
    return tuple(modes)


def _require_unique(what: str, values: Sequence[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise PolicyError(f"{what} {value} 重复")
        seen.add(value)


def _read_target(entry: _Entry, measure_name: str) -> MeasureTarget:
    key = entry.str_("key")
    entry.name = f"{measure_name} 的目标 {key}"
    label = entry.str_("label")
    unit = entry.str_("unit")
    raw_default = entry.raw("default")
    if isinstance(raw_default, str) and (raw_default == "" or not _looks_numeric(raw_default)):
        choices: tuple[str, ...] = ()
        if entry.has("choices"):
            choices = entry.str_tuple("choices")
            if raw_default and raw_default not in choices:
                raise PolicyError(f"{entry.name} 的默认值 {raw_default} 不在可选项中")
        if entry.has("min") or entry.has("max"):
            raise PolicyError(f"{entry.name} 是文本目标，不能设上下限")
        entry.finish()
        return MeasureTarget(
            key=key,
            label=label,
            unit=unit,
            kind=TargetKind.TEXT,
            default=raw_default,
            choices=choices,
        )
    default = _to_decimal(raw_default, f"{entry.name} 的 default")
    minimum = entry.optional_decimal("min")
    maximum = entry.optional_decimal("max")
    _check_bounds(entry.name, default, minimum, maximum)
    entry.finish()
    return MeasureTarget(
        key=key,
        label=label,
        unit=unit,
        kind=TargetKind.NUMBER,
        default=default,
        minimum=minimum,
        maximum=maximum,
    )


def _looks_numeric(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def _read_measures(root: _Entry) -> tuple[Measure, ...]:
    measures: list[Measure] = []
    for entry in root.entries("measures"):
        code = entry.str_("code")
        entry.name = f"措施 {code}"
        kind_text = entry.str_("kind")
        try:
            kind = MeasureKind(kind_text)
        except ValueError:
            raise PolicyError(
                f"{entry.name} 的 kind 应为 preferred 或 optional，实际为 {kind_text}"
            ) from None
        targets = tuple(_read_target(item, entry.name) for item in entry.entries("targets"))
        if not targets:
            raise PolicyError(f"{entry.name} 至少应有一个目标")
        _require_unique(f"{entry.name} 的目标键", [target.key for target in targets])
        measure = Measure(
            code=code,
            number=entry.int_("number"),
            kind=kind,
            clause=entry.str_("clause"),
            title=entry.str_("title"),
            text=entry.str_("text"),
            targets=targets,
        )
        entry.finish()
        if not measure.text.startswith(measure.title):
            raise PolicyError(f"{entry.name} 的 text 应以标题“{measure.title}”开头")
        measures.append(measure)
    if len(measures) != EXPECTED_MEASURE_COUNT:
        raise PolicyError(
            f"[[measures]] 应有 {EXPECTED_MEASURE_COUNT} 项帮扶措施（附件1），实际为 {len(measures)} 项"
        )
    _require_unique("帮扶措施代码", [measure.code for measure in measures])
    for expected, measure in enumerate(measures, start=1):
        if measure.number != expected:
            raise PolicyError(
                f"措施 {measure.code} 的序号应为 {expected}（措施须按 1..{EXPECTED_MEASURE_COUNT} 顺序排列），"
                f"实际为 {measure.number}"
            )
        expected_kind = (
            MeasureKind.PREFERRED if expected <= EXPECTED_PREFERRED_COUNT else MeasureKind.OPTIONAL
        )
        if measure.kind is not expected_kind:
            raise PolicyError(
                f"措施 {measure.code} 应为{expected_kind.label}（附件1 优选项为第1-{EXPECTED_PREFERRED_COUNT}项）"
            )
    preferred = sum(1 for measure in measures if measure.kind is MeasureKind.PREFERRED)
    if preferred != EXPECTED_PREFERRED_COUNT:
        raise PolicyError(f"优选项应有 {EXPECTED_PREFERRED_COUNT} 项，实际为 {preferred} 项")
    return tuple(measures)


def _read_guarantee_terms(root: _Entry) -> tuple[GuaranteeTerm, ...]:
    table = root.entry("guarantee_terms", "[guarantee_terms]")
    terms: list[GuaranteeTerm] = []
    for key in table.key_names():
        entry = table.entry(key, f"保障条款 {key}")
        kind_text = entry.str_("kind")
        try:
            kind = TermKind(kind_text)
        except ValueError:
            raise PolicyError(f"{entry.name} 的 kind 无效：{kind_text}") from None
        label = entry.str_("label")
        clause = entry.str_("clause")
        unit = entry.str_("unit", allow_empty=kind is TermKind.FLAG)
        if kind is TermKind.FLAG:
            term = GuaranteeTerm(
                key=key,
                label=label,
                clause=clause,
                kind=kind,
                unit=unit,
                value=entry.bool_("value"),
            )
        else:
            value = entry.decimal("value")
            minimum = entry.optional_decimal("min")
            maximum = entry.optional_decimal("max")
            _check_bounds(entry.name, value, minimum, maximum)
            term = GuaranteeTerm(
                key=key,
                label=label,
                clause=clause,
                kind=kind,
                unit=unit,
                value=value,
                minimum=minimum,
                maximum=maximum,
            )
            problem = term.value_problem(value)
            if problem is not None:
                raise PolicyError(f"{entry.name}：{problem}")
        entry.finish()
        terms.append(term)
    table.finish()
    if not terms:
        raise PolicyError("[guarantee_terms] 不能为空")
    return tuple(terms)


def _read_incentives(root: _Entry) -> IncentiveTerms:
    entry = root.entry("incentives", "[incentives]")
    terms = IncentiveTerms(
        top_up_multiplier=entry.decimal("top_up_multiplier"),
        top_up_min_resident_years=entry.int_("top_up_min_resident_years"),
        vice_president_min_resident_years=entry.int_("vice_president_min_resident_years"),
        president_min_resident_years=entry.int_("president_min_resident_years"),
        monthly_subsidy_senior=entry.decimal("monthly_subsidy_senior"),
        monthly_subsidy_associate=entry.decimal("monthly_subsidy_associate"),
        settling_in_allowance=entry.decimal("settling_in_allowance"),
        travel_claims_per_month=entry.int_("travel_claims_per_month"),
        work_fund_per_hospital_per_year=entry.decimal("work_fund_per_hospital_per_year"),
        insurance_min_coverage=entry.decimal("insurance_min_coverage"),
        health_checks_per_year=entry.int_("health_checks_per_year"),
        money_quantum=entry.decimal("money_quantum"),
        clauses=entry.str_mapping("clauses"),
        interpretations=entry.str_mapping("interpretations"),
    )
    entry.finish()
    if terms.money_quantum <= 0:
        raise PolicyError("[incentives] 的 money_quantum 应大于 0")
    _require_clauses(
        "[incentives]",
        terms.clauses,
        (
            "salary_top_up",
            "monthly_subsidy",
            "settling_in",
            "travel",
            "work_fund",
            "insurance",
            "health_check",
            "appointment",
            "title_route",
        ),
    )
    missing = [key for key in STATEMENT_INTERPRETATIONS if key not in terms.interpretations]
    if missing:
        raise PolicyError(f"[incentives].interpretations 缺少解释：{'、'.join(missing)}")
    return terms


def _read_team(root: _Entry) -> TeamRules:
    entry = root.entry("team", "[team]")
    rules = TeamRules(
        min_size=entry.int_("min_size"),
        max_size=entry.int_("max_size"),
        captains=entry.int_("captains"),
        coverage_3x_min_departments=entry.int_("coverage_3x_min_departments"),
        mentor_min_title=entry.str_("mentor_min_title"),
        clauses=entry.str_mapping("clauses"),
    )
    entry.finish()
    if not 1 <= rules.min_size <= rules.max_size:
        raise PolicyError("[team] 的 min_size 应为正数且不大于 max_size")
    if not 1 <= rules.captains <= rules.min_size:
        raise PolicyError("[team] 的 captains 应为正数且不大于 min_size")
    _require_clauses(
        "[team]",
        rules.clauses,
        ("min_size", "max_size", "captains", "coverage_3x_min_departments", "mentor_min_title"),
    )
    return rules


def _read_title_evaluation(root: _Entry) -> TitleEvaluationRules:
    entry = root.entry("title_evaluation", "[title_evaluation]")
    routes_table = entry.entry("routes", "[title_evaluation.routes]")
    routes: dict[str, TitleRoute] = {}
    for code in routes_table.key_names():
        route = routes_table.entry(code, f"职称评审路径 {code}")
        routes[code] = TitleRoute(
            code=code,
            label=route.str_("label"),
            basis=route.str_("basis"),
            validity=route.str_("validity"),
        )
        route.finish()
    routes_table.finish()
    rules = TitleEvaluationRules(
        clause=entry.str_("clause"),
        key_county_route=entry.str_("key_county_route"),
        other_route=entry.str_("other_route"),
        key_county_count=entry.int_("key_county_count"),
        needs_entrustment_letter=entry.bool_("needs_entrustment_letter"),
        entrustment_letter_note=entry.str_("entrustment_letter_note"),
        routes=MappingProxyType(routes),
    )
    entry.finish()
    for name in ("key_county_route", "other_route"):
        code = getattr(rules, name)
        if code not in routes:
            raise PolicyError(f"[title_evaluation] 的 {name} 指向未定义的路径 {code}")
    return rules


def _read_activity_quantity(entry: _Entry, kind_name: str) -> ActivityQuantity:
    name = entry.str_("name")
    entry.name = f"{kind_name} 的数量 {name}"
    quantity = ActivityQuantity(
        name=name,
        label=entry.str_("label"),
        unit=entry.str_("unit"),
        maximum=entry.int_("max"),
        main=entry.bool_("main") if entry.has("main") else False,
        people=entry.bool_("people") if entry.has("people") else False,
    )
    entry.finish()
    if not _IDENTIFIER_PATTERN.match(name):
        raise PolicyError(f"{entry.name} 的 name 应为小写英文标识")
    if quantity.maximum < 1:
        raise PolicyError(f"{entry.name} 的 max 应为正整数")
    return quantity


def _read_activity_attribute(entry: _Entry, kind_name: str) -> ActivityAttribute:
    key = entry.str_("key")
    entry.name = f"{kind_name} 的属性 {key}"
    attribute = ActivityAttribute(
        key=key,
        label=entry.str_("label"),
        choices=entry.str_tuple("choices") if entry.has("choices") else (),
    )
    entry.finish()
    _require_unique(f"{entry.name} 的可选项", list(attribute.choices))
    return attribute


def _read_activity_catalogue(
    root: _Entry, measures: tuple[Measure, ...], modes: tuple[Mode, ...]
) -> ActivityCatalogue:
    """F8: the kinds of activity and what each counts towards. Every measure code must be one of
    Annex 1's, every mode one of §二's; each kind has exactly one main quantity and at most one
    people count. Optional: a policy file without it has an empty catalogue."""
    if not root.has("activity_catalogue"):
        return EMPTY_CATALOGUE
    table = root.entry("activity_catalogue", "[activity_catalogue]")
    measure_codes = {m.code for m in measures}
    mode_codes = {m.code for m in modes}
    kinds: list[ActivityKind] = []
    for entry in table.entries("kinds"):
        code = entry.str_("code")
        entry.name = f"活动类型 {code}"
        if not _IDENTIFIER_PATTERN.match(code):
            raise PolicyError(f"{entry.name} 的 code 应为小写英文标识")
        quantities = tuple(
            _read_activity_quantity(q, entry.name) for q in entry.entries("quantities")
        )
        attributes = (
            tuple(_read_activity_attribute(a, entry.name) for a in entry.entries("attributes"))
            if entry.has("attributes")
            else ()
        )
        kind = ActivityKind(
            code=code,
            name=entry.str_("name"),
            clause=entry.str_("clause"),
            measures=entry.str_tuple("measures"),
            modes=entry.str_tuple("modes"),
            quantities=quantities,
            attributes=attributes,
        )
        entry.finish()
        for measure_code in kind.measures:
            if measure_code not in measure_codes:
                raise PolicyError(f"{entry.name} 引用了未知的帮扶措施 {measure_code}（附件1）")
        for mode_code in kind.modes:
            if mode_code not in mode_codes:
                raise PolicyError(f"{entry.name} 引用了未知的帮扶方式 {mode_code}（§二）")
        _require_unique(f"{entry.name} 的数量名", [q.name for q in quantities])
        _require_unique(f"{entry.name} 的属性键", [a.key for a in attributes])
        if sum(1 for q in quantities if q.main) != 1:
            raise PolicyError(f"{entry.name} 应有且只有一个主数量（main = true）")
        if sum(1 for q in quantities if q.people) > 1:
            raise PolicyError(f"{entry.name} 至多有一个受益人次数量（people = true）")
        kinds.append(kind)
    catalogue = ActivityCatalogue(
        version=table.str_("version"), clause=table.str_("clause"), kinds=tuple(kinds)
    )
    table.finish()
    if not kinds:
        raise PolicyError("[activity_catalogue] 至少应有一种活动类型")
    _require_unique("活动类型代码", [k.code for k in kinds])
    _require_unique("活动类型名称", [k.name for k in kinds])
    return catalogue


def _check_consistency(
    incentives: IncentiveTerms,
    terms: tuple[GuaranteeTerm, ...],
    team: TeamRules,
    measures: tuple[Measure, ...],
) -> None:
    """Values the file states twice must agree, so the policy has one value per rule."""
    by_key = {term.key: term for term in terms}
    for incentive_key, term_key in _INCENTIVE_TERM_PAIRS:
        if term_key not in by_key:
            raise PolicyError(f"[guarantee_terms] 缺少保障条款 {term_key}")
        incentive_value = Decimal(getattr(incentives, incentive_key))
        if by_key[term_key].value != incentive_value:
            raise PolicyError(
                f"[incentives] 的 {incentive_key}（{_fmt(incentive_value)}）与保障条款 "
                f"{term_key} 的默认值不一致"
            )
    team_measure = next((m for m in measures if m.number == 1), None)
    if team_measure is not None and any(t.key == "team_size" for t in team_measure.targets):
        size = team_measure.target("team_size")
        if size.minimum != team.min_size or size.maximum != team.max_size:
            raise PolicyError(
                "措施 M01 的目标 team_size 上下限与 [team] 的 min_size/max_size 不一致"
            )


def policy_from_mapping(data: Mapping[str, object], source: str) -> Policy:
    """Build and validate a ``Policy`` from parsed TOML; ``source`` names the file in errors."""
    try:
        root = _Entry(data, source)
        policy_id, title, effective_from, source_note = _read_meta(root)
        cycle = _read_cycle(root)
        helper_eligibility = _read_helper_eligibility(root)
        modes = _read_modes(root)
        measures = _read_measures(root)
        terms = _read_guarantee_terms(root)
        incentives = _read_incentives(root)
        team = _read_team(root)
        title_evaluation = _read_title_evaluation(root)
        activity_catalogue = _read_activity_catalogue(root, measures, modes)
        root.finish()
        _check_consistency(incentives, terms, team, measures)
    except PolicyError as error:
        raise PolicyError(f"政策文件 {source}：{error}") from None
    return Policy(
        id=policy_id,
        title=title,
        effective_from=effective_from,
        source=source_note,
        cycle=cycle,
        helper_eligibility=helper_eligibility,
        modes=modes,
        measures=measures,
        guarantee_terms=terms,
        incentives=incentives,
        team=team,
        title_evaluation=title_evaluation,
        activity_catalogue=activity_catalogue,
    )


def load_policy_file(path: Path) -> Policy:
    """Read, parse and validate one policy file (not cached)."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise PolicyError(f"政策文件 {path.name} 不存在") from None
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"政策文件 {path.name} 格式错误：{error}") from None
    return policy_from_mapping(data, path.name)


def policy_file(policy_id: str = DEFAULT_POLICY_ID) -> Path:
    """Where ``load_policy(policy_id)`` reads from (rows derived from the policy hash it)."""
    if not _POLICY_ID_PATTERN.match(policy_id):
        raise PolicyError(f"政策编号 {policy_id!r} 无效")
    return POLICY_DIR / f"{policy_id}.toml"


def load_policy(policy_id: str = DEFAULT_POLICY_ID) -> Policy:
    """The policy ``policy_id`` read from ``bangfu/policy/<policy_id>.toml``.

    Cached per id: every caller gets the same ``Policy`` object (``load_policy()`` and
    ``load_policy("guizhou_2025")`` included).
    """
    return _load_policy_cached(policy_id)


@lru_cache(maxsize=8)
def _load_policy_cached(policy_id: str) -> Policy:
    policy = load_policy_file(policy_file(policy_id))
    if policy.id != policy_id:
        raise PolicyError(
            f"政策文件 {policy_id}.toml 的 [meta] id 应为 {policy_id}，实际为 {policy.id}"
        )
    return policy
