"""Stable matching with helper capacities (§三(二) "自主选择、主动对接")."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from heapq import heappush, heapreplace

from bangfu.matching.domain.instance import MatchingInstance, PairKey, id_sort_key
from bangfu.matching.domain.pair_weights import listed_weights, longest_preference_list, rank_fit
from bangfu.matching.domain.result import Assignment, MatchResult, Method, WeightBasis

STABLE_REASON = (
    "按§三(二)“自主选择、主动对接”：仅双方互相列入志愿的配对可选；由受扶医院按志愿依次提出申请、"
    "帮扶医院在名额内保留最中意者（延迟接受算法），结果是稳定匹配——不存在一对双方都更愿彼此结对的医院，"
    "且每家受扶医院得到所有稳定匹配中对它最好的帮扶医院。"
)


def solve_stable(
    instance: MatchingInstance, weights: Mapping[PairKey, Decimal] | None = None
) -> MatchResult:
    """Recipient-proposing deferred acceptance with helper capacities (§三(二)).

    Rule: a pair is acceptable only when each side lists the other (and the helper has
    capacity > 0). Each unassigned recipient proposes to its next acceptable helper; the
    helper keeps its `capacity` best proposers by its own ranking and rejects the rest.
    The result is the recipient-optimal stable matching, which is unique, so neither the
    order of the input nor the order of proposals changes it.

    Weights do not influence the matching; they are only reported: the listed weight of
    the pair (`weights`, else the instance's), 0 for a pair not listed, or the rank fit
    (see `rank_fit`) when no weights are given at all.

    Iterative, O(total preference-list length · log capacity).
    """
    recipients = instance.recipients
    helpers = instance.helpers
    recipient_index = {r.id: i for i, r in enumerate(recipients)}
    helper_index = {h.id: i for i, h in enumerate(helpers)}
    capacities = [h.capacity for h in helpers]
    # helper_rank[h][r] = position of recipient r in helper h's list (acceptable set of h)
    helper_rank: list[dict[int, int]] = [
        {recipient_index[rid]: rank for rank, rid in enumerate(h.prefs)} if h.capacity else {}
        for h in helpers
    ]
    # Each recipient's list restricted to helpers that list it back, best first, as
    # (helper, the helper's rank of this recipient).
    proposals: list[list[tuple[int, int]]] = []
    for ri, recipient in enumerate(recipients):
        mutual = []
        for hid in recipient.prefs:
            hi = helper_index[hid]
            rank = helper_rank[hi].get(ri)
            if rank is not None:
                mutual.append((hi, rank))
        proposals.append(mutual)

    # held[h]: heap of (-rank, recipient) so the worst held recipient is held[h][0].
    held: list[list[tuple[int, int]]] = [[] for _ in helpers]
    next_choice = [0] * len(recipients)
    for start in range(len(recipients)):
        proposer = start
        while proposer >= 0:
            choices = proposals[proposer]
            position = next_choice[proposer]
            if position == len(choices):
                break  # exhausted its list: stays unmatched
            next_choice[proposer] = position + 1
            hi, rank = choices[position]
            kept = held[hi]
            if len(kept) < capacities[hi]:
                heappush(kept, (-rank, proposer))
                proposer = -1
            elif rank < -kept[0][0]:
                displaced = kept[0][1]
                heapreplace(kept, (-rank, proposer))
                proposer = displaced
            # else: rejected, proposes to its next choice

    pairs = [(ri, hi) for hi, kept in enumerate(held) for _, ri in kept]
    return _result(instance, pairs, weights)


def _result(
    instance: MatchingInstance,
    pairs: list[tuple[int, int]],
    weights: Mapping[PairKey, Decimal] | None,
) -> MatchResult:
    recipients = instance.recipients
    helpers = instance.helpers
    listed = listed_weights(instance, weights)
    longest = longest_preference_list(instance)
    assignments = []
    for ri, hi in pairs:
        recipient, helper = recipients[ri], helpers[hi]
        recipient_rank = recipient.prefs.index(helper.id)
        helper_rank = helper.prefs.index(recipient.id)
        if listed is None:
            weight, basis = rank_fit(recipient_rank, helper_rank, longest), WeightBasis.RANK_FIT
        elif (recipient.id, helper.id) in listed:
            weight, basis = listed[(recipient.id, helper.id)], WeightBasis.LISTED
        else:
            weight, basis = Decimal(0), WeightBasis.NOT_LISTED
        assignments.append(
            Assignment(
                recipient=recipient.id,
                helper=helper.id,
                weight=weight,
                weight_basis=basis,
                recipient_rank=recipient_rank + 1,
                helper_rank=helper_rank + 1,
            )
        )
    assignments.sort(key=lambda a: id_sort_key(a.recipient))
    matched = {ri for ri, _ in pairs}
    unmatched = sorted(
        (r.id for ri, r in enumerate(recipients) if ri not in matched), key=id_sort_key
    )
    return MatchResult(
        method=Method.STABLE,
        assignments=tuple(assignments),
        unmatched=tuple(unmatched),
        objective=sum((a.weight for a in assignments), Decimal(0)),
        reasons=(STABLE_REASON,),
    )
