"""Matching services against the database: rounds saved with inputs and outputs, exclusions and
re-runs, accepted pairs becoming draft partnerships — each with its audit row, nothing
half-written on bad input (F7, §三(二); F12)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.core.models import AuditEntry
from bangfu.matching.domain import parse_instance, solve_optimal
from bangfu.matching.models import MatchingProposal, MatchingRound, MatchPreference, RecipientNeed
from bangfu.matching.selectors import matching_candidates_for_user
from bangfu.matching.services import (
    NeedInput,
    match_preference_set,
    matching_proposal_exclude,
    matching_proposals_accept,
    matching_round_rerun,
    matching_round_run,
    recipient_needs_set,
)
from bangfu.matching.tests.conftest import (
    WEINING_PEOPLES_HOSPITAL,
    WEINING_TCM,
    institution_id,
)
from bangfu.partnerships.models import Partnership
from bangfu.registry.models import Institution

pytestmark = pytest.mark.django_db


def audit_rows(obj, action):
    return AuditEntry.objects.filter(
        object_type=f"{obj._meta.app_label}.{obj._meta.model_name}",
        object_id=str(obj.pk),
        action=action,
    )


def counts():
    return (
        MatchingRound.objects.count(),
        MatchingProposal.objects.count(),
        Partnership.objects.count(),
        AuditEntry.objects.count(),
    )


# ---- running a round ----


def test_a_round_is_saved_with_inputs_outputs_proposals_and_an_audit_row(
    small_round, province_officer, bijie_recipient_ids, helper_ids
):
    round_ = small_round()
    assert round_.created_by == province_officer
    assert round_.prefecture is None  # a province round
    assert round_.parameters["recipient_ids"] == sorted(bijie_recipient_ids)
    assert round_.parameters["capacity_overrides"] == {str(h): 1 for h in helper_ids}
    assert (round_.recipient_count, round_.helper_count) == (4, 3)
    proposals = list(round_.proposals.all())
    assert len(proposals) == round_.matched_count == 3  # three helpers with one place each
    assert len(round_.result["unmatched"]) == 1
    assert round_.result["unmatched"][0]["reason"]
    assert sum(p.fit_total for p in proposals) == round_.objective
    for p in proposals:
        assert [part["name"] for part in p.parts] == ["specialty", "region", "pairing", "capacity"]
        assert all(part["reason"] for part in p.parts)
        assert "志愿" in p.reason
        assert "specialty_alliance" in p.modes
    (entry,) = audit_rows(round_, "create")
    assert entry.actor == province_officer
    assert entry.after["matched"] == 3


def test_the_saved_instance_replays_to_the_same_pairs(small_round):
    round_ = small_round(method="optimal")
    replay = solve_optimal(parse_instance(round_.instance))
    assert {(a.recipient, a.helper) for a in replay.assignments} == {
        (p.recipient_id, p.helper_id) for p in round_.proposals.all()
    }
    assert round_.instance["recipient_needs"][0]["name"]


def test_stable_and_optimal_are_both_available(small_round):
    assert small_round(method="stable").method == "stable"
    assert small_round(method="optimal").method == "optimal"


def test_default_round_for_the_province_takes_unpaired_target_recipients(province_officer):
    candidates = matching_candidates_for_user(user=province_officer)
    chosen = Institution.objects.filter(pk__in=candidates.default_recipient_ids)
    assert chosen.exists()
    assert not chosen.exclude(county__programme_group="target").exists()
    names = set(chosen.values_list("name", flat=True))
    assert WEINING_TCM in names  # never paired
    assert WEINING_PEOPLES_HOSPITAL not in names  # agreement in force (番禺)
    assert "兴仁市人民医院" not in names  # draft agreement being prepared
    helpers = Institution.objects.filter(pk__in=candidates.default_helper_ids)
    assert not helpers.filter(capacity=0).exists()
    assert not helpers.exclude(category="helper").exists()


def test_prefecture_officer_round_covers_only_its_prefecture(prefecture_officer):
    round_ = matching_round_run(actor=prefecture_officer, method="stable")
    assert round_.prefecture_id == prefecture_officer.prefecture_id
    recipients = Institution.objects.filter(pk__in=round_.parameters["recipient_ids"])
    assert recipients.exists()
    assert set(recipients.values_list("county__prefecture__code", flat=True)) == {"520500"}


def test_prefecture_officer_cannot_put_another_prefectures_recipient_in_a_round(
    prefecture_officer, helper_ids
):
    guiyang_hospital = institution_id("清镇市中医医院")
    before = counts()
    with pytest.raises(ValidationError) as error:
        matching_round_run(
            actor=prefecture_officer,
            method="optimal",
            recipient_ids=[guiyang_hospital],
            helper_ids=helper_ids,
        )
    assert error.value.message_dict["recipient_ids"] == [
        f"未找到编号为 {guiyang_hospital} 的受扶医院（或不在您的管辖范围内）"
    ]
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"helper_ids": [987654]}, "helper_ids", "未找到编号为 987654 的帮扶医院"),
        ({"recipient_ids": []}, "recipient_ids", "请至少选择一家受扶医院"),
    ],
)
def test_unknown_ids_are_refused_and_nothing_is_written(small_round, changes, field, message):
    before = counts()
    with pytest.raises(ValidationError) as error:
        small_round(**changes)
    assert message in error.value.message_dict[field]
    assert counts() == before


def test_negative_capacity_is_refused_naming_the_helper(small_round, helper_ids):
    before = counts()
    with pytest.raises(ValidationError) as error:
        small_round(capacity_overrides={helper_ids[0]: -2})
    assert error.value.message_dict["capacity_overrides"] == [
        "帮扶医院「广州市番禺区中心医院」的名额不能为负数（收到 -2）"
    ]
    assert counts() == before


def test_unknown_method_is_refused(small_round):
    with pytest.raises(ValidationError) as error:
        small_round(method="greedy")
    assert "method" in error.value.message_dict


@pytest.mark.parametrize(
    "who", ["county_officer", "recipient_user", "helper_user", "expert_user", "observer_user"]
)
def test_only_province_and_prefecture_officers_run_rounds(request, who, small_round):
    before = counts()
    with pytest.raises(PermissionDenied):
        small_round(actor=request.getfixturevalue(who))
    assert counts() == before


# ---- excluding and re-running ----


def test_excluding_a_pair_is_audited_and_the_rerun_does_not_propose_it(small_round):
    round_ = small_round()
    proposal = round_.proposals.order_by("-fit_total").first()
    matching_proposal_exclude(actor=round_.created_by, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == "excluded"
    assert audit_rows(proposal, "exclude").get().after == {"status": "excluded"}

    rerun = matching_round_rerun(actor=round_.created_by, round_=round_)
    assert rerun.previous == round_
    assert [proposal.recipient_id, proposal.helper_id] in rerun.parameters["excluded_pairs"]
    assert not rerun.proposals.filter(recipient=proposal.recipient, helper=proposal.helper).exists()
    assert "由第" in audit_rows(rerun, "create").get().note


def test_capacity_zero_takes_a_helper_out_of_the_rerun(small_round, helper_ids):
    round_ = small_round()
    rerun = matching_round_rerun(
        actor=round_.created_by, round_=round_, capacity_changes={helper_ids[0]: 0}
    )
    assert rerun.parameters["capacity_overrides"][str(helper_ids[0])] == 0
    assert not rerun.proposals.filter(helper_id=helper_ids[0]).exists()
    assert rerun.matched_count == 2


def test_rerun_refuses_a_negative_capacity_and_writes_nothing(small_round, helper_ids):
    round_ = small_round()
    before = counts()
    with pytest.raises(ValidationError) as error:
        matching_round_rerun(
            actor=round_.created_by, round_=round_, capacity_changes={helper_ids[1]: -1}
        )
    assert "名额不能为负数" in error.value.message_dict["capacity_overrides"][0]
    assert counts() == before


def test_a_replaced_round_can_no_longer_be_changed(small_round):
    round_ = small_round()
    matching_round_rerun(actor=round_.created_by, round_=round_)
    proposal = round_.proposals.first()
    for action in (
        lambda: matching_proposal_exclude(actor=round_.created_by, proposal=proposal),
        lambda: matching_round_rerun(actor=round_.created_by, round_=round_),
        lambda: matching_proposals_accept(
            actor=round_.created_by, round_=round_, proposal_ids=[proposal.pk]
        ),
    ):
        with pytest.raises(ValidationError) as error:
            action()
        assert "请在最新一轮上操作" in error.value.message_dict["round"][0]


# ---- accepting ----


def test_accepting_creates_draft_partnerships_with_audit_rows(small_round, province_officer):
    round_ = small_round()
    chosen = list(round_.proposals.order_by("pk")[:2])
    partnerships = matching_proposals_accept(
        actor=province_officer, round_=round_, proposal_ids=[p.pk for p in chosen]
    )
    assert len(partnerships) == 2
    for proposal, partnership in zip(chosen, partnerships, strict=True):
        proposal.refresh_from_db()
        assert proposal.status == "accepted"
        assert proposal.partnership == partnership
        assert (partnership.helper_id, partnership.recipient_id) == (
            proposal.helper_id,
            proposal.recipient_id,
        )
        assert partnership.modes == proposal.modes
        assert not partnership.agreements.exists()  # a proposal awaiting its first agreement
        created = audit_rows(partnership, "create").get()
        assert created.note == f"结对匹配第{round_.pk}轮"
        assert created.actor == province_officer
        assert audit_rows(proposal, "accept").get().after == {
            "status": "accepted",
            "partnership": partnership.pk,
        }


def test_both_hospitals_hear_that_their_pair_was_accepted(small_round, province_officer):
    from bangfu.accounts.models import Role, User
    from bangfu.notifications.models import Notification

    round_ = small_round()
    proposal = round_.proposals.order_by("pk").first()
    hospital_users = [
        User.objects.create_user(
            username=f"pair_{kind}", password=None, role=kind, institution=institution
        )
        for kind, institution in (
            (Role.HELPER, proposal.helper),
            (Role.RECIPIENT, proposal.recipient),
        )
    ]
    [partnership] = matching_proposals_accept(
        actor=province_officer, round_=round_, proposal_ids=[proposal.pk]
    )
    for user in hospital_users:
        note = Notification.objects.get(recipient=user, kind="match_accepted")
        assert note.link == f"/partnerships/{partnership.pk}/"
        assert proposal.recipient.name in note.title
    assert not Notification.objects.filter(recipient=province_officer, kind="match_accepted")


def test_accepted_recipients_leave_the_rerun_and_use_their_helpers_place(small_round):
    round_ = small_round()
    proposal = round_.proposals.order_by("pk").first()
    matching_proposals_accept(actor=round_.created_by, round_=round_, proposal_ids=[proposal.pk])
    rerun = matching_round_rerun(actor=round_.created_by, round_=round_)
    assert proposal.recipient_id not in rerun.parameters["recipient_ids"]
    assert rerun.parameters["capacity_overrides"][str(proposal.helper_id)] == 0
    assert not rerun.proposals.filter(helper_id=proposal.helper_id).exists()


def test_modes_given_by_the_officer_replace_the_suggestion(small_round, province_officer):
    round_ = small_round()
    proposal = round_.proposals.first()
    (partnership,) = matching_proposals_accept(
        actor=province_officer, round_=round_, proposal_ids=[proposal.pk], modes=["telemedicine"]
    )
    assert partnership.modes == ["telemedicine"]


def test_accept_refuses_pairs_of_another_round_and_writes_nothing(small_round, province_officer):
    first, second = small_round(), small_round()
    good = second.proposals.first()
    foreign = first.proposals.first()
    before = counts()
    with pytest.raises(ValidationError) as error:
        matching_proposals_accept(
            actor=province_officer, round_=second, proposal_ids=[good.pk, foreign.pk]
        )
    assert error.value.message_dict["proposal_ids"] == [
        f"编号为 {foreign.pk} 的配对不属于第{second.pk}轮"
    ]
    assert counts() == before
    good.refresh_from_db()
    assert good.status == "proposed"


def test_accept_refuses_excluded_pairs_and_recipients_already_paired(small_round, province_officer):
    round_ = small_round()
    excluded, other = list(round_.proposals.order_by("pk")[:2])
    matching_proposal_exclude(actor=province_officer, proposal=excluded)
    with pytest.raises(ValidationError) as error:
        matching_proposals_accept(actor=province_officer, round_=round_, proposal_ids=[excluded.pk])
    assert "已排除，不能接受" in error.value.message_dict["proposal_ids"][0]

    matching_proposals_accept(actor=province_officer, round_=round_, proposal_ids=[other.pk])
    rerun = matching_round_run(
        actor=province_officer,
        method="stable",
        recipient_ids=[other.recipient_id],
        helper_ids=[h for h in round_.parameters["helper_ids"] if h != other.helper_id],
    )
    again = rerun.proposals.get()
    with pytest.raises(ValidationError) as error:
        matching_proposals_accept(actor=province_officer, round_=rerun, proposal_ids=[again.pk])
    assert "已接受过其他结对" in error.value.message_dict["proposal_ids"][0]


def test_accept_of_an_empty_selection_is_refused(small_round, province_officer):
    round_ = small_round()
    with pytest.raises(ValidationError) as error:
        matching_proposals_accept(actor=province_officer, round_=round_, proposal_ids=[])
    assert error.value.message_dict["proposal_ids"] == ["请至少选择一对配对"]


def test_prefecture_officer_cannot_accept_or_exclude_in_a_province_round(
    small_round, prefecture_officer
):
    round_ = small_round()
    proposal = round_.proposals.first()
    before = counts()
    with pytest.raises(PermissionDenied):
        matching_proposals_accept(
            actor=prefecture_officer, round_=round_, proposal_ids=[proposal.pk]
        )
    with pytest.raises(PermissionDenied):
        matching_proposal_exclude(actor=prefecture_officer, proposal=proposal)
    assert counts() == before


def test_accept_is_all_or_nothing_when_a_partnership_already_exists(small_round, province_officer):
    round_ = small_round()
    first, second = list(round_.proposals.order_by("pk")[:2])
    Partnership.objects.create(helper=second.helper, recipient=second.recipient, modes=["other"])
    before = counts()
    with pytest.raises(ValidationError) as error:
        matching_proposals_accept(
            actor=province_officer, round_=round_, proposal_ids=[first.pk, second.pk]
        )
    assert "帮扶关系已存在" in error.value.message_dict["recipient"][0]
    assert counts() == before
    first.refresh_from_db()
    assert first.status == "proposed"


# ---- needs and ranked choices ----


def test_recipient_needs_are_replaced_and_audited(county_officer):
    hospital = Institution.objects.get(name=WEINING_TCM)
    rows = recipient_needs_set(
        actor=county_officer,
        institution=hospital,
        needs=[
            NeedInput("50", referrals_3y=30, disease="中风病", weak=True),
            NeedInput("21", gap=True),
        ],
    )
    assert {(n.specialty.code, n.referrals_3y, n.weak, n.gap) for n in rows} == {
        ("50", 30, True, False),
        ("21", 0, False, True),
    }
    assert RecipientNeed.objects.filter(institution=hospital).count() == 2
    entry = AuditEntry.objects.filter(
        object_type="registry.institution", object_id=str(hospital.pk)
    ).latest("pk")
    assert entry.actor == county_officer
    assert [n["specialty"] for n in entry.after["matching_needs"]] == ["21", "50"]


@pytest.mark.parametrize(
    ("need", "field", "fragment"),
    [
        (NeedInput("zz"), "needs[0].specialty", "未知的专科代码"),
        (NeedInput("50", referrals_3y=-5), "needs[0].referrals_3y", "外转人次不能为负数"),
    ],
)
def test_bad_needs_are_refused_and_the_old_ones_kept(province_officer, need, field, fragment):
    hospital = Institution.objects.get(name=WEINING_TCM)
    before = list(RecipientNeed.objects.filter(institution=hospital).values_list("pk", flat=True))
    with pytest.raises(ValidationError) as error:
        recipient_needs_set(actor=province_officer, institution=hospital, needs=[need])
    assert fragment in error.value.message_dict[field][0]
    assert (
        list(RecipientNeed.objects.filter(institution=hospital).values_list("pk", flat=True))
        == before
    )


def test_needs_of_a_hospital_outside_the_scope_cannot_be_set(county_officer):
    elsewhere = Institution.objects.get(name="清镇市中医医院")
    with pytest.raises(PermissionDenied):
        recipient_needs_set(actor=county_officer, institution=elsewhere, needs=[])


def test_a_stated_preference_is_used_as_the_hospitals_own_ranking(
    small_round, helper_user, bijie_recipient_ids
):
    helper = helper_user.institution
    preference = match_preference_set(
        actor=helper_user, institution=helper, ranked_ids=[bijie_recipient_ids[2]]
    )
    assert isinstance(preference, MatchPreference)
    assert audit_rows(preference, "create").get().after == {"ranked_ids": [bijie_recipient_ids[2]]}
    round_ = small_round(helper_ids=[helper.pk], capacity_overrides={helper.pk: 1})
    (stated,) = round_.instance["helpers"]
    assert stated["prefs"] == [bijie_recipient_ids[2]]
    proposal = round_.proposals.get()  # the only pair the helper accepts
    assert proposal.recipient_id == bijie_recipient_ids[2]
    assert "帮扶医院将对方列为第 1 志愿（本院填报）" in proposal.reason


def test_a_preference_naming_unknown_or_repeated_hospitals_is_refused(helper_user):
    recipient = institution_id(WEINING_TCM)
    with pytest.raises(ValidationError) as error:
        match_preference_set(
            actor=helper_user,
            institution=helper_user.institution,
            ranked_ids=[recipient, recipient, helper_user.institution_id],
        )
    messages = error.value.message_dict
    assert messages["ranked_ids[1]"] == [f"编号为 {recipient} 的受扶医院重复出现"]
    assert messages["ranked_ids[2]"] == [f"未找到编号为 {helper_user.institution_id} 的受扶医院"]
    assert not MatchPreference.objects.filter(institution=helper_user.institution).exists()


def test_accepting_uses_up_the_helpers_places_in_the_registry(small_round, province_officer):
    round_ = small_round()
    proposal = round_.proposals.order_by("pk").first()
    helper = proposal.helper
    helper.refresh_from_db()
    before = helper.capacity
    assert before > 0
    matching_proposals_accept(actor=province_officer, round_=round_, proposal_ids=[proposal.pk])
    helper.refresh_from_db()
    assert helper.capacity == before - 1  # the next round offers one place fewer
    row = audit_rows(helper, "update").get()
    assert (row.before, row.after) == ({"capacity": before}, {"capacity": before - 1})
    assert row.note == f"结对匹配第{round_.pk}轮接受配对，占用可承接名额"
