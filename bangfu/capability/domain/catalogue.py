"""The capability indicator catalogue (§一: 推荐标准) as plain data, and its validation.

The catalogue is data (``bangfu/capability/data/*.toml``), read by ``bangfu.capability.loader``
and turned into these frozen dataclasses by ``catalogue_from_mapping``, which refuses a file that
breaks a rule with ``CatalogueError`` naming every bad entry (in Chinese), so the province can
replace the draft list and the pass rule with the official ones without a code change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

CODE_PATTERN = re.compile(r"^[A-Z]{1,4}-\d{2,3}$")


class EntryType(StrEnum):
    NUMBER = "number"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    TEXT = "text"
    COMPUTED = "computed"  # derived by the platform (OUT-01 itself), never entered


class PassRuleKind(StrEnum):
    CORE_AND_SHARE = "core_and_share"


@dataclass(frozen=True)
class Target:
    """The machine-checked threshold; an indicator without one is recorded, not judged."""

    minimum: Decimal | None = None
    maximum: Decimal | None = None
    equals: bool | None = None
    one_of: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.equals is not None:
            return "是" if self.equals else "否"
        if self.one_of:
            return "、".join(self.one_of)
        if self.minimum is not None and self.maximum is not None:
            return f"{self.minimum}–{self.maximum}"
        if self.minimum is not None:
            return f"≥ {self.minimum}"
        return f"≤ {self.maximum}"


@dataclass(frozen=True)
class Indicator:
    code: str
    dimension: str
    section: str
    name: str
    unit: str
    entry: EntryType
    minimum: Decimal | None
    maximum: Decimal | None
    choices: tuple[str, ...]
    target: Target | None
    core: bool
    applies_to: tuple[str, ...]
    provenance: str

    @property
    def entered(self) -> bool:
        return self.entry is not EntryType.COMPUTED


@dataclass(frozen=True)
class PassRule:
    kind: PassRuleKind
    others_share: Decimal


@dataclass(frozen=True)
class Catalogue:
    version: str
    status: str
    is_draft: bool
    pass_rule: PassRule
    indicators: tuple[Indicator, ...]
    applies_to_types: Mapping[str, tuple[str, ...]]

    def indicator(self, code: str) -> Indicator | None:
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        return None

    def entered_indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.entered)

    def applies(self, indicator: Indicator, institution_type: str) -> bool:
        """An indicator applies to a hospital when one of its ``applies_to`` labels maps to the
        hospital's registry type in ``applies_to_types``."""
        return any(
            institution_type in self.applies_to_types.get(label, ())
            for label in indicator.applies_to
        )

    def for_type(self, institution_type: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.entered_indicators() if self.applies(i, institution_type))


class CatalogueError(ValueError):
    """The catalogue file breaks a rule; ``problems`` are Chinese sentences naming the entry."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = tuple(problems)


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _target(
    code: str, raw: object, entry: EntryType, choices: tuple[str, ...], problems: list[str]
) -> Target | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.append(f"指标 {code}：target 应为映射或 null")
        return None
    if entry is EntryType.BOOLEAN:
        if set(raw) != {"equals"} or not isinstance(raw["equals"], bool):
            problems.append(f"指标 {code}：是/否指标的 target 应为 {{equals: true|false}}")
            return None
        return Target(equals=raw["equals"])
    if entry is EntryType.CHOICE:
        one_of = raw.get("in")
        if set(raw) != {"in"} or not isinstance(one_of, list) or not one_of:
            problems.append(f"指标 {code}：选项指标的 target 应为 {{in: [...]}}")
            return None
        unknown = [str(c) for c in one_of if c not in choices]
        if unknown:
            problems.append(f"指标 {code}：target 中的选项不在 choices 中：{'、'.join(unknown)}")
            return None
        return Target(one_of=tuple(str(c) for c in one_of))
    if entry is EntryType.NUMBER:
        if not raw or set(raw) - {"min", "max"}:
            problems.append(f"指标 {code}：数值指标的 target 只能有 min、max")
            return None
        minimum, maximum = _decimal(raw.get("min")), _decimal(raw.get("max"))
        if ("min" in raw and minimum is None) or ("max" in raw and maximum is None):
            problems.append(f"指标 {code}：target 的 min/max 应为数字")
            return None
        if minimum is not None and maximum is not None and minimum > maximum:
            problems.append(f"指标 {code}：target 的 min 大于 max")
            return None
        return Target(minimum=minimum, maximum=maximum)
    problems.append(f"指标 {code}：{entry.value} 类型的指标不能设 target")
    return None


def _indicator(raw: object, index: int, problems: list[str]) -> Indicator | None:
    if not isinstance(raw, Mapping):
        problems.append(f"第 {index} 个指标不是映射")
        return None
    code = str(raw.get("code", ""))
    if not CODE_PATTERN.match(code):
        problems.append(f"第 {index} 个指标的编码「{code}」格式不对（如 DX-01）")
        return None
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"指标 {code}：缺少名称")
    entry_raw = raw.get("entry")
    if not isinstance(entry_raw, Mapping) or entry_raw.get("type") not in set(EntryType):
        problems.append(f"指标 {code}：entry.type 应为 {'/'.join(EntryType)}")
        return None
    entry = EntryType(str(entry_raw["type"]))
    minimum = _decimal(entry_raw.get("min"))
    maximum = _decimal(entry_raw.get("max"))
    if minimum is not None and maximum is not None and minimum > maximum:
        problems.append(f"指标 {code}：entry 的 min 大于 max")
    choices_raw = entry_raw.get("choices", [])
    choices = tuple(str(c) for c in choices_raw) if isinstance(choices_raw, list) else ()
    if entry is EntryType.CHOICE and len(choices) < 2:
        problems.append(f"指标 {code}：选项指标至少需要两个 choices")
    core = raw.get("core", False)
    if not isinstance(core, bool):
        problems.append(f"指标 {code}：core 应为 true 或 false")
        core = False
    target = _target(code, raw.get("target"), entry, choices, problems)
    if core and target is None:
        problems.append(f"指标 {code}：核心指标必须有 target")
    applies_raw = raw.get("applies_to", [])
    applies_to = tuple(str(a) for a in applies_raw) if isinstance(applies_raw, list) else ()
    if not applies_to:
        problems.append(f"指标 {code}：applies_to 不能为空")
    return Indicator(
        code=code,
        dimension=str(raw.get("dimension", "")),
        section=str(raw.get("section", "")),
        name=str(name or ""),
        unit=str(raw.get("unit", "")),
        entry=entry,
        minimum=minimum,
        maximum=maximum,
        choices=choices,
        target=target,
        core=core,
        applies_to=applies_to,
        provenance=str(raw.get("provenance", "")),
    )


def catalogue_from_mapping(data: Mapping[str, object]) -> Catalogue:
    """Build and validate the catalogue: a ``version``; a ``pass_rule`` with ``rule:
    core_and_share`` and ``others_share`` in [0, 1]; ``applies_to_types``; indicators with unique
    codes, an ``entry`` type, a ``target`` matching it (required for core indicators), and
    ``applies_to`` labels known to ``applies_to_types``. Every problem is reported at once."""
    problems: list[str] = []
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        problems.append("缺少目录版本号 version")
    status = str(data.get("status", ""))
    rule_raw = data.get("pass_rule")
    pass_rule = PassRule(PassRuleKind.CORE_AND_SHARE, Decimal("1"))
    if not isinstance(rule_raw, Mapping) or rule_raw.get("rule") not in set(PassRuleKind):
        problems.append(f"pass_rule.rule 应为 {'/'.join(PassRuleKind)}")
    else:
        share = _decimal(rule_raw.get("others_share"))
        if share is None or not Decimal("0") <= share <= Decimal("1"):
            problems.append("pass_rule.others_share 应为 0 到 1 之间的数")
        else:
            pass_rule = PassRule(PassRuleKind(str(rule_raw["rule"])), share)
    types_raw = data.get("applies_to_types")
    applies_to_types: dict[str, tuple[str, ...]] = {}
    if not isinstance(types_raw, Mapping) or not types_raw:
        problems.append("缺少 applies_to_types（适用对象 → 机构类型）")
    else:
        for label, types in types_raw.items():
            if not isinstance(types, list) or not types:
                problems.append(f"applies_to_types.{label} 应为非空列表")
                continue
            applies_to_types[str(label)] = tuple(str(t) for t in types)
    raw_indicators = data.get("indicators")
    indicators: list[Indicator] = []
    if not isinstance(raw_indicators, list) or not raw_indicators:
        problems.append("指标列表 indicators 为空")
        raw_indicators = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_indicators, start=1):
        indicator = _indicator(raw, index, problems)
        if indicator is None:
            continue
        if indicator.code in seen:
            problems.append(f"指标编码 {indicator.code} 重复")
        seen.add(indicator.code)
        unknown = [a for a in indicator.applies_to if a not in applies_to_types]
        if applies_to_types and unknown:
            problems.append(
                f"指标 {indicator.code}：applies_to 未在 applies_to_types 中定义：{'、'.join(unknown)}"
            )
        indicators.append(indicator)
    if problems:
        raise CatalogueError(problems)
    return Catalogue(
        version=str(version),
        status=status,
        is_draft=status != "official",
        pass_rule=pass_rule,
        indicators=tuple(indicators),
        applies_to_types=applies_to_types,
    )
