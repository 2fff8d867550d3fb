"""Turn decoded JSON (the `match` command's input) into a `MatchingInstance`.

Shape::

    {"recipients": [{"id": ..., "prefs": [helper ids, best first]}, ...],
     "helpers":    [{"id": ..., "capacity": n, "prefs": [recipient ids, best first]}, ...],
     "weights":    [[recipient_id, helper_id, weight], ...]}      # optional

Other keys are ignored; `"weights": null` is the same as no weights. Weights may be
integers, Decimals (decode JSON with `parse_float=Decimal` to keep them exact) or floats
(read through their shortest repr).
Every problem raises `MatchingInputError` whose path names the field.
"""

from __future__ import annotations

from decimal import Decimal

from bangfu.matching.domain.instance import (
    HelperEntry,
    MatchingInputError,
    MatchingInstance,
    PairWeight,
    PlayerId,
    RecipientEntry,
    is_player_id,
)


def parse_instance(data: object) -> MatchingInstance:
    """Read a matching instance from decoded JSON; raise `MatchingInputError` (path, message)
    naming the first field that is missing, of the wrong type or inconsistent."""
    if not isinstance(data, dict):
        raise MatchingInputError("$", "输入必须是 JSON 对象")
    recipients = tuple(
        RecipientEntry(
            id=_required_id(item, path, "受扶医院"),
            prefs=_id_list(item, path),
        )
        for path, item in _objects(data, "recipients")
    )
    helpers = tuple(
        HelperEntry(
            id=_required_id(item, path, "帮扶医院"),
            capacity=_capacity(item, path),
            prefs=_id_list(item, path),
        )
        for path, item in _objects(data, "helpers")
    )
    weights = _weights(data["weights"]) if data.get("weights") is not None else None
    return MatchingInstance(recipients=recipients, helpers=helpers, weights=weights)


def parse_weight(path: str, value: object) -> Decimal:
    """A JSON number as an exact Decimal; strings, booleans and null are not weights."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise MatchingInputError(path, f"权重必须是数字（收到 {_describe(value)}）")
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _objects(data: dict[object, object], key: str) -> list[tuple[str, dict[object, object]]]:
    if key not in data:
        raise MatchingInputError(key, "缺少必填字段")
    items = data[key]
    if not isinstance(items, list):
        raise MatchingInputError(key, "必须是数组")
    result = []
    for index, item in enumerate(items):
        path = f"{key}[{index}]"
        if not isinstance(item, dict):
            raise MatchingInputError(path, "必须是 JSON 对象")
        result.append((path, item))
    return result


def _required_id(item: dict[object, object], path: str, label: str) -> PlayerId:
    if "id" not in item:
        raise MatchingInputError(f"{path}.id", "缺少必填字段")
    value = item["id"]
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise MatchingInputError(
            f"{path}.id", f"{label} id 必须是字符串或整数（收到 {_describe(value)}）"
        )
    return value


def _id_list(item: dict[object, object], path: str) -> tuple[PlayerId, ...]:
    if "prefs" not in item:
        raise MatchingInputError(f"{path}.prefs", "缺少必填字段")
    value = item["prefs"]
    if not isinstance(value, list):
        raise MatchingInputError(f"{path}.prefs", "必须是 id 数组")
    ids: list[PlayerId] = []
    for index, other in enumerate(value):
        if not is_player_id(other):
            raise MatchingInputError(
                f"{path}.prefs[{index}]", f"id 必须是字符串或整数（收到 {_describe(other)}）"
            )
        ids.append(other)
    return tuple(ids)


def _capacity(item: dict[object, object], path: str) -> int:
    if "capacity" not in item:
        raise MatchingInputError(f"{path}.capacity", "缺少必填字段")
    value = item["capacity"]
    if isinstance(value, bool) or not isinstance(value, int):
        raise MatchingInputError(f"{path}.capacity", f"容量必须是整数（收到 {_describe(value)}）")
    return value


def _weights(value: object) -> tuple[PairWeight, ...]:
    if not isinstance(value, list):
        raise MatchingInputError("weights", "必须是 [受扶医院 id, 帮扶医院 id, 权重] 的数组")
    pairs = []
    for index, triple in enumerate(value):
        path = f"weights[{index}]"
        if not isinstance(triple, list) or len(triple) != 3:
            raise MatchingInputError(path, "必须是 [受扶医院 id, 帮扶医院 id, 权重] 三元组")
        recipient, helper, weight = triple
        if not is_player_id(recipient):
            raise MatchingInputError(f"{path}[0]", "受扶医院 id 必须是字符串或整数")
        if not is_player_id(helper):
            raise MatchingInputError(f"{path}[1]", "帮扶医院 id 必须是字符串或整数")
        pairs.append(
            PairWeight(
                recipient=recipient,
                helper=helper,
                weight=parse_weight(f"{path}[2]", weight),
            )
        )
    return tuple(pairs)


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'字符串 "{value}"'
    if isinstance(value, list):
        return "数组"
    if isinstance(value, dict):
        return "对象"
    return str(value)
