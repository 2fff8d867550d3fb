"""What a solver returns: the pairs, who is left unmatched, and why (§三(二))."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from bangfu.matching.domain.instance import PlayerId


class Method(StrEnum):
    """The two ways §三(二) asks hospitals without a helper to be paired."""

    STABLE = "stable"  # 自主选择、主动对接: both sides' rankings, no pair would rather defect
    OPTIMAL = "optimal"  # 合理匹配: the largest total fit


class WeightBasis(StrEnum):
    """Where an assignment's weight comes from."""

    LISTED = "listed"  # given in the instance (or by the caller)
    NOT_LISTED = "not_listed"  # weights were given but not for this pair: counts as 0
    RANK_FIT = "rank_fit"  # no weights given: computed from the two rankings


@dataclass(frozen=True)
class Assignment:
    """One proposed pair. Ranks are 1-based positions in each side's own list (None when
    the pair is not in that list, which only `solve_optimal` with listed weights allows)."""

    recipient: PlayerId
    helper: PlayerId
    weight: Decimal
    weight_basis: WeightBasis
    recipient_rank: int | None
    helper_rank: int | None

    @property
    def reason_zh(self) -> str:
        """The pair explained in one sentence for pages and documents."""
        return f"{_rank_zh('受扶医院', self.recipient_rank)}，{_rank_zh('帮扶医院', self.helper_rank)}；{_weight_zh(self.weight, self.weight_basis)}。"


@dataclass(frozen=True)
class MatchResult:
    """Assignments sorted by recipient id, unmatched recipient ids sorted, objective = the sum
    of the assignments' weights, and the reasons (with clauses) that explain the method."""

    method: Method
    assignments: tuple[Assignment, ...]
    unmatched: tuple[PlayerId, ...]
    objective: Decimal
    reasons: tuple[str, ...]

    def helper_of(self, recipient: PlayerId) -> PlayerId | None:
        """The helper assigned to `recipient`, or None."""
        for assignment in self.assignments:
            if assignment.recipient == recipient:
                return assignment.helper
        return None


def _rank_zh(side: str, rank: int | None) -> str:
    if rank is None:
        return f"{side}未将对方列入志愿"
    return f"{side}将对方列为第 {rank} 志愿"


def _weight_zh(weight: Decimal, basis: WeightBasis) -> str:
    if basis is WeightBasis.LISTED:
        return f"配对权重 {weight}（给定）"
    if basis is WeightBasis.NOT_LISTED:
        return "未给定该配对的权重，按 0 计"
    return f"配对权重 {weight}（按双方志愿排名计算：(L − 受扶方名次) + (L − 帮扶方名次)）"
