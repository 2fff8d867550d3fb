"""A matching round run by the programme office (§三(二)): which hospitals take part, how each
side ranks the other, what a re-run carries over, and how each outcome is explained.

Pure rules on top of `fit_score` and the two solvers. Hospitals are identified by integer ids
(the registry's primary keys); the caller loads them and persists the outcome.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from bangfu.matching.domain.fit import (
    DEFAULT_FIT_WEIGHTS,
    CityPairing,
    FitScore,
    FitWeights,
    HelperProfile,
    RecipientNeeds,
    fit_score,
    matching_instance_from_profiles,
)
from bangfu.matching.domain.instance import MatchingInstance, PairKey
from bangfu.matching.domain.optimal import solve_optimal
from bangfu.matching.domain.pair_weights import mutually_acceptable_pairs
from bangfu.matching.domain.result import Assignment, MatchResult, Method
from bangfu.matching.domain.stable import solve_stable

Pair = tuple[int, int]  # (recipient id, helper id)

MAX_CAPACITY = 99
"""A helper taking more recipients than this in one round is a typing mistake, not a plan."""

PART_LABELS: Mapping[str, str] = {
    "specialty": "专科契合",
    "region": "区域方向",
    "pairing": "粤黔结对",
    "capacity": "帮扶名额",
}

MODE_EAST_WEST = "east_west"
MODE_SPECIALTY_ALLIANCE = "specialty_alliance"


@dataclass(frozen=True)
class RoundParameters:
    """What an officer chose for a round: method, hospitals, capacity changes, excluded pairs.

    Ids are kept sorted and unique, so equal choices compare equal and serialise the same way.
    """

    method: Method
    recipient_ids: tuple[int, ...]
    helper_ids: tuple[int, ...]
    capacity_overrides: tuple[tuple[int, int], ...] = ()  # (helper id, capacity), by id
    excluded_pairs: tuple[Pair, ...] = ()

    @classmethod
    def build(
        cls,
        *,
        method: Method,
        recipient_ids: Iterable[int],
        helper_ids: Iterable[int],
        capacity_overrides: Mapping[int, int] | None = None,
        excluded_pairs: Iterable[Pair] = (),
    ) -> RoundParameters:
        """Normalise: ids sorted and de-duplicated, overrides and exclusions sorted."""
        return cls(
            method=method,
            recipient_ids=tuple(sorted(set(recipient_ids))),
            helper_ids=tuple(sorted(set(helper_ids))),
            capacity_overrides=tuple(sorted((capacity_overrides or {}).items())),
            excluded_pairs=tuple(sorted(set(excluded_pairs))),
        )

    @property
    def capacity_by_helper(self) -> dict[int, int]:
        return dict(self.capacity_overrides)

    def to_json(self) -> dict[str, object]:
        return {
            "method": self.method.value,
            "recipient_ids": list(self.recipient_ids),
            "helper_ids": list(self.helper_ids),
            "capacity_overrides": {str(h): c for h, c in self.capacity_overrides},
            "excluded_pairs": [list(p) for p in self.excluded_pairs],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> RoundParameters:
        """The inverse of `to_json` (for parameters this module wrote)."""
        overrides = data.get("capacity_overrides") or {}
        excluded = data.get("excluded_pairs") or []
        assert isinstance(overrides, Mapping) and isinstance(excluded, list)
        return cls.build(
            method=Method(str(data["method"])),
            recipient_ids=_ints(data.get("recipient_ids")),
            helper_ids=_ints(data.get("helper_ids")),
            capacity_overrides={int(h): int(c) for h, c in overrides.items()},
            excluded_pairs=[(int(p[0]), int(p[1])) for p in excluded],
        )


@dataclass(frozen=True)
class RoundIssue:
    """A problem with a round's input: `field` names it (recipient_ids, capacity_overrides …)."""

    field: str
    message: str


@dataclass(frozen=True)
class RecipientStanding:
    """What decides whether a recipient is preselected for a round."""

    id: int
    target_county: bool  # its county is one of the 70 target counties (§一)
    agreement_in_force: bool  # an agreement is in force today
    pending_partnership: bool  # a partnership with no signed agreement yet (being set up)


def default_recipient_ids(standings: Iterable[RecipientStanding]) -> tuple[int, ...]:
    """The recipients a round starts with: institutions of the 70 target counties (§一) that have
    no agreement in force today and are not already being paired — a partnership without a signed
    agreement, e.g. an accepted proposal awaiting its first agreement (§三(二) 尚未建立帮扶关系的
    医院). Sorted by id."""
    return tuple(
        sorted(
            s.id
            for s in standings
            if s.target_county and not s.agreement_in_force and not s.pending_partnership
        )
    )


def default_helper_ids(capacities: Mapping[int, int]) -> tuple[int, ...]:
    """The helpers a round starts with: those that can still take a recipient (capacity > 0,
    §三(一) 帮扶地所能). Sorted by id."""
    return tuple(sorted(h for h, capacity in capacities.items() if capacity > 0))


def round_parameter_issues(
    parameters: RoundParameters,
    *,
    known_recipient_ids: Collection[int],
    known_helper_ids: Collection[int],
    helper_names: Mapping[int, str],
) -> tuple[RoundIssue, ...]:
    """Everything wrong with a round's input, each naming its field: at least one recipient and
    one helper; every id a recipient/helper the officer may match (unknown or out of scope ids are
    reported the same way); capacity changes only for the round's helpers, integers 0–99;
    excluded pairs made of the round's recipients and helpers."""
    issues: list[RoundIssue] = []
    recipients = set(parameters.recipient_ids)
    helpers = set(parameters.helper_ids)
    if not recipients:
        issues.append(RoundIssue("recipient_ids", "请至少选择一家受扶医院"))
    if not helpers:
        issues.append(RoundIssue("helper_ids", "请至少选择一家帮扶医院"))
    for rid in parameters.recipient_ids:
        if rid not in known_recipient_ids:
            issues.append(
                RoundIssue(
                    "recipient_ids", f"未找到编号为 {rid} 的受扶医院（或不在您的管辖范围内）"
                )
            )
    for hid in parameters.helper_ids:
        if hid not in known_helper_ids:
            issues.append(RoundIssue("helper_ids", f"未找到编号为 {hid} 的帮扶医院"))
    for hid, capacity in parameters.capacity_overrides:
        name = helper_names.get(hid, f"编号 {hid}")
        if hid not in helpers:
            issues.append(
                RoundIssue("capacity_overrides", f"帮扶医院「{name}」不在本轮匹配的帮扶医院中")
            )
        elif capacity < 0:
            issues.append(
                RoundIssue(
                    "capacity_overrides", f"帮扶医院「{name}」的名额不能为负数（收到 {capacity}）"
                )
            )
        elif capacity > MAX_CAPACITY:
            issues.append(
                RoundIssue(
                    "capacity_overrides",
                    f"帮扶医院「{name}」的名额不能超过 {MAX_CAPACITY}（收到 {capacity}）",
                )
            )
    for rid, hid in parameters.excluded_pairs:
        if rid not in recipients or hid not in helpers:
            issues.append(
                RoundIssue(
                    "excluded_pairs",
                    f"排除的配对 [{rid}, {hid}] 不是本轮的受扶医院与帮扶医院",
                )
            )
    return tuple(issues)


def preference_list(
    stated: Sequence[int] | None,
    candidates: Sequence[int],
    score: Mapping[int, Decimal],
    excluded: Collection[int] = (),
) -> tuple[int, ...]:
    """A hospital's ranked choices in a round (§三(二) 自主选择、主动对接).

    A hospital that stated its choices keeps them in its own order, limited to this round's
    candidates. A hospital that stated none ranks every candidate by fit, best first (ties by
    smaller id). Pairs the officer excluded are dropped from either kind of list.
    """
    allowed = set(candidates) - set(excluded)
    if stated is not None:
        seen: set[int] = set()
        ranked = []
        for other in stated:
            if other in allowed and other not in seen:
                ranked.append(other)
                seen.add(other)
        return tuple(ranked)
    return tuple(sorted(allowed, key=lambda other: (-score[other], other)))


@dataclass(frozen=True)
class RoundInstance:
    """A round ready to solve: the hospitals with their ranked choices, every pair's fit, and the
    `MatchingInstance` whose listed weights are the fits of the mutually acceptable pairs."""

    needs: tuple[RecipientNeeds, ...]
    profiles: tuple[HelperProfile, ...]
    fits: Mapping[Pair, FitScore]
    instance: MatchingInstance
    stated: frozenset[tuple[str, int]]  # ("recipient" | "helper", id) of hospitals with own lists
    mutual: frozenset[Pair]  # the mutually acceptable pairs (each lists the other, capacity > 0)


def round_instance(
    needs: Sequence[RecipientNeeds],
    profiles: Sequence[HelperProfile],
    *,
    stated_recipient_prefs: Mapping[int, Sequence[int]],
    stated_helper_prefs: Mapping[int, Sequence[int]],
    excluded_pairs: Collection[Pair] = (),
    pairings: Iterable[CityPairing] = (),
    weights: FitWeights = DEFAULT_FIT_WEIGHTS,
) -> RoundInstance:
    """Score every recipient–helper pair with `fit_score` (§三(一) 受扶地所需、帮扶地所能), rank each
    side with `preference_list`, and weight each mutually acceptable pair by its fit (§三(二)
    合理匹配). `needs`/`profiles` carry integer ids; their own `prefs` are ignored."""
    pairing_list = tuple(pairings)
    recipient_ids = [int(r.id) for r in needs]
    helper_ids = [int(h.id) for h in profiles]
    fits = {
        (int(r.id), int(h.id)): fit_score(r, h, weights, pairing_list)
        for r in needs
        for h in profiles
    }
    excluded_for_recipient: dict[int, set[int]] = {}
    excluded_for_helper: dict[int, set[int]] = {}
    for rid, hid in excluded_pairs:
        excluded_for_recipient.setdefault(rid, set()).add(hid)
        excluded_for_helper.setdefault(hid, set()).add(rid)
    ranked_needs = tuple(
        replace(
            r,
            prefs=preference_list(
                stated_recipient_prefs.get(int(r.id)),
                helper_ids,
                {hid: fits[(int(r.id), hid)].total for hid in helper_ids},
                excluded_for_recipient.get(int(r.id), ()),
            ),
        )
        for r in needs
    )
    ranked_profiles = tuple(
        replace(
            h,
            prefs=preference_list(
                stated_helper_prefs.get(int(h.id)),
                recipient_ids,
                {rid: fits[(rid, int(h.id))].total for rid in recipient_ids},
                excluded_for_helper.get(int(h.id), ()),
            ),
        )
        for h in profiles
    )
    unweighted = matching_instance_from_profiles(ranked_needs, ranked_profiles)
    mutual = mutually_acceptable_pairs(unweighted)
    pair_weights: dict[PairKey, Decimal] = {
        (int(r), int(h)): fits[(int(r), int(h))].total for r, h in mutual
    }
    stated = frozenset(
        [("recipient", rid) for rid in stated_recipient_prefs if rid in recipient_ids]
        + [("helper", hid) for hid in stated_helper_prefs if hid in helper_ids]
    )
    return RoundInstance(
        needs=ranked_needs,
        profiles=ranked_profiles,
        fits=fits,
        instance=matching_instance_from_profiles(ranked_needs, ranked_profiles, pair_weights),
        stated=stated,
        mutual=frozenset((int(r), int(h)) for r, h in pair_weights),
    )


def solve_round(prepared: RoundInstance, method: Method) -> MatchResult:
    """Solve with the method the officer chose (§三(二)): `stable` — deferred acceptance on both
    sides' rankings (自主选择、主动对接), fits only reported; `optimal` — the largest total fit over
    the mutually acceptable pairs (合理匹配)."""
    if method is Method.OPTIMAL:
        return solve_optimal(prepared.instance)
    return solve_stable(prepared.instance)


def proposal_reason(assignment: Assignment, prepared: RoundInstance) -> str:
    """One proposed pair in a sentence: where each side ranked the other (and whether that list
    was the hospital's own or ranked by fit) and the pair's fit out of the maximum (§三(二))."""
    fit = prepared.fits[(int(assignment.recipient), int(assignment.helper))]
    recipient_side = _rank_phrase(
        "受扶医院",
        assignment.recipient_rank,
        ("recipient", int(assignment.recipient)) in prepared.stated,
    )
    helper_side = _rank_phrase(
        "帮扶医院",
        assignment.helper_rank,
        ("helper", int(assignment.helper)) in prepared.stated,
    )
    maximum = DEFAULT_FIT_WEIGHTS.maximum.quantize(Decimal("0.01"))
    return f"{recipient_side}，{helper_side}；契合度 {fit.total} 分（满分 {maximum}）。"


def unmatched_reasons(prepared: RoundInstance, result: MatchResult) -> dict[int, str]:
    """Why each unmatched recipient was left without a helper in this round (§三(二)): nobody it
    could be paired with (no choices, or none of its choices chose it back with capacity > 0),
    or the places went to recipients the helpers preferred (stable) / that raise the total fit
    more (optimal)."""
    prefs = {int(r.id): r.prefs for r in prepared.needs}
    with_mutual = {rid for rid, _ in prepared.mutual}
    reasons: dict[int, str] = {}
    for raw_id in result.unmatched:
        rid = int(raw_id)
        if not prefs[rid]:
            reasons[rid] = (
                "本轮没有可供选择的帮扶医院（本院填报的志愿均不在本轮，或相关配对已被排除）。"
            )
        elif rid not in with_mutual:
            reasons[rid] = (
                "志愿中的帮扶医院均未将其列入志愿或已无名额，没有双方互选的配对"
                "（§三(二)“自主选择”）。"
            )
        elif result.method is Method.STABLE:
            reasons[rid] = (
                "志愿中的帮扶医院名额已被其更中意的受扶医院占满（稳定匹配，§三(二)“主动对接”）。"
            )
        else:
            reasons[rid] = (
                "将可选帮扶医院的名额分配给其他受扶医院时总契合度更大（§三(二)“合理匹配”）。"
            )
    return reasons


def proposal_modes(fit: FitScore) -> tuple[str, ...]:
    """The modes a draft partnership from a proposal starts with (the officer may change them
    later): a specialty alliance, since the pair was chosen for specialty fit (§二(四)), plus
    East-West cooperation when the helper's city is paired with the recipient's prefecture in
    粤黔 cooperation (§二(一))."""
    paired = any(part.name == "pairing" and part.value > 0 for part in fit.parts)
    if paired:
        return (MODE_EAST_WEST, MODE_SPECIALTY_ALLIANCE)
    return (MODE_SPECIALTY_ALLIANCE,)


@dataclass(frozen=True)
class ProposalOutcome:
    """How a proposal of the previous round ended, for a re-run."""

    recipient_id: int
    helper_id: int
    accepted: bool
    excluded: bool


@dataclass(frozen=True)
class Rerun:
    parameters: RoundParameters
    reasons: tuple[str, ...]


def rerun_parameters(
    previous: RoundParameters,
    *,
    previous_capacities: Mapping[int, int],
    outcomes: Iterable[ProposalOutcome],
    capacity_changes: Mapping[int, int] | None = None,
    method: Method | None = None,
) -> Rerun:
    """The next round after an officer adjusted one (§三(二)): the same hospitals and choices,
    except that accepted pairs are settled — their recipients leave the round and each accepted
    pair uses one place of its helper's capacity in that round — excluded pairs stay excluded,
    and capacities the officer changed now replace whatever they were. The method is kept unless
    a new one is given."""
    outcome_list = list(outcomes)
    accepted = [o for o in outcome_list if o.accepted]
    accepted_recipients = {o.recipient_id for o in accepted}
    used: dict[int, int] = {}
    for o in accepted:
        used[o.helper_id] = used.get(o.helper_id, 0) + 1
    overrides = previous.capacity_by_helper
    for hid, count in used.items():
        overrides[hid] = max(0, previous_capacities.get(hid, 0) - count)
    changes = dict(capacity_changes or {})
    overrides.update(changes)
    excluded = {
        pair
        for pair in set(previous.excluded_pairs)
        | {(o.recipient_id, o.helper_id) for o in outcome_list if o.excluded}
        if pair[0] not in accepted_recipients
    }
    reasons: list[str] = []
    if accepted:
        reasons.append(
            f"上一轮已接受的 {len(accepted)} 对结对不再参与匹配，并占用相应帮扶医院的名额。"
        )
    newly_excluded = len(excluded - set(previous.excluded_pairs))
    if newly_excluded:
        reasons.append(f"新排除 {newly_excluded} 对配对，本轮不再提出。")
    if changes:
        reasons.append(f"调整了 {len(changes)} 家帮扶医院的名额。")
    parameters = RoundParameters.build(
        method=method or previous.method,
        recipient_ids=[r for r in previous.recipient_ids if r not in accepted_recipients],
        helper_ids=previous.helper_ids,
        capacity_overrides=overrides,
        excluded_pairs=excluded,
    )
    return Rerun(parameters=parameters, reasons=tuple(reasons))


def _rank_phrase(side: str, rank: int | None, stated: bool) -> str:
    if rank is None:
        return f"{side}未将对方列入志愿"
    basis = "本院填报" if stated else "按契合度排序"
    return f"{side}将对方列为第 {rank} 志愿（{basis}）"


def _ints(value: object) -> list[int]:
    assert isinstance(value, list)
    return [int(v) for v in value]
