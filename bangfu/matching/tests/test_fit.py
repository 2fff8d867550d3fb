"""fit_score: 受扶地所需、帮扶地所能 (§三(一)), explained part by part."""

from __future__ import annotations

import csv
import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bangfu.registry
from bangfu.matching.domain import (
    CityPairing,
    FitWeights,
    HelperProfile,
    RecipientNeeds,
    ReferralCount,
    Region,
    city_pairings_from_rows,
    fit_pair_weights,
    fit_score,
    matching_instance_from_profiles,
    solve_optimal,
)

PAIRS_CSV = Path(bangfu.registry.__file__).parent / "data" / "guangdong_guizhou_pairs.csv"


@pytest.fixture(scope="module")
def pairings() -> tuple[CityPairing, ...]:
    with PAIRS_CSV.open(encoding="utf-8") as handle:
        return city_pairings_from_rows(csv.DictReader(handle))


WEINING = RecipientNeeds(
    id="威宁县人民医院",
    prefecture="毕节市",
    weak_specialties=("儿科",),
    referrals=(
        ReferralCount("急性心肌梗死", "心血管内科", 90),
        ReferralCount("心力衰竭", "心血管内科", 30),
        ReferralCount("脑梗死", "神经内科", 80),
    ),
)  # demand: 心血管内科 120, 神经内科 80, 儿科 20 (listed) → 220


BASE_HELPER = HelperProfile(
    id="H",
    province="广东省",
    city="广州市",
    advantage_specialties=("心血管内科", "儿科"),
    capacity=3,
    regions=frozenset({Region.GREATER_BAY_AREA}),
)


def helper(**changes) -> HelperProfile:
    return dataclasses.replace(BASE_HELPER, **changes)


def part(score, name):
    (found,) = [p for p in score.parts if p.name == name]
    return found


@pytest.mark.parametrize(
    ("advantages", "expected"),
    [
        pytest.param(("心血管内科", "儿科"), Decimal("38.18"), id="covers_140_of_220"),
        pytest.param(("心血管内科", "神经内科", "儿科"), Decimal("60.00"), id="covers_all"),
        pytest.param(("神经内科",), Decimal("21.82"), id="covers_80_of_220"),
        pytest.param(("儿科",), Decimal("5.45"), id="weak_specialty_counts_20_referrals"),
        pytest.param(("眼科",), Decimal("0.00"), id="covers_nothing"),
    ],
)
def test_specialty_part_is_weighted_by_referral_volume(advantages, expected):
    score = fit_score(WEINING, helper(advantage_specialties=advantages))
    specialty = part(score, "specialty")
    assert specialty.value == expected
    assert "A1-(3)" in specialty.reason_zh


def test_specialty_reason_names_covered_specialties_and_diseases():
    reason = part(fit_score(WEINING, helper()), "specialty").reason_zh
    assert "140/220" in reason
    assert "心血管内科（120）" in reason
    assert "急性心肌梗死（90 人次）" in reason


def test_recipient_without_stated_needs_scores_no_specialty_points():
    needs = RecipientNeeds(id="R", prefecture="毕节市")
    specialty = part(fit_score(needs, helper()), "specialty")
    assert specialty.value == 0
    assert "未提供" in specialty.reason_zh


def test_capability_gap_counts_like_a_weak_specialty():
    needs = RecipientNeeds(id="R", prefecture="毕节市", capability_gaps=("重症医学科",))
    assert (
        part(fit_score(needs, helper(advantage_specialties=("重症医学科",))), "specialty").value
        == 60
    )


@pytest.mark.parametrize(
    ("regions", "expected", "phrase"),
    [
        (frozenset({Region.GREATER_BAY_AREA}), Decimal("10.00"), "粤港澳大湾区"),
        (
            frozenset(
                {Region.YANGTZE_RIVER_ECONOMIC_BELT, Region.CHENGDU_CHONGQING_ECONOMIC_CIRCLE}
            ),
            Decimal("10.00"),
            "长江经济带、川渝经济圈",
        ),
        (frozenset(), Decimal("0.00"), "不属于"),
    ],
)
def test_region_bonus_for_the_three_regions_of_section_3_2(regions, expected, phrase):
    region = part(fit_score(WEINING, helper(regions=regions)), "region")
    assert region.value == expected
    assert phrase in region.reason_zh
    assert "§三(二)" in region.reason_zh


@pytest.mark.parametrize(
    ("city", "prefecture", "expected", "phrase"),
    [
        ("广州市", "毕节市", Decimal("15.00"), "已建立粤黔东西部协作关系"),
        ("广州市", "黔南布依族苗族自治州", Decimal("15.00"), "已建立"),
        ("珠海市", "遵义市", Decimal("15.00"), "已建立"),
        ("广州市", "遵义市", Decimal("0.00"), "结对地区为安顺市、毕节市、黔南布依族苗族自治州"),
        ("杭州市", "毕节市", Decimal("0.00"), "无已登记的粤黔协作结对关系"),
    ],
)
def test_pairing_bonus_uses_the_registry_pairings(pairings, city, prefecture, expected, phrase):
    needs = RecipientNeeds(id="R", prefecture=prefecture)
    pairing = part(fit_score(needs, helper(city=city), pairings=pairings), "pairing")
    assert pairing.value == expected
    assert phrase in pairing.reason_zh
    assert "§二(一)" in pairing.reason_zh


def test_registry_pairings_file_has_the_eight_guangdong_guizhou_pairs(pairings):
    assert len(pairings) == 8
    assert CityPairing("东莞市", "铜仁市") in pairings


@pytest.mark.parametrize(
    ("capacity", "expected"),
    [
        (0, Decimal("0.00")),
        (1, Decimal("5.00")),
        (2, Decimal("10.00")),
        (3, Decimal("15.00")),
        (8, Decimal("15.00")),
    ],
)
def test_capacity_part_grows_until_the_reference_capacity(capacity, expected):
    assert part(fit_score(WEINING, helper(capacity=capacity)), "capacity").value == expected


def test_total_is_the_sum_of_parts_with_the_default_weights(pairings):
    score = fit_score(WEINING, helper(), pairings=pairings)
    assert [p.name for p in score.parts] == ["specialty", "region", "pairing", "capacity"]
    assert score.total == Decimal("38.18") + 10 + 15 + 15
    assert all(p.reason_zh for p in score.parts)


def test_custom_weights_rescale_each_part():
    weights = FitWeights(
        specialty_points=Decimal(100), region_points=Decimal(0), capacity_reference=1
    )
    score = fit_score(WEINING, helper(capacity=1), weights)
    assert part(score, "specialty").value == Decimal("63.64")
    assert part(score, "region").value == 0
    assert part(score, "capacity").value == 15


@pytest.mark.parametrize(
    "changes",
    [{"region_points": Decimal(-1)}, {"capacity_reference": 0}, {"listed_need_referrals": -1}],
)
def test_fit_weights_reject_negative_points(changes):
    with pytest.raises(ValueError):
        FitWeights(**changes)


def test_negative_referral_count_is_rejected():
    with pytest.raises(ValueError, match="外转人次不能为负数"):
        ReferralCount("脑梗死", "神经内科", -1)


specialties = st.sampled_from(["心血管内科", "神经内科", "儿科", "骨科", "重症医学科"])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(specialties, st.integers(0, 500)), max_size=5),
    st.lists(specialties, max_size=3),
    st.lists(specialties, max_size=4),
    st.integers(0, 6),
    st.frozensets(st.sampled_from(list(Region))),
    st.sampled_from(["广州市", "佛山市", "杭州市"]),
)
def test_fit_total_adds_up_and_stays_within_bounds(
    referrals, weak, advantages, capacity, regions, city
):
    needs = RecipientNeeds(
        id="R",
        prefecture="毕节市",
        weak_specialties=tuple(weak),
        referrals=tuple(ReferralCount(f"病种{i}", s, c) for i, (s, c) in enumerate(referrals)),
    )
    profile = helper(
        advantage_specialties=tuple(advantages), capacity=capacity, regions=regions, city=city
    )
    pairings = (CityPairing("广州市", "毕节市"),)
    score = fit_score(needs, profile, pairings=pairings)
    assert score.total == sum(p.value for p in score.parts)
    assert 0 <= score.total <= FitWeights().maximum
    more = helper(
        advantage_specialties=(*advantages, "心血管内科", "神经内科", "儿科", "骨科", "重症医学科"),
        capacity=capacity,
        regions=regions,
        city=city,
    )
    # Adding advantage specialties never lowers the fit.
    assert fit_score(needs, more, pairings=pairings).total >= score.total


def test_fit_weights_feed_the_optimal_solver(pairings):
    needs = [
        RecipientNeeds(
            id="R1", prefecture="毕节市", weak_specialties=("儿科",), prefs=("H1", "H2")
        ),
        RecipientNeeds(
            id="R2", prefecture="遵义市", weak_specialties=("骨科",), prefs=("H1", "H2")
        ),
    ]
    profiles = [
        helper(
            id="H1", city="广州市", advantage_specialties=("儿科",), capacity=1, prefs=("R2", "R1")
        ),
        helper(
            id="H2", city="珠海市", advantage_specialties=("骨科",), capacity=1, prefs=("R1", "R2")
        ),
    ]
    weights = fit_pair_weights(needs, profiles, pairings)
    assert weights[("R1", "H1")] > weights[("R1", "H2")]
    instance = matching_instance_from_profiles(needs, profiles, weights)
    result = solve_optimal(instance)
    assert {(a.recipient, a.helper) for a in result.assignments} == {("R1", "H1"), ("R2", "H2")}


def test_fit_pair_weights_default_to_mutually_listed_pairs():
    needs = [RecipientNeeds(id="R1", prefecture="毕节市", prefs=("H1", "H2"))]
    profiles = [helper(id="H1", prefs=("R1",)), helper(id="H2", prefs=())]
    assert set(fit_pair_weights(needs, profiles)) == {("R1", "H1")}
