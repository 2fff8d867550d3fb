"""parse_instance: every kind of bad input names its field; good input keeps ids as given."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from bangfu.matching.domain import (
    HelperEntry,
    MatchingInputError,
    MatchingInstance,
    PairWeight,
    RecipientEntry,
    parse_instance,
)

GOOD = {
    "recipients": [{"id": "r1", "prefs": ["h1", 2]}, {"id": 5, "prefs": []}],
    "helpers": [
        {"id": "h1", "capacity": 1, "prefs": ["r1"]},
        {"id": 2, "capacity": 0, "prefs": []},
    ],
    "weights": [["r1", "h1", Decimal("1.5")], [5, 2, 3]],
}


def with_change(path: list, value: object, delete: bool = False) -> dict:
    data = copy.deepcopy(GOOD)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


def test_good_input_keeps_ids_and_exact_weights():
    instance = parse_instance(GOOD)
    assert instance == MatchingInstance(
        (RecipientEntry("r1", ("h1", 2)), RecipientEntry(5, ())),
        (HelperEntry("h1", 1, ("r1",)), HelperEntry(2, 0, ())),
        (PairWeight("r1", "h1", Decimal("1.5")), PairWeight(5, 2, Decimal(3))),
    )


def test_weights_are_optional_and_other_keys_ignored():
    data = with_change(["weights"], None, delete=True) | {"note": "ignored"}
    assert parse_instance(data).weights is None


def test_null_weights_mean_no_weights():
    assert parse_instance(with_change(["weights"], None)).weights is None


def test_float_weight_is_read_through_its_shortest_repr():
    instance = parse_instance(with_change(["weights", 0, 2], 0.1))
    assert instance.weights is not None
    assert instance.weights[0].weight == Decimal("0.1")


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        pytest.param([], "$", "JSON 对象", id="not_an_object"),
        pytest.param(
            with_change(["recipients"], None, delete=True),
            "recipients",
            "缺少必填字段",
            id="missing_recipients",
        ),
        pytest.param(
            with_change(["helpers"], {"id": 1}), "helpers", "必须是数组", id="helpers_not_a_list"
        ),
        pytest.param(
            with_change(["recipients", 1], "r2"),
            "recipients[1]",
            "必须是 JSON 对象",
            id="recipient_not_an_object",
        ),
        pytest.param(
            with_change(["recipients", 0, "id"], None, delete=True),
            "recipients[0].id",
            "缺少必填字段",
            id="missing_id",
        ),
        pytest.param(
            with_change(["recipients", 0, "prefs"], None, delete=True),
            "recipients[0].prefs",
            "缺少必填字段",
            id="missing_prefs",
        ),
        pytest.param(
            with_change(["helpers", 1, "capacity"], None, delete=True),
            "helpers[1].capacity",
            "缺少必填字段",
            id="missing_capacity",
        ),
        pytest.param(
            with_change(["recipients", 1, "id"], 1.5),
            "recipients[1].id",
            "字符串或整数",
            id="float_id",
        ),
        pytest.param(
            with_change(["helpers", 0, "id"], True),
            "helpers[0].id",
            "字符串或整数",
            id="boolean_id",
        ),
        pytest.param(
            with_change(["recipients", 1, "id"], "r1"),
            "recipients[1].id",
            '重复的受扶医院 id "r1"',
            id="duplicate_recipient_id",
        ),
        pytest.param(
            with_change(["helpers", 1, "id"], "h1"),
            "helpers[1].id",
            '重复的帮扶医院 id "h1"',
            id="duplicate_helper_id",
        ),
        pytest.param(
            with_change(["recipients", 0, "prefs"], ["h1", "h9"]),
            "recipients[0].prefs[1]",
            '未知的帮扶医院 id "h9"',
            id="unknown_helper_in_prefs",
        ),
        pytest.param(
            with_change(["helpers", 0, "prefs"], [7]),
            "helpers[0].prefs[0]",
            "未知的受扶医院 id 7",
            id="unknown_recipient_in_prefs",
        ),
        pytest.param(
            with_change(["recipients", 0, "prefs"], ["h1", "h1"]),
            "recipients[0].prefs[1]",
            "重复出现",
            id="repeated_pref",
        ),
        pytest.param(
            with_change(["recipients", 0, "prefs"], "h1"),
            "recipients[0].prefs",
            "必须是 id 数组",
            id="prefs_not_a_list",
        ),
        pytest.param(
            with_change(["helpers", 0, "capacity"], -1),
            "helpers[0].capacity",
            "容量不能为负数",
            id="negative_capacity",
        ),
        pytest.param(
            with_change(["helpers", 0, "capacity"], "2"),
            "helpers[0].capacity",
            "容量必须是整数",
            id="capacity_not_an_integer",
        ),
        pytest.param(
            with_change(["weights"], {"r1": 1}), "weights", "数组", id="weights_not_a_list"
        ),
        pytest.param(
            with_change(["weights", 0], ["r1", "h1"]),
            "weights[0]",
            "三元组",
            id="weight_not_a_triple",
        ),
        pytest.param(
            with_change(["weights", 0, 0], "rx"),
            "weights[0][0]",
            '未知的受扶医院 id "rx"',
            id="weight_unknown_recipient",
        ),
        pytest.param(
            with_change(["weights", 0, 1], "hx"),
            "weights[0][1]",
            '未知的帮扶医院 id "hx"',
            id="weight_unknown_helper",
        ),
        pytest.param(
            with_change(["weights", 0, 2], "1.5"),
            "weights[0][2]",
            "权重必须是数字",
            id="weight_is_a_string",
        ),
        pytest.param(
            with_change(["weights", 0, 2], None),
            "weights[0][2]",
            "权重必须是数字",
            id="weight_is_null",
        ),
        pytest.param(
            with_change(["weights", 0, 2], Decimal("0.0000001")),
            "weights[0][2]",
            "最多 6 位小数",
            id="weight_with_seven_decimal_places",
        ),
        pytest.param(
            with_change(["weights", 0, 2], Decimal("1e20")),
            "weights[0][2]",
            "权重数值过大",
            id="weight_too_large",
        ),
        pytest.param(
            with_change(["weights", 1], ["r1", "h1", 2]),
            "weights[1]",
            "重复出现",
            id="repeated_weight_pair",
        ),
    ],
)
def test_bad_input_names_the_field(data, path, message):
    with pytest.raises(MatchingInputError) as caught:
        parse_instance(data)
    assert caught.value.path == path
    assert message in caught.value.message
    assert str(caught.value).startswith(f"{path}: ")


def test_trailing_zeros_do_not_count_as_decimal_places():
    instance = parse_instance(with_change(["weights", 0, 2], Decimal("2.50000000000")))
    assert instance.weights is not None
    assert instance.weights[0].weight == Decimal("2.5")
