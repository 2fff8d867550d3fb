"""How well a helper fits a recipient without a helper: "受扶地所需、帮扶地所能" (§三(一)),
matched "自主选择、主动对接、合理匹配" (§三(二)).

The score has four explained parts, each bounded by its weight in `FitWeights`:
specialty overlap weighted by the recipient's out-referrals, a bonus for helpers in the
regions §三(二) names, a bonus for an existing 粤黔 city pairing (§二(一)), and the
helper's remaining capacity. Values are Decimals rounded half-up to 0.01; the total is
the sum of the rounded parts, so the parts always add up to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from bangfu.matching.domain.instance import (
    HelperEntry,
    MatchingInstance,
    PairKey,
    PairWeight,
    PlayerId,
    RecipientEntry,
    id_sort_key,
)

CENT = Decimal("0.01")
SHOWN_SPECIALTIES = 5


class Region(StrEnum):
    """The economic regions §三(二) asks the programme to join."""

    YANGTZE_RIVER_ECONOMIC_BELT = "长江经济带"
    CHENGDU_CHONGQING_ECONOMIC_CIRCLE = "川渝经济圈"
    GREATER_BAY_AREA = "粤港澳大湾区"


@dataclass(frozen=True)
class ReferralCount:
    """Patients with `disease` referred out of the county in the last 3 years, and the
    specialty that treats it (A1-(3): 近3年外转率排名靠前的疾病谱)."""

    disease: str
    specialty: str
    count: int

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError(f"外转人次不能为负数：{self.disease}（{self.count}）")


@dataclass(frozen=True)
class RecipientNeeds:
    """What a recipient hospital needs (受扶地所需, §三(一)).

    `weak_specialties` and `capability_gaps` are specialty codes (a gap is a capability the
    county-hospital standard expects and the hospital lacks, named by the specialty that
    would provide it); `prefs` are helper ids, best first.
    """

    id: PlayerId
    prefecture: str
    weak_specialties: tuple[str, ...] = ()
    referrals: tuple[ReferralCount, ...] = ()
    capability_gaps: tuple[str, ...] = ()
    prefs: tuple[PlayerId, ...] = ()


@dataclass(frozen=True)
class HelperProfile:
    """What a helper hospital can offer (帮扶地所能, §三(一)); `prefs` are recipient ids."""

    id: PlayerId
    province: str
    city: str
    advantage_specialties: tuple[str, ...]
    capacity: int
    regions: frozenset[Region] = field(default_factory=frozenset)
    prefs: tuple[PlayerId, ...] = ()


@dataclass(frozen=True)
class CityPairing:
    """An existing Guangdong city ↔ Guizhou prefecture East-West pairing (§二(一))."""

    guangdong_city: str
    guizhou_prefecture: str


@dataclass(frozen=True)
class FitWeights:
    """Points of each part of the fit (defaults sum to 100).

    specialty_points   60  share of the recipient's specialty demand the helper's
                           advantage specialties cover (the core of 所需/所能, §三(一))
    region_points      10  helper in 长江经济带 / 川渝经济圈 / 粤港澳大湾区 (§三(二))
    pairing_points     15  helper's city already paired with the recipient's prefecture
                           in 粤黔 East-West cooperation (§二(一))
    capacity_points    15  helper's remaining capacity, full marks at `capacity_reference`
    capacity_reference  3  capacity that earns full capacity points
    listed_need_referrals 20  a weak specialty or capability gap counts as this many
                           out-referrals in the specialty demand
    """

    specialty_points: Decimal = Decimal(60)
    region_points: Decimal = Decimal(10)
    pairing_points: Decimal = Decimal(15)
    capacity_points: Decimal = Decimal(15)
    capacity_reference: int = 3
    listed_need_referrals: int = 20

    def __post_init__(self) -> None:
        for name in ("specialty_points", "region_points", "pairing_points", "capacity_points"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name}: 分值不能为负数")
        if self.capacity_reference < 1:
            raise ValueError("capacity_reference: 满分容量至少为 1")
        if self.listed_need_referrals < 0:
            raise ValueError("listed_need_referrals: 折算人次不能为负数")

    @property
    def maximum(self) -> Decimal:
        """The largest total a pair can score."""
        return (
            self.specialty_points + self.region_points + self.pairing_points + self.capacity_points
        )


DEFAULT_FIT_WEIGHTS = FitWeights()


@dataclass(frozen=True)
class ScorePart:
    """One explained part of a fit score: `name` is a stable code, `reason_zh` says why."""

    name: str
    value: Decimal
    reason_zh: str


@dataclass(frozen=True)
class FitScore:
    """A pair's fit: `total` is the sum of the parts' values."""

    total: Decimal
    parts: tuple[ScorePart, ...]


def specialty_demand(recipient: RecipientNeeds, weights: FitWeights) -> dict[str, int]:
    """Demand per specialty (受扶地所需, §三(一); A1-(3)): the out-referrals of the last 3
    years in that specialty, plus `listed_need_referrals` for each time it is listed as a
    weak specialty or a capability gap."""
    demand: dict[str, int] = {}
    for referral in recipient.referrals:
        demand[referral.specialty] = demand.get(referral.specialty, 0) + referral.count
    for specialty in (*recipient.weak_specialties, *recipient.capability_gaps):
        demand[specialty] = demand.get(specialty, 0) + weights.listed_need_referrals
    return demand


def specialty_overlap_part(
    recipient: RecipientNeeds, helper: HelperProfile, weights: FitWeights
) -> ScorePart:
    """specialty_points × (demand in the helper's advantage specialties / all demand), so a
    helper strong where most patients leave the county scores most (§三(一) 所需/所能;
    A1-(3) 近3年外转率排名靠前的疾病谱). No stated need scores 0."""
    demand = specialty_demand(recipient, weights)
    total = sum(demand.values())
    if total == 0:
        return ScorePart(
            "specialty",
            Decimal("0.00"),
            "受扶医院未提供薄弱专科、外转病种或能力短板，无法计算专科契合度（§三(一)“受扶地所需”）。",
        )
    advantages = set(helper.advantage_specialties)
    covered = {s: d for s, d in demand.items() if s in advantages and d > 0}
    covered_total = sum(covered.values())
    value = _cents(weights.specialty_points * covered_total / total)
    share = _cents(Decimal(100) * covered_total / total)
    basis = (
        f"需求按近3年外转人次计，每项薄弱专科或能力短板折算 {weights.listed_need_referrals} 人次"
        "（§三(一)“受扶地所需、帮扶地所能”，A1-(3)）"
    )
    if not covered:
        return ScorePart(
            "specialty",
            value,
            f"帮扶医院优势专科未覆盖受扶医院的需求专科（需求合计 {total}）；{basis}。",
        )
    listed = _top_specialties(covered)
    diseases = _top_diseases(r for r in recipient.referrals if r.specialty in advantages)
    return ScorePart(
        "specialty",
        value,
        f"帮扶医院优势专科覆盖需求 {covered_total}/{total}（{share}%）：{listed}{diseases}；{basis}。",
    )


def region_part(helper: HelperProfile, weights: FitWeights) -> ScorePart:
    """region_points when the helper belongs to at least one of 长江经济带、川渝经济圈、
    粤港澳大湾区, which §三(二) asks the programme to draw helpers from; else 0."""
    regions = [region for region in Region if region in helper.regions]
    if regions:
        names = "、".join(region.value for region in regions)
        return ScorePart(
            "region",
            _cents(weights.region_points),
            f"帮扶医院属{names}，符合§三(二)“融入长江经济带、川渝经济圈、粤港澳大湾区”的方向。",
        )
    return ScorePart(
        "region",
        Decimal("0.00"),
        "帮扶医院不属于长江经济带、川渝经济圈或粤港澳大湾区，无区域加分（§三(二)）。",
    )


def pairing_part(
    recipient: RecipientNeeds,
    helper: HelperProfile,
    pairings: Iterable[CityPairing],
    weights: FitWeights,
) -> ScorePart:
    """pairing_points when the helper's city is already paired with the recipient's
    prefecture in 粤黔 East-West cooperation (§二(一) 依托已建立的粤黔协作关系); else 0."""
    partners = sorted({p.guizhou_prefecture for p in pairings if p.guangdong_city == helper.city})
    if recipient.prefecture in partners:
        return ScorePart(
            "pairing",
            _cents(weights.pairing_points),
            f"{helper.city}与{recipient.prefecture}已建立粤黔东西部协作关系（§二(一)“依托已建立的粤黔协作关系”）。",
        )
    if partners:
        reason = (
            f"{helper.city}的粤黔协作结对地区为{'、'.join(partners)}，不含{recipient.prefecture}，"
            "无结对加分（§二(一)）。"
        )
    else:
        reason = f"{helper.city}与贵州无已登记的粤黔协作结对关系，无结对加分（§二(一)）。"
    return ScorePart("pairing", Decimal("0.00"), reason)


def capacity_part(helper: HelperProfile, weights: FitWeights) -> ScorePart:
    """capacity_points × min(capacity, capacity_reference) / capacity_reference: a helper
    that can still take more recipients can do more (帮扶地所能, §三(一)); 0 when full."""
    if helper.capacity <= 0:
        return ScorePart(
            "capacity",
            Decimal("0.00"),
            "帮扶医院已无可承接的帮扶名额（§三(一)“帮扶地所能”）。",
        )
    used = min(helper.capacity, weights.capacity_reference)
    value = _cents(weights.capacity_points * used / weights.capacity_reference)
    return ScorePart(
        "capacity",
        value,
        f"帮扶医院还可承接 {helper.capacity} 家受扶医院（{weights.capacity_reference} 家及以上得满分，"
        "§三(一)“帮扶地所能”）。",
    )


def fit_score(
    recipient: RecipientNeeds,
    helper: HelperProfile,
    weights: FitWeights = DEFAULT_FIT_WEIGHTS,
    pairings: Iterable[CityPairing] = (),
) -> FitScore:
    """The fit of `helper` for `recipient` (§三(一) 受扶地所需、帮扶地所能; §三(二) 合理匹配):
    the sum of `specialty_overlap_part`, `region_part`, `pairing_part` and `capacity_part`,
    each explained in Chinese. Between 0 and `weights.maximum`."""
    parts = (
        specialty_overlap_part(recipient, helper, weights),
        region_part(helper, weights),
        pairing_part(recipient, helper, pairings, weights),
        capacity_part(helper, weights),
    )
    return FitScore(total=sum((p.value for p in parts), Decimal("0.00")), parts=parts)


def fit_pair_weights(
    needs: Sequence[RecipientNeeds],
    profiles: Sequence[HelperProfile],
    pairings: Iterable[CityPairing] = (),
    weights: FitWeights = DEFAULT_FIT_WEIGHTS,
    pairs: Iterable[PairKey] | None = None,
) -> dict[PairKey, Decimal]:
    """`fit_score` totals for `pairs` (default: the pairs that list each other in their
    `prefs`, i.e. 自主选择), ready for `solve_optimal(instance, weights)`."""
    pairing_list = tuple(pairings)
    recipient_by_id = {r.id: r for r in needs}
    helper_by_id = {h.id: h for h in profiles}
    if pairs is None:
        listed_by_helper = {(rid, h.id) for h in profiles for rid in h.prefs}
        pairs = [(r.id, hid) for r in needs for hid in r.prefs if (r.id, hid) in listed_by_helper]
    return {
        (rid, hid): fit_score(recipient_by_id[rid], helper_by_id[hid], weights, pairing_list).total
        for rid, hid in pairs
    }


def matching_instance_from_profiles(
    needs: Sequence[RecipientNeeds],
    profiles: Sequence[HelperProfile],
    pair_weights: Mapping[PairKey, Decimal] | None = None,
) -> MatchingInstance:
    """A `MatchingInstance` from the needs/profiles' rankings and capacities, carrying
    `pair_weights` (e.g. from `fit_pair_weights`) as its listed weights, sorted by id."""
    weights = None
    if pair_weights is not None:
        weights = tuple(
            PairWeight(rid, hid, weight)
            for (rid, hid), weight in sorted(
                pair_weights.items(),
                key=lambda item: (id_sort_key(item[0][0]), id_sort_key(item[0][1])),
            )
        )
    return MatchingInstance(
        recipients=tuple(RecipientEntry(r.id, r.prefs) for r in needs),
        helpers=tuple(HelperEntry(h.id, h.capacity, h.prefs) for h in profiles),
        weights=weights,
    )


def city_pairings_from_rows(rows: Iterable[Mapping[str, str]]) -> tuple[CityPairing, ...]:
    """CityPairing rows from the registry's `guangdong_guizhou_pairs.csv` (columns
    `guangdong_city`, `guizhou_prefecture`), already read by the caller."""
    return tuple(
        CityPairing(row["guangdong_city"].strip(), row["guizhou_prefecture"].strip())
        for row in rows
    )


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _top_diseases(referrals: Iterable[ReferralCount]) -> str:
    counts: dict[str, int] = {}
    for referral in referrals:
        if referral.count > 0:
            counts[referral.disease] = counts.get(referral.disease, 0) + referral.count
    if not counts:
        return ""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:3]
    return "；其中外转较多的病种：" + "、".join(f"{d}（{c} 人次）" for d, c in ranked)


def _top_specialties(covered: Mapping[str, int]) -> str:
    ranked = sorted(covered.items(), key=lambda item: (-item[1], item[0]))
    shown = "、".join(f"{s}（{d}）" for s, d in ranked[:SHOWN_SPECIALTIES])
    if len(ranked) > SHOWN_SPECIALTIES:
        shown += f" 等 {len(ranked)} 个专科"
    return shown
