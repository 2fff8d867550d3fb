"""Pair weights: listed ones, or a fit computed from the two rankings when no weights (and
no hospital profiles) are given (§三(二) "合理匹配")."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from bangfu.matching.domain.instance import (
    MatchingInstance,
    PairKey,
    PairWeight,
    check_pair_weight,
)


def longest_preference_list(instance: MatchingInstance) -> int:
    """L in the rank fit: the length of the longest preference list on either side."""
    lengths = [len(r.prefs) for r in instance.recipients] + [len(h.prefs) for h in instance.helpers]
    return max(lengths, default=0)


def rank_fit(recipient_rank: int, helper_rank: int, longest: int) -> Decimal:
    """Rank-based fit of a mutually acceptable pair: (L − rank_r) + (L − rank_h), ranks
    0-based positions in each side's own list, L = the longest list in the instance. Each
    side contributes 1 (last choice of the longest list) … L (first choice), so a pair both
    sides put first scores 2L and every mutually acceptable pair scores at least 2.
    Used by `solve_optimal` when neither weights nor hospital profiles are given (§三(二))."""
    return Decimal((longest - recipient_rank) + (longest - helper_rank))


def mutually_acceptable_pairs(instance: MatchingInstance) -> dict[PairKey, tuple[int, int]]:
    """Pairs (recipient, helper) that list each other — the pairs §三(二)'s 自主选择 allows —
    with their 0-based ranks (rank by the recipient, rank by the helper). A helper with
    capacity 0 accepts nobody."""
    helper_ranks: dict[PairKey, int] = {}
    for helper in instance.helpers:
        if helper.capacity > 0:
            for rank, recipient_id in enumerate(helper.prefs):
                helper_ranks[(recipient_id, helper.id)] = rank
    pairs: dict[PairKey, tuple[int, int]] = {}
    for recipient in instance.recipients:
        for rank, helper_id in enumerate(recipient.prefs):
            key = (recipient.id, helper_id)
            helper_rank = helper_ranks.get(key)
            if helper_rank is not None:
                pairs[key] = (rank, helper_rank)
    return pairs


def rank_fit_weights(instance: MatchingInstance) -> dict[PairKey, Decimal]:
    """`rank_fit` for every mutually acceptable pair."""
    longest = longest_preference_list(instance)
    return {
        key: rank_fit(recipient_rank, helper_rank, longest)
        for key, (recipient_rank, helper_rank) in mutually_acceptable_pairs(instance).items()
    }


def listed_weights(
    instance: MatchingInstance, weights: Mapping[PairKey, Decimal] | None
) -> Mapping[PairKey, Decimal] | None:
    """The explicit pair weights in force: the caller's `weights` if given (checked like the
    instance's own), else the instance's, else None (no weights listed)."""
    if weights is not None:
        recipient_ids = {r.id for r in instance.recipients}
        helper_ids = {h.id for h in instance.helpers}
        for index, ((recipient, helper), weight) in enumerate(weights.items()):
            check_pair_weight(
                f"weights[{index}]",
                PairWeight(recipient, helper, weight),
                recipient_ids,
                helper_ids,
            )
        return weights
    return instance.weight_by_pair
