"""A matching instance: recipients and helpers, their ranked choices, helper capacities
and optional pair weights (§三(二) "自主选择、主动对接、合理匹配").

Recipients (受扶医院) and helpers (帮扶医院) each have their own id space; an id is a
string or an integer and is kept exactly as given. A `MatchingInstance` is valid by
construction: it checks itself and raises `MatchingInputError(path, message)` naming the
offending field in the same path notation as the JSON input (`recipients[3].prefs[2]`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeGuard

PlayerId = int | str
PairKey = tuple[PlayerId, PlayerId]

MAX_WEIGHT_DECIMAL_PLACES = 6
"""Weights carry at most this many decimal places, so `weight × 10^6` is an exact integer
(the optimal solver's integer costs)."""


class MatchingInputError(ValueError):
    """Bad matching input; `path` names the field (e.g. `helpers[2].capacity`)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class RecipientEntry:
    """A recipient hospital and the helpers it would accept, best first."""

    id: PlayerId
    prefs: tuple[PlayerId, ...]


@dataclass(frozen=True)
class HelperEntry:
    """A helper hospital, how many recipients it can take, and its ranked recipients."""

    id: PlayerId
    capacity: int
    prefs: tuple[PlayerId, ...]


@dataclass(frozen=True)
class PairWeight:
    """How good the pair (recipient, helper) is; only pairs with weight > 0 can be chosen
    by `solve_optimal`."""

    recipient: PlayerId
    helper: PlayerId
    weight: Decimal


@dataclass(frozen=True)
class MatchingInstance:
    """Recipients, helpers and (optionally) listed pair weights; validated on construction."""

    recipients: tuple[RecipientEntry, ...]
    helpers: tuple[HelperEntry, ...]
    weights: tuple[PairWeight, ...] | None = None
    # The listed weights by (recipient, helper); built once by validation.
    weight_by_pair: Mapping[PairKey, Decimal] | None = field(
        init=False, default=None, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "weight_by_pair", validate_instance(self))


def id_sort_key(player_id: PlayerId) -> tuple[int, int, str]:
    """Total order on ids used for every output and tie-break: integers first (numerically),
    then strings (by code point)."""
    if isinstance(player_id, int):
        return (0, player_id, "")
    return (1, 0, player_id)


def show_id(player_id: PlayerId) -> str:
    """An id as it appears in JSON: `"h9"` for a string, `7` for an integer."""
    return json.dumps(player_id, ensure_ascii=False)


def is_player_id(value: object) -> TypeGuard[PlayerId]:
    """True for a string or an integer (a JSON `true` is not an id)."""
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


MAX_WEIGHT_DIGITS = 15
"""Weights must be below 10^15 in magnitude (far beyond any fit score)."""
WEIGHT_SCALE = Decimal(10**MAX_WEIGHT_DECIMAL_PLACES)


def check_weight(path: str, weight: Decimal) -> None:
    """A usable weight is a finite Decimal with at most `MAX_WEIGHT_DECIMAL_PLACES` places."""
    if not weight.is_finite():
        raise MatchingInputError(path, "权重必须是有限的数字")
    if weight.adjusted() >= MAX_WEIGHT_DIGITS:
        raise MatchingInputError(path, f"权重数值过大（收到 {weight}）")
    scaled = weight * WEIGHT_SCALE
    if scaled != scaled.to_integral_value():
        raise MatchingInputError(
            path, f"权重最多 {MAX_WEIGHT_DECIMAL_PLACES} 位小数（收到 {weight}）"
        )


def validate_instance(instance: MatchingInstance) -> dict[PairKey, Decimal] | None:
    """Reject anything the solvers cannot interpret: ids that are not strings/integers,
    duplicate ids, preferences naming unknown or repeated ids, negative or non-integer
    capacities, weights naming unknown ids, repeated weight pairs, unusable weights.
    Return the listed weights by pair (None when the instance lists none)."""
    recipient_ids = _check_ids("recipients", "受扶医院", (r.id for r in instance.recipients))
    helper_ids = _check_ids("helpers", "帮扶医院", (h.id for h in instance.helpers))
    for index, recipient in enumerate(instance.recipients):
        _check_prefs(f"recipients[{index}].prefs", recipient.prefs, helper_ids, "帮扶医院")
    for index, helper in enumerate(instance.helpers):
        path = f"helpers[{index}].capacity"
        if not isinstance(helper.capacity, int) or isinstance(helper.capacity, bool):
            raise MatchingInputError(path, "容量必须是整数")
        if helper.capacity < 0:
            raise MatchingInputError(path, f"容量不能为负数（收到 {helper.capacity}）")
        _check_prefs(f"helpers[{index}].prefs", helper.prefs, recipient_ids, "受扶医院")
    if instance.weights is None:
        return None
    by_pair: dict[PairKey, Decimal] = {}
    for index, pair in enumerate(instance.weights):
        check_pair_weight(f"weights[{index}]", pair, recipient_ids, helper_ids)
        key = (pair.recipient, pair.helper)
        if key in by_pair:
            raise MatchingInputError(
                f"weights[{index}]",
                f"配对 [{show_id(pair.recipient)}, {show_id(pair.helper)}] 重复出现",
            )
        by_pair[key] = pair.weight
    return by_pair


def check_pair_weight(
    path: str,
    pair: PairWeight,
    recipient_ids: Set[PlayerId] | Mapping[PlayerId, object],
    helper_ids: Set[PlayerId] | Mapping[PlayerId, object],
) -> None:
    """A weight must name a known recipient and a known helper and be a usable number."""
    if pair.recipient not in recipient_ids:
        raise MatchingInputError(f"{path}[0]", f"未知的受扶医院 id {show_id(pair.recipient)}")
    if pair.helper not in helper_ids:
        raise MatchingInputError(f"{path}[1]", f"未知的帮扶医院 id {show_id(pair.helper)}")
    if not isinstance(pair.weight, Decimal):
        raise MatchingInputError(f"{path}[2]", "权重必须是数字")
    check_weight(f"{path}[2]", pair.weight)


def _check_ids(path: str, label: str, ids: Iterable[object]) -> set[PlayerId]:
    seen: set[PlayerId] = set()
    for index, player_id in enumerate(ids):
        if isinstance(player_id, bool) or not isinstance(player_id, int | str):
            raise MatchingInputError(f"{path}[{index}].id", f"{label} id 必须是字符串或整数")
        if player_id in seen:
            raise MatchingInputError(
                f"{path}[{index}].id", f"重复的{label} id {show_id(player_id)}"
            )
        seen.add(player_id)
    return seen


def _check_prefs(path: str, prefs: tuple[PlayerId, ...], known: set[PlayerId], label: str) -> None:
    seen: set[PlayerId] = set()
    for index, other in enumerate(prefs):
        if not is_player_id(other):
            raise MatchingInputError(f"{path}[{index}]", f"{label} id 必须是字符串或整数")
        if other not in known:
            raise MatchingInputError(f"{path}[{index}]", f"未知的{label} id {show_id(other)}")
        if other in seen:
            raise MatchingInputError(f"{path}[{index}]", f"{label} id {show_id(other)} 重复出现")
        seen.add(other)
