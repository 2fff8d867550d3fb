"""Rounds (§三(二)): who takes part, how each side ranks, what a re-run carries over, and why —
pure rules, no database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bangfu.matching.domain import (
    CityPairing,
    HelperProfile,
    Method,
    RecipientNeeds,
    ReferralCount,
    Region,
    parse_instance,
    solve_optimal,
)
from bangfu.matching.domain.rounds import (
    ProposalOutcome,
    RecipientStanding,
    RoundParameters,
    default_helper_ids,
    default_recipient_ids,
    preference_list,
    proposal_modes,
    proposal_reason,
    rerun_parameters,
    round_instance,
    round_parameter_issues,
    solve_round,
    unmatched_reasons,
)

PAIRINGS = (CityPairing("广州市", "毕节市"),)


def needs(rid: int, *specialties: str, prefecture: str = "毕节市") -> RecipientNeeds:
    return RecipientNeeds(
        id=rid,
        prefecture=prefecture,
        referrals=tuple(ReferralCount(f"{s}病", s, 40) for s in specialties),
    )


def profile(hid: int, *specialties: str, capacity: int = 1, city: str = "广州市") -> HelperProfile:
    return HelperProfile(
        id=hid,
        province="广东省",
        city=city,
        advantage_specialties=specialties,
        capacity=capacity,
        regions=frozenset({Region.GREATER_BAY_AREA}),
    )


# ---- who takes part ----


@pytest.mark.parametrize(
    ("standing", "preselected"),
    [
        (RecipientStanding(1, True, False, False), True),  # target county, never paired
        (RecipientStanding(1, False, False, False), False),  # one of the 18 other units
        (RecipientStanding(1, True, True, False), False),  # agreement in force today
        (RecipientStanding(1, True, False, True), False),  # already being paired
    ],
)
def test_only_unpaired_target_county_recipients_are_preselected(standing, preselected):
    assert (default_recipient_ids([standing]) == (1,)) is preselected


def test_preselected_recipients_and_helpers_are_sorted_by_id():
    standings = [RecipientStanding(i, True, False, False) for i in (9, 3, 5)]
    assert default_recipient_ids(standings) == (3, 5, 9)
    assert default_helper_ids({7: 2, 2: 0, 4: 1}) == (4, 7)


def params(**changes) -> RoundParameters:
    options = {"method": Method.OPTIMAL, "recipient_ids": [1, 2], "helper_ids": [10, 11]}
    return RoundParameters.build(**(options | changes))


def issues_of(parameters: RoundParameters) -> list[tuple[str, str]]:
    return [
        (i.field, i.message)
        for i in round_parameter_issues(
            parameters,
            known_recipient_ids={1, 2},
            known_helper_ids={10, 11},
            helper_names={10: "甲医院", 11: "乙医院"},
        )
    ]


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"recipient_ids": []}, "recipient_ids", "请至少选择一家受扶医院"),
        ({"helper_ids": []}, "helper_ids", "请至少选择一家帮扶医院"),
        ({"recipient_ids": [1, 99]}, "recipient_ids", "未找到编号为 99 的受扶医院"),
        ({"helper_ids": [10, 98]}, "helper_ids", "未找到编号为 98 的帮扶医院"),
        ({"capacity_overrides": {10: -1}}, "capacity_overrides", "「甲医院」的名额不能为负数"),
        ({"capacity_overrides": {11: 100}}, "capacity_overrides", "不能超过 99"),
        ({"capacity_overrides": {12: 1}}, "capacity_overrides", "不在本轮匹配的帮扶医院中"),
        ({"excluded_pairs": [(3, 10)]}, "excluded_pairs", "排除的配对 [3, 10]"),
    ],
)
def test_bad_round_input_names_the_field_in_chinese(changes, field, fragment):
    found = issues_of(params(**changes))
    assert any(f == field and fragment in m for f, m in found), found


def test_good_round_input_has_no_issues():
    assert issues_of(params(capacity_overrides={10: 0}, excluded_pairs=[(1, 11)])) == []


@given(
    recipients=st.sets(st.integers(1, 50)),
    helpers=st.sets(st.integers(1, 50)),
    overrides=st.dictionaries(st.integers(1, 50), st.integers(0, 99)),
    excluded=st.sets(st.tuples(st.integers(1, 50), st.integers(1, 50))),
    method=st.sampled_from(list(Method)),
)
def test_parameters_survive_a_json_round_trip(recipients, helpers, overrides, excluded, method):
    parameters = RoundParameters.build(
        method=method,
        recipient_ids=recipients,
        helper_ids=helpers,
        capacity_overrides=overrides,
        excluded_pairs=excluded,
    )
    assert RoundParameters.from_json(parameters.to_json()) == parameters


# ---- how each side ranks ----


def test_a_stated_list_keeps_its_order_within_the_round_and_drops_exclusions():
    score = {1: Decimal(10), 2: Decimal(90), 3: Decimal(50)}
    assert preference_list([3, 7, 1, 3, 2], [1, 2, 3], score, excluded=[2]) == (3, 1)


def test_without_a_stated_list_candidates_are_ranked_by_fit_then_id():
    score = {1: Decimal(50), 2: Decimal(90), 3: Decimal(50)}
    assert preference_list(None, [3, 2, 1], score) == (2, 1, 3)
    assert preference_list(None, [3, 2, 1], score, excluded=[2]) == (1, 3)


def test_a_stated_empty_list_accepts_nobody():
    assert preference_list([], [1, 2], {1: Decimal(1), 2: Decimal(2)}) == ()


# ---- solving and explaining ----


def test_optimal_round_pairs_each_recipient_with_the_helper_strong_where_it_refers_out():
    prepared = round_instance(
        [needs(1, "儿科"), needs(2, "外科")],
        [profile(10, "外科"), profile(11, "儿科")],
        stated_recipient_prefs={},
        stated_helper_prefs={},
        pairings=PAIRINGS,
    )
    result = solve_round(prepared, Method.OPTIMAL)
    assert {(a.recipient, a.helper) for a in result.assignments} == {(1, 11), (2, 10)}
    assert result.unmatched == ()


def test_excluded_pair_is_never_proposed_even_when_it_fits_best():
    prepared = round_instance(
        [needs(1, "儿科")],
        [profile(10, "外科"), profile(11, "儿科")],
        stated_recipient_prefs={},
        stated_helper_prefs={},
        excluded_pairs=[(1, 11)],
    )
    for method in Method:
        assert [(a.recipient, a.helper) for a in solve_round(prepared, method).assignments] == [
            (1, 10)
        ]


def test_the_instance_weights_are_the_fits_of_mutually_acceptable_pairs():
    prepared = round_instance(
        [needs(1, "儿科"), needs(2, "外科")],
        [profile(10, "外科", capacity=0), profile(11, "儿科")],
        stated_recipient_prefs={2: [11]},
        stated_helper_prefs={},
    )
    weights = prepared.instance.weight_by_pair
    assert weights is not None
    assert set(weights) == {(1, 11), (2, 11)}  # capacity 0 accepts nobody
    assert weights[(1, 11)] == prepared.fits[(1, 11)].total


def test_the_saved_instance_json_is_replayable_by_the_match_command_parser():
    prepared = round_instance(
        [needs(1, "儿科"), needs(2, "外科")],
        [profile(10, "外科"), profile(11, "儿科", capacity=2)],
        stated_recipient_prefs={},
        stated_helper_prefs={},
    )
    instance = prepared.instance
    data = {
        "recipients": [{"id": r.id, "prefs": list(r.prefs)} for r in instance.recipients],
        "helpers": [
            {"id": h.id, "capacity": h.capacity, "prefs": list(h.prefs)} for h in instance.helpers
        ],
        "weights": [[w.recipient, w.helper, float(w.weight)] for w in instance.weights or ()],
    }
    assert solve_optimal(parse_instance(data)) == solve_round(prepared, Method.OPTIMAL)


def test_proposal_reason_says_where_each_side_ranked_the_other_and_on_what_basis():
    prepared = round_instance(
        [needs(1, "儿科")],
        [profile(10, "外科"), profile(11, "儿科")],
        stated_recipient_prefs={},
        stated_helper_prefs={11: [1]},
        pairings=PAIRINGS,
    )
    (assignment,) = solve_round(prepared, Method.STABLE).assignments
    reason = proposal_reason(assignment, prepared)
    assert "受扶医院将对方列为第 1 志愿（按契合度排序）" in reason
    assert "帮扶医院将对方列为第 1 志愿（本院填报）" in reason
    # specialty 60 + region 10 + 广州–毕节 pairing 15 + one place of capacity 5
    assert "契合度 90.00 分（满分 100.00）" in reason


@pytest.mark.parametrize(
    ("stated_recipients", "stated_helpers", "method", "fragment"),
    [
        ({2: []}, {}, Method.OPTIMAL, "本轮没有可供选择的帮扶医院"),
        ({}, {10: [1]}, Method.OPTIMAL, "没有双方互选的配对"),
        ({}, {}, Method.STABLE, "名额已被其更中意的受扶医院占满"),
        ({}, {}, Method.OPTIMAL, "总契合度更大"),
    ],
)
def test_each_unmatched_recipient_is_told_why(stated_recipients, stated_helpers, method, fragment):
    prepared = round_instance(
        [needs(1, "儿科"), needs(2, "外科")],
        [profile(10, "儿科")],
        stated_recipient_prefs=stated_recipients,
        stated_helper_prefs=stated_helpers,
    )
    result = solve_round(prepared, method)
    assert result.unmatched == (2,)
    assert fragment in unmatched_reasons(prepared, result)[2]


@pytest.mark.parametrize(
    ("city", "modes"),
    [
        ("广州市", ("east_west", "specialty_alliance")),  # 广州 ↔ 毕节 粤黔 pairing
        ("深圳市", ("specialty_alliance",)),
    ],
)
def test_draft_partnership_modes_follow_the_city_pairing(city, modes):
    prepared = round_instance(
        [needs(1, "儿科")],
        [profile(10, "儿科", city=city)],
        stated_recipient_prefs={},
        stated_helper_prefs={},
        pairings=PAIRINGS,
    )
    assert proposal_modes(prepared.fits[(1, 10)]) == modes


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    recipient_count=st.integers(1, 6),
    helper_count=st.integers(1, 4),
    method=st.sampled_from(list(Method)),
)
def test_rounds_respect_capacities_and_exclusions(data, recipient_count, helper_count, method):
    specialties = ["儿科", "外科", "内科"]
    recipients = [
        needs(r, *data.draw(st.lists(st.sampled_from(specialties), max_size=2, unique=True)))
        for r in range(1, recipient_count + 1)
    ]
    helpers = [
        profile(
            100 + h,
            *data.draw(st.lists(st.sampled_from(specialties), max_size=2, unique=True)),
            capacity=data.draw(st.integers(0, 2)),
        )
        for h in range(helper_count)
    ]
    all_pairs = [(int(r.id), int(h.id)) for r in recipients for h in helpers]
    excluded = data.draw(st.sets(st.sampled_from(all_pairs)))
    prepared = round_instance(
        recipients,
        helpers,
        stated_recipient_prefs={},
        stated_helper_prefs={},
        excluded_pairs=excluded,
    )
    result = solve_round(prepared, method)
    load: dict[int, int] = {}
    for a in result.assignments:
        assert (a.recipient, a.helper) not in excluded
        load[int(a.helper)] = load.get(int(a.helper), 0) + 1
    for h in helpers:
        assert load.get(int(h.id), 0) <= h.capacity
    assert set(unmatched_reasons(prepared, result)) == set(result.unmatched)


# ---- re-running ----


def test_rerun_settles_accepted_pairs_keeps_exclusions_and_applies_capacity_changes():
    previous = RoundParameters.build(
        method=Method.STABLE,
        recipient_ids=[1, 2, 3],
        helper_ids=[10, 11],
        capacity_overrides={11: 1},
        excluded_pairs=[(3, 11)],
    )
    rerun = rerun_parameters(
        previous,
        previous_capacities={10: 2, 11: 1},
        outcomes=[
            ProposalOutcome(1, 10, accepted=True, excluded=False),
            ProposalOutcome(2, 11, accepted=False, excluded=True),
            ProposalOutcome(3, 10, accepted=False, excluded=False),
        ],
    )
    assert rerun.parameters == RoundParameters.build(
        method=Method.STABLE,
        recipient_ids=[2, 3],
        helper_ids=[10, 11],
        capacity_overrides={10: 1, 11: 1},  # 10 gave one of its 2 places to recipient 1
        excluded_pairs=[(2, 11), (3, 11)],
    )
    assert rerun.reasons == (
        "上一轮已接受的 1 对结对不再参与匹配，并占用相应帮扶医院的名额。",
        "新排除 1 对配对，本轮不再提出。",
    )


def test_rerun_capacity_changed_by_the_officer_wins_and_method_can_change():
    previous = RoundParameters.build(method=Method.STABLE, recipient_ids=[1, 2], helper_ids=[10])
    rerun = rerun_parameters(
        previous,
        previous_capacities={10: 3},
        outcomes=[ProposalOutcome(1, 10, accepted=True, excluded=False)],
        capacity_changes={10: 5},
        method=Method.OPTIMAL,
    )
    assert rerun.parameters.capacity_by_helper == {10: 5}
    assert rerun.parameters.method is Method.OPTIMAL
    assert rerun.parameters.recipient_ids == (2,)


def test_rerun_drops_exclusions_of_recipients_that_left_the_round():
    previous = RoundParameters.build(
        method=Method.OPTIMAL, recipient_ids=[1, 2], helper_ids=[10, 11], excluded_pairs=[(1, 11)]
    )
    rerun = rerun_parameters(
        previous,
        previous_capacities={10: 1, 11: 1},
        outcomes=[ProposalOutcome(1, 10, accepted=True, excluded=False)],
    )
    assert rerun.parameters.excluded_pairs == ()
    assert issues_of(rerun.parameters) == []
