"""Matching hospitals without a helper (§三(二)): pure rules, no Django, no I/O, no clock.

Public entry points:
  parse_instance(dict) -> MatchingInstance      (raises MatchingInputError(path, message))
  solve_stable(instance, weights=None) -> MatchResult
  solve_optimal(instance, weights=None) -> MatchResult
  fit_score(recipient_needs, helper_profile, fit_weights, pairings) -> FitScore
  fit_pair_weights(...) / matching_instance_from_profiles(...) to feed fit into the solvers
"""

from bangfu.matching.domain.fit import (
    DEFAULT_FIT_WEIGHTS,
    CityPairing,
    FitScore,
    FitWeights,
    HelperProfile,
    RecipientNeeds,
    ReferralCount,
    Region,
    ScorePart,
    city_pairings_from_rows,
    fit_pair_weights,
    fit_score,
    matching_instance_from_profiles,
)
from bangfu.matching.domain.instance import (
    HelperEntry,
    MatchingInputError,
    MatchingInstance,
    PairKey,
    PairWeight,
    PlayerId,
    RecipientEntry,
    id_sort_key,
)
from bangfu.matching.domain.instance_parsing import parse_instance
from bangfu.matching.domain.optimal import solve_optimal
from bangfu.matching.domain.pair_weights import mutually_acceptable_pairs, rank_fit
from bangfu.matching.domain.result import Assignment, MatchResult, Method, WeightBasis
from bangfu.matching.domain.stable import solve_stable

__all__ = [
    "DEFAULT_FIT_WEIGHTS",
    "Assignment",
    "CityPairing",
    "FitScore",
    "FitWeights",
    "HelperEntry",
    "HelperProfile",
    "MatchResult",
    "MatchingInputError",
    "MatchingInstance",
    "Method",
    "PairKey",
    "PairWeight",
    "PlayerId",
    "RecipientEntry",
    "RecipientNeeds",
    "ReferralCount",
    "Region",
    "ScorePart",
    "WeightBasis",
    "city_pairings_from_rows",
    "fit_pair_weights",
    "fit_score",
    "id_sort_key",
    "matching_instance_from_profiles",
    "mutually_acceptable_pairs",
    "parse_instance",
    "rank_fit",
    "solve_optimal",
    "solve_stable",
]
