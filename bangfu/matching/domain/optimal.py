"""Maximum-weight assignment with helper capacities (§三(二) "合理匹配"), solved exactly as
a min-cost flow with OR-Tools."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from math import gcd

from bangfu.matching.domain.instance import (
    WEIGHT_SCALE,
    MatchingInputError,
    MatchingInstance,
    PairKey,
    PlayerId,
    id_sort_key,
)
from bangfu.matching.domain.pair_weights import listed_weights, rank_fit_weights
from bangfu.matching.domain.result import Assignment, MatchResult, Method, WeightBasis

INT64_MAX = 2**63 - 1

OPTIMAL_REASON = (
    "按§三(二)“合理匹配”：在双方可接受的配对中选出总权重最大的方案（每家受扶医院至多一家帮扶医院，"
    "帮扶医院不超过其名额，权重不大于 0 的配对不选）；总权重相同的方案中优先登记在先的受扶医院"
    "（系统编号较小者）、其次登记在先的帮扶医院。"
)
OPTIMAL_REASON_NO_TIE_BREAK = (
    "权重的数值范围过大，未能叠加“登记在先者优先”的并列规则；总权重仍为最大，并列方案由求解器"
    "按登记先后排序后的输入确定地选出。"
)


def solve_optimal(
    instance: MatchingInstance, weights: Mapping[PairKey, Decimal] | None = None
) -> MatchResult:
    """The assignment of largest total weight (§三(二) 合理匹配).

    Rule: each recipient gets at most one helper, each helper at most `capacity`
    recipients, and the sum of the chosen pairs' weights is as large as possible.
    Acceptable pairs and their weights:
      * `weights` if given, else the instance's listed weights: exactly the listed pairs
        (a listed pair need not appear in either preference list);
      * otherwise the mutually acceptable pairs (each lists the other) weighted by
        `rank_fit` = (L − rank_r) + (L − rank_h).
    Pairs with weight ≤ 0 and helpers with capacity 0 are left out: they can never raise
    the total, so the result never contains them and a recipient may stay unmatched
    (this is maximum weight, not maximum cardinality).

    Exactness: weights are Decimals with at most 6 decimal places; they are multiplied by
    10^6 and divided by their greatest common divisor — exact integers, the same as
    scaling by 10^k with k = the most decimal places among them (k ≤ 6) up to a common
    factor, which changes no argmax — then solved as a min-cost flow
    source → recipient → helper → sink with a zero-cost bypass arc source → sink, so
    sending a unit through a recipient happens only if it pays.

    Tie-break (deterministic, by id): sort the acceptable pairs by (recipient id, helper
    id) with `id_sort_key`; pair number p (0-based) of P gets the bonus t = P − p. The
    solver maximises B·W + Σt, where W is the scaled total weight and B is larger than
    any achievable Σt, so the weight optimum is unchanged and among equal-weight optima
    the one with the largest Σt wins: smaller recipient ids first, then smaller helper
    ids. Any tie left is resolved by the deterministic solver on the id-sorted input, so
    the same instance in any input order gives the same result. If B·W would exceed
    OR-Tools' 64-bit cost range, the bonus is dropped (the result says so in `reasons`).
    """
    listed = listed_weights(instance, weights)
    pair_weights: Mapping[PairKey, Decimal]
    if listed is None:
        pair_weights, basis = rank_fit_weights(instance), WeightBasis.RANK_FIT
    else:
        pair_weights, basis = listed, WeightBasis.LISTED
    recipient_ids = sorted((r.id for r in instance.recipients), key=id_sort_key)
    helper_ids = sorted((h.id for h in instance.helpers), key=id_sort_key)
    recipient_position = {rid: i for i, rid in enumerate(recipient_ids)}
    helper_position = {hid: i for i, hid in enumerate(helper_ids)}
    capacity_by_id = {h.id: h.capacity for h in instance.helpers}
    capacities = [capacity_by_id[hid] for hid in helper_ids]
    helper_count = len(helper_ids)
    # Candidates as (recipient position × H + helper position, weight): sorting the integer
    # key sorts by (recipient id, helper id).
    candidates = sorted(
        (recipient_position[rid] * helper_count + helper_position[hid], weight)
        for (rid, hid), weight in pair_weights.items()
        if weight > 0 and capacities[helper_position[hid]] > 0
    )
    chosen, tie_break_used = _max_weight_pairs(candidates, helper_count, capacities)
    pairs = []
    for index in chosen:
        key, weight = candidates[index]
        recipient, helper = divmod(key, helper_count)
        pairs.append((recipient_ids[recipient], helper_ids[helper], weight))
    reasons = [OPTIMAL_REASON]
    if not tie_break_used:
        reasons.append(OPTIMAL_REASON_NO_TIE_BREAK)
    return _result(instance, pairs, basis, tuple(reasons))


def _max_weight_pairs(
    candidates: list[tuple[int, Decimal]], helper_count: int, capacities: list[int]
) -> tuple[list[int], bool]:
    """Indices of the chosen candidates (sorted by id), and whether the tie-break applied."""
    if not candidates:
        return [], True
    import numpy as np
    from ortools.graph.python import min_cost_flow

    scaled = [int(weight * WEIGHT_SCALE) for _, weight in candidates]
    divisor = gcd(*scaled)
    if divisor > 1:
        scaled = [value // divisor for value in scaled]

    # Nodes: 0 source, then recipients in id order, then helpers in id order, then sink.
    recipient_node: dict[int, int] = {}
    helper_node: dict[int, int] = {}
    tails: list[int] = []
    heads: list[int] = []
    for key, _ in candidates:
        recipient, helper = divmod(key, helper_count)
        tails.append(recipient_node.setdefault(recipient, len(recipient_node) + 1))
        heads.append(helper)  # a helper position for now; numbered below
    for index, helper in enumerate(sorted(set(heads))):
        helper_node[helper] = len(recipient_node) + 1 + index
    heads = [helper_node[helper] for helper in heads]
    source, sink = 0, len(recipient_node) + len(helper_node) + 1

    pair_count = len(candidates)
    most_matched = min(len(recipient_node), sum(capacities[h] for h in helper_node))
    # Largest possible Σt: the `most_matched` largest bonuses P, P−1, …
    bonus_bound = most_matched * pair_count - most_matched * (most_matched - 1) // 2
    multiplier = bonus_bound + 1
    # OR-Tools rejects a cost whose magnitude times about 2·(nodes + 3) overflows int64;
    # keep a further margin of 2.
    cost_limit = INT64_MAX // (4 * (sink + 5))
    largest = max(scaled)
    tie_break_used = largest * multiplier + pair_count <= cost_limit
    if tie_break_used:
        costs = [-(value * multiplier + pair_count - i) for i, value in enumerate(scaled)]
    elif largest <= cost_limit:
        costs = [-value for value in scaled]
    else:
        raise MatchingInputError(
            "weights", "权重数值过大或小数位过多：换算为整数后超出求解器的 64 位范围"
        )
    arc_capacities = [1] * pair_count
    for node in recipient_node.values():
        tails.append(source)
        heads.append(node)
        costs.append(0)
        arc_capacities.append(1)
    for helper, node in helper_node.items():
        tails.append(node)
        heads.append(sink)
        costs.append(0)
        arc_capacities.append(capacities[helper])
    # The bypass: a unit may go straight to the sink, leaving a recipient unmatched.
    tails.append(source)
    heads.append(sink)
    costs.append(0)
    arc_capacities.append(len(recipient_node))

    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, dtype=np.int32),
        np.array(heads, dtype=np.int32),
        np.array(arc_capacities, dtype=np.int64),
        np.array(costs, dtype=np.int64),
    )
    flow.set_node_supply(source, len(recipient_node))
    flow.set_node_supply(sink, -len(recipient_node))
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow did not reach an optimum: {status}")
    flows = flow.flows(np.arange(pair_count, dtype=np.int32))
    return [int(i) for i in np.flatnonzero(flows)], tie_break_used


def preload_solver() -> None:
    """Import OR-Tools now (about 0.2 s) so that a timed `solve_optimal` measures solving."""
    import numpy  # noqa: F401
    from ortools.graph.python import min_cost_flow  # noqa: F401


def _result(
    instance: MatchingInstance,
    pairs: list[tuple[PlayerId, PlayerId, Decimal]],
    basis: WeightBasis,
    reasons: tuple[str, ...],
) -> MatchResult:
    recipient_prefs = {r.id: r.prefs for r in instance.recipients}
    helper_prefs = {h.id: h.prefs for h in instance.helpers}
    assignments = [
        Assignment(
            recipient=recipient,
            helper=helper,
            weight=weight,
            weight_basis=basis,
            recipient_rank=_rank(recipient_prefs[recipient], helper),
            helper_rank=_rank(helper_prefs[helper], recipient),
        )
        for recipient, helper, weight in pairs
    ]
    assignments.sort(key=lambda a: id_sort_key(a.recipient))
    matched = {a.recipient for a in assignments}
    unmatched = sorted((r.id for r in instance.recipients if r.id not in matched), key=id_sort_key)
    return MatchResult(
        method=Method.OPTIMAL,
        assignments=tuple(assignments),
        unmatched=tuple(unmatched),
        objective=sum((a.weight for a in assignments), Decimal(0)),
        reasons=reasons,
    )


def _rank(prefs: tuple[PlayerId, ...], other: PlayerId) -> int | None:
    """1-based position of `other` in `prefs`, None if absent."""
    try:
        return prefs.index(other) + 1
    except ValueError:
        return None
