"""solve_optimal: exact maximum-weight assignment with capacities (§三(二) 合理匹配)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bangfu.matching.domain import (
    HelperEntry,
    MatchingInputError,
    MatchingInstance,
    PairWeight,
    RecipientEntry,
    WeightBasis,
    id_sort_key,
    solve_optimal,
    solve_stable,
)
from bangfu.matching.domain.pair_weights import rank_fit_weights
from bangfu.matching.tests.strategies import (
    assert_feasible,
    brute_force_best,
    instances,
    mutual_pairs,
    pairs_of,
)


def make(recipients, helpers, weights=None) -> MatchingInstance:
    """recipients: id -> prefs; helpers: id -> (capacity, prefs); weights: (r, h, w) list."""
    return MatchingInstance(
        tuple(RecipientEntry(rid, tuple(prefs)) for rid, prefs in recipients.items()),
        tuple(HelperEntry(hid, cap, tuple(prefs)) for hid, (cap, prefs) in helpers.items()),
        None if weights is None else tuple(PairWeight(r, h, Decimal(w)) for r, h, w in weights),
    )


def effective_weights(instance: MatchingInstance) -> dict:
    if instance.weights is not None:
        return {(p.recipient, p.helper): p.weight for p in instance.weights}
    return rank_fit_weights(instance)


def tie_break_score(instance: MatchingInstance, chosen) -> int:
    """Σt of the documented tie-break: t = P − position in (recipient id, helper id) order
    among the candidate pairs (positive weight, helper with capacity)."""
    capacity = {h.id: h.capacity for h in instance.helpers}
    candidates = sorted(
        (pair for pair, w in effective_weights(instance).items() if w > 0 and capacity[pair[1]]),
        key=lambda pair: (id_sort_key(pair[0]), id_sort_key(pair[1])),
    )
    bonus = {pair: len(candidates) - i for i, pair in enumerate(candidates)}
    return sum(bonus[pair] for pair in chosen)


@pytest.mark.parametrize(
    ("recipients", "helpers", "weights", "expected"),
    [
        pytest.param(
            {"r1": [], "r2": []},
            {"h1": (1, []), "h2": (1, [])},
            [("r1", "h1", 10), ("r1", "h2", 9), ("r2", "h1", 8), ("r2", "h2", 1)],
            {("r1", "h2"), ("r2", "h1")},  # 9 + 8 = 17 beats greedy 10 + 1 = 11
            id="beats_greedy_choice",
        ),
        pytest.param(
            {"r1": [], "r2": []},
            {"h1": (1, [])},
            [("r1", "h1", 3), ("r2", "h1", 5)],
            {("r2", "h1")},
            id="capacity_one_goes_to_the_heavier_pair",
        ),
        pytest.param(
            {"r1": [], "r2": [], "r3": []},
            {"h1": (2, [])},
            [("r1", "h1", 3), ("r2", "h1", 5), ("r3", "h1", 4)],
            {("r2", "h1"), ("r3", "h1")},
            id="capacity_two_takes_the_two_heaviest",
        ),
        pytest.param(
            {"r1": ["h1"], "r2": []},
            {"h1": (2, ["r1"])},
            [("r1", "h1", 0), ("r2", "h1", "-2")],
            set(),
            id="pairs_with_weight_zero_or_less_are_never_chosen",
        ),
        pytest.param(
            {"r1": [], "r2": []},
            {"h1": (1, []), "h2": (1, [])},
            [("r1", "h1", 5), ("r2", "h1", 5), ("r2", "h2", 1)],
            {("r1", "h1"), ("r2", "h2")},
            id="maximum_weight_not_just_any_optimum_of_cardinality",
        ),
        pytest.param(
            {"r1": [], "r2": []},
            {"h1": (1, [])},
            [("r1", "h1", "0.000001"), ("r2", "h1", "0.000002")],
            {("r2", "h1")},
            id="six_decimal_places_are_exact",
        ),
        pytest.param(
            {"r1": []},
            {"h1": (0, [])},
            [("r1", "h1", 5)],
            set(),
            id="helper_with_no_capacity_takes_nobody",
        ),
    ],
)
def test_optimal_with_listed_weights_table(recipients, helpers, weights, expected):
    result = solve_optimal(make(recipients, helpers, weights))
    assert pairs_of(result) == expected


def test_listed_pair_is_acceptable_even_when_absent_from_preferences():
    instance = make({"r1": []}, {"h1": (1, [])}, [("r1", "h1", "2.5")])
    result = solve_optimal(instance)
    (assignment,) = result.assignments
    assert (assignment.helper, assignment.weight) == ("h1", Decimal("2.5"))
    assert assignment.weight_basis is WeightBasis.LISTED
    assert (assignment.recipient_rank, assignment.helper_rank) == (None, None)
    assert "未将对方列入志愿" in assignment.reason_zh


def test_without_weights_optimal_uses_rank_fit_over_mutual_pairs():
    # L = 2. r1: h1 first; r2: h1 first. h1 (cap 1) ranks r2 first.
    # fit(r1,h1) = 2 + 1 = 3, fit(r2,h1) = 2 + 2 = 4, fit(r1,h2) = 1 + 2 = 3.
    instance = make(
        {"r1": ["h1", "h2"], "r2": ["h1"]},
        {"h1": (1, ["r2", "r1"]), "h2": (1, ["r1"])},
    )
    result = solve_optimal(instance)
    assert pairs_of(result) == {("r2", "h1"), ("r1", "h2")}
    assert result.objective == Decimal(7)
    assert all(a.weight_basis is WeightBasis.RANK_FIT for a in result.assignments)


def test_explicit_weights_argument_overrides_instance_weights():
    instance = make({"r1": [], "r2": []}, {"h1": (1, [])}, [("r1", "h1", 5), ("r2", "h1", 1)])
    result = solve_optimal(instance, {("r2", "h1"): Decimal(9)})
    assert pairs_of(result) == {("r2", "h1")}
    assert result.objective == Decimal(9)


def test_explicit_weights_naming_unknown_helper_are_rejected():
    instance = make({"r1": []}, {"h1": (1, [])})
    with pytest.raises(MatchingInputError, match="未知的帮扶医院"):
        solve_optimal(instance, {("r1", "hx"): Decimal(1)})


def test_equal_weights_go_to_the_smaller_recipient_id():
    instance = make(
        {"r2": [], "r1": [], "r3": []},
        {"h1": (1, [])},
        [("r3", "h1", 4), ("r2", "h1", 4), ("r1", "h1", 4)],
    )
    assert pairs_of(solve_optimal(instance)) == {("r1", "h1")}


def test_equal_weights_pick_the_smaller_helper_id():
    instance = make(
        {"r1": []}, {"hb": (1, []), "ha": (1, []), 7: (1, [])}, [("r1", "hb", 4), ("r1", "ha", 4)]
    )
    assert pairs_of(solve_optimal(instance)) == {("r1", "ha")}


def test_tie_break_never_trades_weight_for_smaller_ids():
    # r1 (smallest id) could take h1, but r2 with h1 is worth more by 0.01.
    instance = make(
        {"r1": [], "r2": []}, {"h1": (1, [])}, [("r1", "h1", "1.00"), ("r2", "h1", "1.01")]
    )
    assert pairs_of(solve_optimal(instance)) == {("r2", "h1")}


def test_huge_weights_still_solve_exactly_without_tie_break():
    instance = make(
        {"r1": [], "r2": []},
        {"h1": (1, [])},
        [("r1", "h1", "99999999999.999999"), ("r2", "h1", "99999999999.999998")],
    )
    result = solve_optimal(instance)
    assert pairs_of(result) == {("r1", "h1")}
    assert len(result.reasons) == 2  # says the id tie-break was not applied


@settings(max_examples=120, deadline=None)
@given(instances(max_recipients=5, max_helpers=4))
def test_optimal_equals_brute_force_and_its_tie_break_on_tiny_instances(instance):
    weights = effective_weights(instance)
    best, best_sets = brute_force_best(instance, weights)
    result = solve_optimal(instance)
    assert_feasible(instance, result)
    assert result.objective == best
    chosen = frozenset(pairs_of(result))
    assert chosen in best_sets
    # Among the equal-weight optima, the one with the largest id tie-break score.
    assert tie_break_score(instance, chosen) == max(tie_break_score(instance, s) for s in best_sets)


@settings(max_examples=120, deadline=None)
@given(instances())
def test_optimal_is_feasible_uses_only_acceptable_pairs_and_beats_stable(instance):
    result = solve_optimal(instance)
    assert_feasible(instance, result)
    weights = effective_weights(instance)
    assert all(weights[(a.recipient, a.helper)] > 0 for a in result.assignments)
    if instance.weights is None:
        assert pairs_of(result) <= mutual_pairs(instance)
    assert result.objective >= solve_stable(instance).objective


@settings(max_examples=80, deadline=None)
@given(instances(), st.randoms(use_true_random=False))
def test_optimal_is_the_same_for_same_input_and_for_shuffled_input_order(instance, rng):
    recipients = list(instance.recipients)
    helpers = list(instance.helpers)
    weights = None if instance.weights is None else list(instance.weights)
    rng.shuffle(recipients)
    rng.shuffle(helpers)
    if weights is not None:
        rng.shuffle(weights)
    shuffled = MatchingInstance(
        tuple(recipients), tuple(helpers), None if weights is None else tuple(weights)
    )
    first = solve_optimal(instance)
    assert solve_optimal(instance) == first
    assert solve_optimal(shuffled) == first
