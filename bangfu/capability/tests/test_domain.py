"""The catalogue loader's validation and the pass rule (§一 推荐标准), without a database."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bangfu.capability.domain.catalogue import Catalogue, CatalogueError, catalogue_from_mapping
from bangfu.capability.domain.standard import CheckStatus, parse_values, standard_result
from bangfu.capability.loader import (
    DATA_DIR,
    DEFAULT_CATALOGUE,
    load_catalogue,
    load_catalogue_file,
)


def _data(**changes: Any) -> dict[str, Any]:
    data = tomllib.loads((DATA_DIR / DEFAULT_CATALOGUE).read_text(encoding="utf-8"))
    data.update(changes)
    return data


def test_draft_catalogue_loads_as_a_draft_with_its_rule() -> None:
    catalogue = load_catalogue()
    assert catalogue.is_draft
    assert catalogue.version == "guizhou-draft-0.1"
    assert len(catalogue.indicators) == 78
    assert catalogue.pass_rule.others_share == Decimal("0.60")
    assert catalogue.indicator("DX-05") is not None
    # OUT-01 is the result itself: never entered.
    assert all(i.code != "OUT-01" for i in catalogue.entered_indicators())


def test_official_status_removes_the_draft_flag() -> None:
    assert not catalogue_from_mapping(_data(status="official")).is_draft


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"version": ""}, "version"),
        ({"pass_rule": {"rule": "majority"}}, "pass_rule.rule"),
        ({"pass_rule": {"rule": "core_and_share", "others_share": "1.5"}}, "others_share"),
        ({"applies_to_types": {}}, "applies_to_types"),
        ({"indicators": []}, "indicators"),
    ],
)
def test_catalogue_top_level_problems_are_named(changes: dict[str, Any], expected: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        catalogue_from_mapping(_data(**changes))
    assert expected in str(caught.value)


def test_every_bad_indicator_is_reported_at_once(tmp_path: Path) -> None:
    data = _data()
    by_code = {i["code"]: i for i in data["indicators"]}
    first, second, third = by_code["OUT-03"], by_code["OUT-04"], by_code["DX-24"]
    second["code"] = first["code"]  # duplicate
    third["target"] = {"min": 5, "max": 1}
    first["entry"] = {"type": "slider"}
    data["indicators"].append({"code": "bad code", "name": "x"})
    path = tmp_path / "catalogue.toml"
    path.write_text(_toml(data), encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue_file(path)
    text = str(caught.value)
    assert f"指标 {first['code']}：entry.type" in text
    assert "min 大于 max" in text
    assert "bad code" in text


def test_core_indicator_without_target_is_refused() -> None:
    data = _data()
    core = next(i for i in data["indicators"] if i.get("core"))
    del core["target"]
    with pytest.raises(CatalogueError, match=f"指标 {core['code']}：核心指标必须有 target"):
        catalogue_from_mapping(data)


def test_unreadable_file_is_a_catalogue_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("version = [", encoding="utf-8")
    with pytest.raises(CatalogueError, match="无法读取指标目录"):
        load_catalogue_file(path)


def _toml(data: dict[str, Any]) -> str:
    """A minimal TOML writer for the test's modified copies."""
    import json

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int | float):
            return repr(v)
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return (
            "{ "
            + ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {value(x)}" for k, x in v.items())
            + " }"
        )

    lines = [f"{k} = {value(v)}" for k, v in data.items() if not isinstance(v, dict | list)]
    for k, v in data.items():
        if isinstance(v, dict):
            lines.append(f"{k} = {value(v)}")
    for indicator in data["indicators"]:
        lines.append("[[indicators]]")
        lines.extend(f"{json.dumps(k)} = {value(v)}" for k, v in indicator.items())
    return "\n".join(lines) + "\n"


# ---- the pass rule, on a small catalogue ----

SMALL = {
    "version": "test-1",
    "status": "draft",
    "pass_rule": {"rule": "core_and_share", "others_share": "0.5"},
    "applies_to_types": {"县人民医院": ["general"], "县中医院": ["tcm"]},
    "indicators": [
        {
            "code": "C-01",
            "name": "核心数值",
            "entry": {"type": "number", "min": 0, "max": 100},
            "target": {"min": 90},
            "core": True,
            "applies_to": ["县人民医院", "县中医院"],
        },
        {
            "code": "C-02",
            "name": "核心是否",
            "entry": {"type": "boolean"},
            "target": {"equals": True},
            "core": True,
            "applies_to": ["县人民医院"],
        },
        {
            "code": "O-01",
            "name": "其他区间",
            "entry": {"type": "number", "min": 0, "max": 100},
            "target": {"min": 2, "max": 8},
            "applies_to": ["县人民医院", "县中医院"],
        },
        {
            "code": "O-02",
            "name": "其他选项",
            "entry": {"type": "choice", "choices": ["未建", "已建", "通过认证"]},
            "target": {"in": ["通过认证"]},
            "applies_to": ["县人民医院"],
        },
        {
            "code": "O-03",
            "name": "其他上限",
            "entry": {"type": "number", "min": 0},
            "target": {"max": 10},
            "applies_to": ["县人民医院"],
        },
        {"code": "R-01", "name": "仅记录", "entry": {"type": "text"}, "applies_to": ["县人民医院"]},
    ],
}


def _small() -> Catalogue:
    return catalogue_from_mapping(SMALL)


ALL_MET = {
    "C-01": Decimal("95"),
    "C-02": True,
    "O-01": Decimal("5"),
    "O-02": "通过认证",
    "O-03": Decimal("3"),
}


@pytest.mark.parametrize(
    ("case", "values", "meets", "shortfall"),
    [
        ("everything met", ALL_MET, True, 0),
        ("core exactly at the minimum", {**ALL_MET, "C-01": Decimal("90")}, True, 0),
        ("core just below", {**ALL_MET, "C-01": Decimal("89.9")}, False, 1),
        ("core boolean no", {**ALL_MET, "C-02": False}, False, 1),
        ("core missing", {k: v for k, v in ALL_MET.items() if k != "C-02"}, False, 1),
        # 3 others, share 0.5 → ceil(1.5) = 2 needed.
        ("two of three others", {**ALL_MET, "O-03": Decimal("11")}, True, 0),
        ("one of three others", {**ALL_MET, "O-03": Decimal("11"), "O-02": "已建"}, False, 1),
        ("range upper edge", {**ALL_MET, "O-01": Decimal("8"), "O-03": Decimal("11")}, True, 0),
        ("range above", {**ALL_MET, "O-01": Decimal("8.1"), "O-03": Decimal("11")}, False, 1),
        ("nothing entered", {}, False, 4),
    ],
)
def test_pass_rule_cases(case: str, values: dict[str, Any], meets: bool, shortfall: int) -> None:
    result = standard_result(_small(), "general", values)
    assert result.meets is meets, case
    assert result.shortfall == shortfall, case
    assert bool(result.reasons) is not meets


def test_indicators_apply_by_hospital_type() -> None:
    # A TCM hospital is judged on C-01 and O-01 only: share 0.5 of 1 → 1 needed.
    result = standard_result(_small(), "tcm", {"C-01": Decimal("91"), "O-01": Decimal("3")})
    assert (result.core_total, result.others_total, result.others_needed) == (1, 1, 1)
    assert result.meets


def test_missing_and_failing_are_listed() -> None:
    result = standard_result(_small(), "general", {"C-01": Decimal("10"), "R-01": "说明"})
    assert [c.indicator.code for c in result.failing] == ["C-01"]
    assert {c.indicator.code for c in result.missing} == {"C-02", "O-01", "O-02", "O-03"}
    recorded = next(c for c in result.checks if c.indicator.code == "R-01")
    assert recorded.status is CheckStatus.NOT_JUDGED


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"C-01": "abc"}, "应为数字"),
        ({"C-01": 101}, "不能大于 100"),
        ({"C-01": -1}, "不能小于 0"),
        ({"C-01": True}, "应为数字"),
        ({"C-02": "也许"}, "应填“是”或“否”"),
        ({"O-02": "建成"}, "应为以下之一"),
        ({"X-99": 1}, "不在指标目录"),
    ],
)
def test_values_are_checked_against_type_and_bounds(raw: dict[str, object], problem: str) -> None:
    values, problems = parse_values(_small(), raw)
    assert not values
    (code,) = problems
    assert problem in problems[code]
    assert code in problems[code]


def test_values_parse_words_and_numbers() -> None:
    values, problems = parse_values(
        _small(), {"C-01": "95.5", "C-02": "是", "O-02": "已建", "O-03": None}
    )
    assert not problems
    assert values == {"C-01": Decimal("95.5"), "C-02": True, "O-02": "已建", "O-03": None}


# ---- county plan yearly targets ----


@pytest.mark.parametrize(
    ("code", "target", "value", "reached"),
    [
        ("C-01", Decimal("50"), Decimal("50"), True),
        ("C-01", Decimal("50"), Decimal("49"), False),
        ("O-03", Decimal("5"), Decimal("4"), True),  # upper-bound indicator: lower is better
        ("O-03", Decimal("5"), Decimal("6"), False),
        ("C-02", True, True, True),
        ("C-02", True, False, False),
        ("O-02", "已建", "通过认证", True),  # a later stage reaches an earlier one
        ("O-02", "已建", "未建", False),
        ("C-01", Decimal("50"), None, False),
    ],
)
def test_plan_indicator_target_cases(code, target, value, reached) -> None:
    from bangfu.capability.domain.plans import plan_indicator_reached

    indicator = _small().indicator(code)
    assert indicator is not None
    assert plan_indicator_reached(indicator, target, value) is reached
