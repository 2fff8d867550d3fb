"""Indicator values and whether a hospital meets the recommended standard (§一, 推荐标准).

Values are ``Decimal`` (numbers), ``bool`` (是/否) or ``str`` (a choice or free text).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from bangfu.capability.domain.catalogue import Catalogue, EntryType, Indicator, Target

IndicatorValue = Decimal | bool | str
TEXT_MAX_LENGTH = 500
TRUE_WORDS = frozenset({"是", "true", "True", "TRUE", "1"})
FALSE_WORDS = frozenset({"否", "false", "False", "FALSE", "0"})


class CheckStatus(StrEnum):
    MET = "met"
    FAILING = "failing"
    MISSING = "missing"
    NOT_JUDGED = "not_judged"  # no target: recorded only

    @property
    def label(self) -> str:
        return {
            "met": "达标",
            "failing": "未达标",
            "missing": "未填报",
            "not_judged": "仅记录",
        }[self.value]


def parse_value(indicator: Indicator, raw: object) -> tuple[IndicatorValue | None, str | None]:
    """``(value, None)`` for an acceptable entry, ``(None, reason)`` otherwise; ``None`` or an
    empty string is "no value" (``(None, None)``). Numbers must lie within the indicator's
    ``entry`` bounds; 是/否 accepts true/false or 是/否; a choice must be one of ``choices``."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if indicator.entry is EntryType.COMPUTED:
        return None, "该指标由平台计算，不能填报"
    if indicator.entry is EntryType.BOOLEAN:
        if isinstance(raw, bool):
            return raw, None
        text = str(raw).strip()
        if text in TRUE_WORDS:
            return True, None
        if text in FALSE_WORDS:
            return False, None
        return None, "应填“是”或“否”"
    if indicator.entry is EntryType.NUMBER:
        if isinstance(raw, bool):
            return None, "应为数字"
        try:
            number = Decimal(str(raw).strip().rstrip("%"))
        except InvalidOperation:
            return None, "应为数字"
        if not number.is_finite():
            return None, "应为数字"
        if indicator.minimum is not None and number < indicator.minimum:
            return None, f"不能小于 {indicator.minimum}"
        if indicator.maximum is not None and number > indicator.maximum:
            return None, f"不能大于 {indicator.maximum}"
        return number, None
    text = str(raw).strip()
    if indicator.entry is EntryType.CHOICE:
        if text not in indicator.choices:
            return None, f"应为以下之一：{'、'.join(indicator.choices)}"
        return text, None
    if len(text) > TEXT_MAX_LENGTH:
        return None, f"不能超过 {TEXT_MAX_LENGTH} 字"
    return text, None


def parse_values(
    catalogue: Catalogue, raw: Mapping[str, object]
) -> tuple[dict[str, IndicatorValue | None], dict[str, str]]:
    """All entries checked at once: ``(values, problems)`` where ``problems`` maps each refused
    indicator code to a Chinese reason that names the indicator; unknown codes are refused."""
    values: dict[str, IndicatorValue | None] = {}
    problems: dict[str, str] = {}
    for code in sorted(raw):
        indicator = catalogue.indicator(code)
        if indicator is None:
            problems[code] = f"指标 {code} 不在指标目录（{catalogue.version}）中"
            continue
        value, problem = parse_value(indicator, raw[code])
        if problem is not None:
            problems[code] = f"指标 {code}「{indicator.name}」：{problem}"
        else:
            values[code] = value
    return values, problems


def target_met(target: Target, value: IndicatorValue) -> bool:
    if target.equals is not None:
        return value is target.equals
    if target.one_of:
        return isinstance(value, str) and value in target.one_of
    if not isinstance(value, Decimal):
        return False
    if target.minimum is not None and value < target.minimum:
        return False
    return target.maximum is None or value <= target.maximum


@dataclass(frozen=True)
class IndicatorCheck:
    indicator: Indicator
    value: IndicatorValue | None
    status: CheckStatus


@dataclass(frozen=True)
class StandardResult:
    catalogue_version: str
    meets: bool
    core_total: int
    core_met: int
    others_total: int
    others_met: int
    others_needed: int
    checks: tuple[IndicatorCheck, ...]
    reasons: tuple[str, ...]

    @property
    def shortfall(self) -> int:
        """How many more indicators must be met to pass (0 when it passes): every core one not
        met plus the others still needed. Used to list the hospitals closest to passing."""
        return (self.core_total - self.core_met) + max(0, self.others_needed - self.others_met)

    @property
    def missing(self) -> tuple[IndicatorCheck, ...]:
        return tuple(c for c in self.checks if c.status is CheckStatus.MISSING)

    @property
    def failing(self) -> tuple[IndicatorCheck, ...]:
        return tuple(c for c in self.checks if c.status is CheckStatus.FAILING)


def standard_result(
    catalogue: Catalogue,
    institution_type: str,
    values: Mapping[str, IndicatorValue],
    *,
    indicators: Sequence[Indicator] | None = None,
) -> StandardResult:
    """Whether a hospital meets the recommended standard in one year (§一: by 2027, 90% of the
    assisted county hospitals reach the national 推荐标准).

    Rule (``pass_rule: core_and_share``, configured in the catalogue): only the indicators that
    apply to the hospital's type and have a target are judged. The hospital meets the standard
    when every judged core indicator meets its target, and at least ``ceil(others_share × n)``
    of the ``n`` judged other indicators meet theirs. A missing value counts as not met.
    Indicators without a target are recorded only.

    ``indicators`` is ``catalogue.for_type(institution_type)`` when the caller has it already
    (a summary judging many hospitals computes it once per type).
    """
    checks: list[IndicatorCheck] = []
    core_total = core_met = others_total = others_met = 0
    if indicators is None:
        indicators = catalogue.for_type(institution_type)
    for indicator in indicators:
        value = values.get(indicator.code)
        if indicator.target is None:
            status = CheckStatus.NOT_JUDGED if value is not None else CheckStatus.MISSING
            checks.append(IndicatorCheck(indicator, value, status))
            continue
        if value is None:
            status = CheckStatus.MISSING
        elif target_met(indicator.target, value):
            status = CheckStatus.MET
        else:
            status = CheckStatus.FAILING
        met = status is CheckStatus.MET
        if indicator.core:
            core_total += 1
            core_met += met
        else:
            others_total += 1
            others_met += met
        checks.append(IndicatorCheck(indicator, value, status))
    share = catalogue.pass_rule.others_share
    others_needed = math.ceil(share * others_total)
    reasons: list[str] = []
    if core_met < core_total:
        reasons.append(f"核心指标达标 {core_met}/{core_total}，须全部达标")
    if others_met < others_needed:
        reasons.append(f"其他指标达标 {others_met}/{others_total}，须至少 {others_needed} 项")
    meets = core_met == core_total and others_met >= others_needed
    return StandardResult(
        catalogue_version=catalogue.version,
        meets=meets,
        core_total=core_total,
        core_met=core_met,
        others_total=others_total,
        others_met=others_met,
        others_needed=others_needed,
        checks=tuple(checks),
        reasons=tuple(reasons),
    )


def value_to_json(value: IndicatorValue) -> object:
    """How a value is stored: numbers as decimal strings (exact), 是/否 as true/false, text as is."""
    if isinstance(value, Decimal):
        return str(value)
    return value


def value_from_json(indicator: Indicator, stored: object) -> IndicatorValue | None:
    """The stored value decoded by the indicator's entry type; None when it no longer fits
    (e.g. after the catalogue changed the type)."""
    if indicator.entry is EntryType.NUMBER and isinstance(stored, str | int | float):
        try:
            return Decimal(str(stored))
        except InvalidOperation:
            return None
    if indicator.entry is EntryType.BOOLEAN and isinstance(stored, bool):
        return stored
    if indicator.entry in (EntryType.CHOICE, EntryType.TEXT) and isinstance(stored, str):
        return stored
    return None


def value_display(value: IndicatorValue | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)
