"""Hypothesis strategies and independent checkers for matching instances (test-only)."""

from __future__ import annotations

import itertools
import sys
import warnings
from decimal import Decimal

from hypothesis import strategies as st

from bangfu.matching.domain import (
    HelperEntry,
    MatchingInstance,
    MatchResult,
    PairWeight,
    RecipientEntry,
)

player_ids = st.one_of(
    st.integers(min_value=-5, max_value=60),
    st.text(alphabet="abhrz", min_size=1, max_size=3),
)
weights_values = st.one_of(
    st.decimals(min_value=-5, max_value=30, places=2),
    st.integers(min_value=-3, max_value=12).map(Decimal),
)


@st.composite
def instances(
    draw: st.DrawFn,
    max_recipients: int = 7,
    max_helpers: int = 5,
    weights: bool | None = None,
    max_capacity: int = 3,
) -> MatchingInstance:
    """Random valid instances: ids of mixed types in an order unrelated to their sort order,
    partial preference lists, capacities 0..max_capacity, and (if `weights` is True, or
    randomly when None) weights on a random subset of all pairs."""
    recipient_ids = draw(st.lists(player_ids, unique=True, max_size=max_recipients))
    helper_ids = draw(st.lists(player_ids, unique=True, max_size=max_helpers))
    recipients = tuple(
        RecipientEntry(rid, _partial_order(draw, helper_ids)) for rid in recipient_ids
    )
    helpers = tuple(
        HelperEntry(
            hid,
            draw(st.integers(min_value=0, max_value=max_capacity)),
            _partial_order(draw, recipient_ids),
        )
        for hid in helper_ids
    )
    with_weights = draw(st.booleans()) if weights is None else weights
    pair_weights = None
    if with_weights:
        all_pairs = [(r, h) for r in recipient_ids for h in helper_ids]
        chosen = draw(st.lists(st.sampled_from(all_pairs), unique=True)) if all_pairs else []
        pair_weights = tuple(PairWeight(r, h, draw(weights_values)) for r, h in chosen)
    return MatchingInstance(recipients, helpers, pair_weights)


def _partial_order(draw: st.DrawFn, ids: list) -> tuple:
    order = draw(st.permutations(ids))
    return tuple(order[: draw(st.integers(min_value=0, max_value=len(ids)))])


def mutual_pairs(instance: MatchingInstance) -> set[tuple]:
    """Pairs that list each other, with a helper that has capacity (independent of domain)."""
    listed_by_helper = {(rid, h.id) for h in instance.helpers if h.capacity > 0 for rid in h.prefs}
    return {(r.id, hid) for r in instance.recipients for hid in r.prefs} & listed_by_helper


def pairs_of(result: MatchResult) -> set[tuple]:
    return {(a.recipient, a.helper) for a in result.assignments}


def assert_feasible(instance: MatchingInstance, result: MatchResult) -> None:
    """Each recipient at most once, capacities respected, unmatched = the rest, sorted."""
    recipients = [a.recipient for a in result.assignments]
    assert len(recipients) == len(set(recipients))
    for helper in instance.helpers:
        assert sum(1 for a in result.assignments if a.helper == helper.id) <= helper.capacity
    all_ids = {r.id for r in instance.recipients}
    assert set(recipients) | set(result.unmatched) == all_ids
    assert not set(recipients) & set(result.unmatched)
    assert result.objective == sum((a.weight for a in result.assignments), Decimal(0))


def blocking_pairs(instance: MatchingInstance, result: MatchResult) -> list[tuple]:
    """Mutually acceptable pairs that would both rather be together (independent checker)."""
    helper_of = {a.recipient: a.helper for a in result.assignments}
    held: dict = {h.id: [] for h in instance.helpers}
    for a in result.assignments:
        held[a.helper].append(a.recipient)
    recipient_prefs = {r.id: list(r.prefs) for r in instance.recipients}
    helpers = {h.id: h for h in instance.helpers}
    blocking = []
    for rid, hid in mutual_pairs(instance):
        if helper_of.get(rid) == hid:
            continue
        current = helper_of.get(rid)
        prefs = recipient_prefs[rid]
        recipient_wants = current is None or prefs.index(hid) < prefs.index(current)
        helper = helpers[hid]
        helper_wants = len(held[hid]) < helper.capacity or any(
            helper.prefs.index(rid) < helper.prefs.index(other) for other in held[hid]
        )
        if recipient_wants and helper_wants:
            blocking.append((rid, hid))
    return blocking


def matching_package_pairs(instance: MatchingInstance) -> set[tuple]:
    """The recipient-optimal stable matching from the `matching` package (HospitalResident),
    fed the mutually acceptable lists it requires."""
    from matching.games import HospitalResident

    mutual = mutual_pairs(instance)
    resident_prefs = {
        r.id: [h for h in r.prefs if (r.id, h) in mutual] for r in instance.recipients
    }
    resident_prefs = {rid: prefs for rid, prefs in resident_prefs.items() if prefs}
    hospital_prefs = {
        h.id: [r for r in h.prefs if (r, h.id) in mutual and r in resident_prefs]
        for h in instance.helpers
        if h.capacity > 0
    }
    capacities = {h.id: h.capacity for h in instance.helpers if h.capacity > 0}
    if not resident_prefs:
        return set()
    # The package deep-copies its linked player objects recursively.
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, 20_000))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            game = HospitalResident.create_from_dictionaries(
                resident_prefs, hospital_prefs, capacities
            )
            matching = game.solve(optimal="resident")
    finally:
        sys.setrecursionlimit(old_limit)
    return {
        (resident.name, hospital.name)
        for hospital, residents in matching.items()
        for resident in residents
    }


def brute_force_best(
    instance: MatchingInstance, pair_weights: dict[tuple, Decimal]
) -> tuple[Decimal, list[frozenset]]:
    """Largest total weight over positive-weight pairs, and every matching reaching it."""
    capacity = {h.id: h.capacity for h in instance.helpers}
    options = []
    for r in instance.recipients:
        choices = [None] + [
            h.id
            for h in instance.helpers
            if pair_weights.get((r.id, h.id), Decimal(0)) > 0 and capacity[h.id] > 0
        ]
        options.append([(r.id, h) for h in choices])
    best = Decimal(0)
    best_sets: list[frozenset] = [frozenset()]
    for combo in itertools.product(*options):
        chosen = [(r, h) for r, h in combo if h is not None]
        load: dict = {}
        for _, h in chosen:
            load[h] = load.get(h, 0) + 1
        if any(load[h] > capacity[h] for h in load):
            continue
        total = sum((pair_weights[p] for p in chosen), Decimal(0))
        if total > best:
            best, best_sets = total, [frozenset(chosen)]
        elif total == best:
            best_sets.append(frozenset(chosen))
    return best, best_sets
