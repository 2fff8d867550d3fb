"""solve_stable: recipient-proposing deferred acceptance with capacities (§三(二))."""

from __future__ import annotations

import random
import sys
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bangfu.matching.domain import (
    HelperEntry,
    MatchingInstance,
    PairWeight,
    RecipientEntry,
    WeightBasis,
    solve_stable,
)
from bangfu.matching.tests.strategies import (
    assert_feasible,
    blocking_pairs,
    instances,
    matching_package_pairs,
    mutual_pairs,
    pairs_of,
)


def make(recipients: dict, helpers: dict, weights=None) -> MatchingInstance:
    """recipients: id -> prefs; helpers: id -> (capacity, prefs)."""
    return MatchingInstance(
        tuple(RecipientEntry(rid, tuple(prefs)) for rid, prefs in recipients.items()),
        tuple(HelperEntry(hid, cap, tuple(prefs)) for hid, (cap, prefs) in helpers.items()),
        None if weights is None else tuple(PairWeight(r, h, Decimal(w)) for r, h, w in weights),
    )


@pytest.mark.parametrize(
    ("recipients", "helpers", "expected", "unmatched"),
    [
        pytest.param(
            {"r1": ["h1"], "r2": ["h1"]},
            {"h1": (1, ["r2", "r1"])},
            {("r2", "h1")},
            ("r1",),
            id="helper_keeps_the_recipient_it_ranks_higher",
        ),
        pytest.param(
            {"r1": ["h1", "h2"], "r2": ["h1", "h2"]},
            {"h1": (1, ["r2", "r1"]), "h2": (1, ["r1", "r2"])},
            {("r2", "h1"), ("r1", "h2")},
            (),
            id="rejected_recipient_moves_to_its_next_choice",
        ),
        pytest.param(
            {"r1": ["h1"], "r2": ["h1"], "r3": ["h1"]},
            {"h1": (2, ["r3", "r1", "r2"])},
            {("r3", "h1"), ("r1", "h1")},
            ("r2",),
            id="helper_takes_up_to_its_capacity",
        ),
        pytest.param(
            {"r1": ["h1"]},
            {"h1": (1, [])},
            set(),
            ("r1",),
            id="pair_not_listed_by_the_helper_is_not_acceptable",
        ),
        pytest.param(
            {"r1": []},
            {"h1": (1, ["r1"])},
            set(),
            ("r1",),
            id="pair_not_listed_by_the_recipient_is_not_acceptable",
        ),
        pytest.param(
            {"r1": ["h1"]},
            {"h1": (0, ["r1"])},
            set(),
            ("r1",),
            id="helper_with_no_capacity_takes_nobody",
        ),
        pytest.param(
            # Classic instance where the recipient-optimal and helper-optimal stable
            # matchings differ: recipients get their first choices.
            {"r1": ["h1", "h2"], "r2": ["h2", "h1"]},
            {"h1": (1, ["r2", "r1"]), "h2": (1, ["r1", "r2"])},
            {("r1", "h1"), ("r2", "h2")},
            (),
            id="result_is_recipient_optimal",
        ),
    ],
)
def test_stable_matching_table(recipients, helpers, expected, unmatched):
    result = solve_stable(make(recipients, helpers))
    assert pairs_of(result) == expected
    assert result.unmatched == unmatched


def test_stable_reports_rank_fit_weight_and_ranks_without_weights():
    instance = make({"r1": ["h2", "h1"]}, {"h1": (1, ["r1"]), "h2": (1, ["r1"])})
    (assignment,) = solve_stable(instance).assignments
    # L = 2; r1 ranks h2 first (0), h2 ranks r1 first (0): (2-0) + (2-0) = 4.
    assert (assignment.helper, assignment.weight) == ("h2", Decimal(4))
    assert assignment.weight_basis is WeightBasis.RANK_FIT
    assert (assignment.recipient_rank, assignment.helper_rank) == (1, 1)
    assert "第 1 志愿" in assignment.reason_zh


def test_stable_reports_listed_weight_and_zero_for_unlisted_pairs():
    instance = make(
        {"r1": ["h1"], "r2": ["h2"]},
        {"h1": (1, ["r1"]), "h2": (1, ["r2"])},
        weights=[("r1", "h1", "7.5")],
    )
    result = solve_stable(instance)
    by_recipient = {a.recipient: a for a in result.assignments}
    assert by_recipient["r1"].weight == Decimal("7.5")
    assert by_recipient["r2"].weight == 0
    assert by_recipient["r2"].weight_basis is WeightBasis.NOT_LISTED
    assert result.objective == Decimal("7.5")


def test_stable_output_sorted_by_id_with_integers_before_strings():
    instance = make(
        {"b": ["h"], 10: ["h"], "a": [], 2: []},
        {"h": (2, ["b", 10])},
    )
    result = solve_stable(instance)
    assert [a.recipient for a in result.assignments] == [10, "b"]
    assert result.unmatched == (2, "a")


def test_stable_solver_does_not_recurse_along_displacement_chains():
    # Every recipient prefers h0 > h1 > …, every helper prefers later recipients, so each
    # new proposer starts a chain of displacements as long as the number of recipients.
    # Run it with a recursion limit far below that chain length.
    n = 120
    recipients = {i: list(range(n)) for i in range(n)}
    helpers = {h: (1, list(reversed(range(n)))) for h in range(n)}
    instance = make(recipients, helpers)
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 40)
    try:
        result = solve_stable(instance)
    finally:
        sys.setrecursionlimit(old_limit)
    assert pairs_of(result) == {(i, n - 1 - i) for i in range(n)}


@settings(max_examples=150, deadline=None)
@given(instances())
def test_stable_result_is_feasible_acceptable_and_has_no_blocking_pair(instance):
    result = solve_stable(instance)
    assert_feasible(instance, result)
    assert pairs_of(result) <= mutual_pairs(instance)
    assert blocking_pairs(instance, result) == []


@settings(max_examples=150, deadline=None)
@given(instances(weights=False))
def test_stable_equals_matching_package_hospital_resident(instance):
    assert pairs_of(solve_stable(instance)) == matching_package_pairs(instance)


@settings(max_examples=60, deadline=None)
@given(instances(), st.randoms(use_true_random=False))
def test_stable_is_the_same_for_shuffled_input_order(instance, rng):
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
    assert solve_stable(shuffled) == solve_stable(instance)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stable_equals_matching_package_on_medium_random_instances(seed):
    rng = random.Random(seed)
    n_recipients, n_helpers, length = 120, 90, 8
    recipients = {f"r{i}": rng.sample(range(n_helpers), length) for i in range(n_recipients)}
    ranked_by: dict[int, list[str]] = {h: [] for h in range(n_helpers)}
    for rid, prefs in recipients.items():
        for h in prefs:
            ranked_by[h].append(rid)
    helpers = {}
    for h in range(n_helpers):
        candidates = ranked_by[h] + rng.sample(sorted(recipients), 3)
        rng.shuffle(candidates)
        helpers[h] = (rng.randint(1, 3), list(dict.fromkeys(candidates))[:length])
    instance = make(recipients, helpers)
    result = solve_stable(instance)
    assert len(result.assignments) > 40  # the instance is not trivial
    assert pairs_of(result) == matching_package_pairs(instance)
