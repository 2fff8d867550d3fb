"""Activity rules without a database: records (F8), confirmation (§三(三)) and progress (A1)."""

from __future__ import annotations

from datetime import date

import pytest

from bangfu.activities.domain.progress import (
    ActivityFact,
    AgreementTerms,
    ProgressStatus,
    year_progress,
)
from bangfu.activities.domain.records import (
    ActivityDraft,
    Period,
    Side,
    activity_problems,
    confirmation_problem,
)
from bangfu.policy import load_policy

CATALOGUE = load_policy().activity_catalogue
TODAY = date(2026, 7, 1)
SIGNED = (Period(date(2025, 1, 1), date(2027, 12, 31)),)


def _problems(kind="rules", day=date(2026, 3, 1), quantities=None, attributes=None):
    draft = ActivityDraft(
        kind=kind,
        day=day,
        quantities={"documents": 2} if quantities is None else quantities,
        attributes=attributes or {},
    )
    return [
        (p.field, p.message)
        for p in activity_problems(draft, CATALOGUE, today=TODAY, signed_periods=SIGNED)
    ]


def test_a_valid_record_has_no_problems():
    assert _problems() == []


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"kind": "tea_party"}, "kind", "未知的活动类型"),
        ({"day": None}, "date", "请填写活动日期"),
        ({"day": date(1999, 12, 31)}, "date", "2000-01-01"),
        ({"day": date(2026, 7, 2)}, "date", "不能晚于今天"),
        ({"day": date(2024, 12, 31)}, "date", "没有已签署且在有效期内的协议"),
        ({"quantities": {"documents": -1}}, "quantities", "不能为负数"),
        ({"quantities": {"documents": 201}}, "quantities", "不能超过 200项"),
        ({"quantities": {"documents": 0}}, "quantities", "至少为 1项"),
        ({"quantities": {}}, "quantities", "至少为 1项"),
        ({"quantities": {"documents": True}}, "quantities", "应为整数"),
        ({"quantities": {"documents": "3"}}, "quantities", "应为整数"),
        ({"quantities": {"documents": 1, "pages": 3}}, "quantities", "没有数量“pages”"),
        (
            {
                "kind": "centre_building",
                "quantities": {"centres": 1},
                "attributes": {"stage": "快建好了"},
            },
            "attributes",
            "建设中、通过省级、通过国家级",
        ),
        ({"attributes": {"colour": "red"}}, "attributes", "没有属性“colour”"),
    ],
)
def test_refused_records_name_the_field_and_reason(changes, field, fragment):
    problems = _problems(**changes)
    assert any(f == field and fragment in m for f, m in problems), problems


def test_boundaries_of_the_signed_period_and_today_are_accepted():
    assert _problems(day=date(2025, 1, 1)) == []
    assert _problems(day=TODAY) == []
    assert _problems(quantities={"documents": 200}) == []


@pytest.mark.parametrize(
    ("recorded", "confirmer", "confirmed", "allowed"),
    [
        (Side.HELPER, Side.RECIPIENT, False, True),  # expert records, hospital confirms
        (Side.RECIPIENT, Side.HELPER, False, True),  # the reverse
        (Side.HELPER, Side.HELPER, False, False),  # never the same side
        (Side.RECIPIENT, Side.RECIPIENT, False, False),
        (Side.HELPER, None, False, False),  # a bystander (prefecture, observer)
        (Side.HELPER, Side.RECIPIENT, True, False),  # confirmed once
    ],
)
def test_only_the_other_side_confirms_once(recorded, confirmer, confirmed, allowed):
    problem = confirmation_problem(
        recorded_side=recorded, confirmer_side=confirmer, already_confirmed=confirmed
    )
    assert (problem is None) is allowed


# ---- progress ----

TERMS = AgreementTerms(
    start=date(2025, 1, 1),
    last_day=date(2027, 12, 31),
    measures={
        "M01": {"team_size": "4", "captains": "1", "residence_years": "1"},
        "M02": {"centres": "5", "years": "3"},
        "M03": {"specialties_per_year": "1"},
        "M04": {"plan": "每周远程会诊"},
        "M07": {"rules_per_year": "10"},
        "M15": {"departments_per_member": "3"},
    },
)


def _fact(kind, day, confirmed=True, department="", attributes=None, **quantities):
    return ActivityFact(
        day=day,
        kind=kind,
        quantities=quantities,
        attributes=attributes or {},
        department=department,
        confirmed=confirmed,
    )


def _status(facts, code, today, year=2026):
    result = year_progress(TERMS, year, facts, CATALOGUE, today=today, default_team_size=3)
    assert result is not None
    return next(m for m in result.measures if m.code == code)


# A1-(7): ≥10 rules a year, pro rata. 2026 has 365 days; on 2026-07-02 (day 183) 5.01 are due.
@pytest.mark.parametrize(
    ("documents", "today", "status"),
    [
        (10, date(2026, 3, 1), ProgressStatus.MET),  # target reached early: 达成
        (9, date(2026, 12, 31), ProgressStatus.BEHIND),  # year over, 9 < 10
        (5, date(2026, 7, 1), ProgressStatus.ON_TRACK),  # day 182: 10×182/365 = 4.99 due
        (5, date(2026, 7, 2), ProgressStatus.BEHIND),  # day 183: 5.01 due, 5 done
        (6, date(2026, 7, 2), ProgressStatus.ON_TRACK),
        (0, date(2026, 7, 2), ProgressStatus.NO_RECORD),
    ],
)
def test_rules_per_year_a1_7(documents, today, status):
    facts = [_fact("rules", date(2026, 1, 15), documents=documents)] if documents else []
    result = _status(facts, "M07", today)
    assert (result.target, result.achieved, result.status) == (10, documents, status)


def test_unconfirmed_records_are_counted_separately_and_do_not_count():
    facts = [
        _fact("rules", date(2026, 2, 1), documents=4),
        _fact("rules", date(2026, 3, 1), confirmed=False, documents=7),
    ]
    result = _status(facts, "M07", date(2026, 12, 31))
    assert (result.achieved, result.unconfirmed, result.status) == (4, 7, ProgressStatus.BEHIND)
    only_pending = _status(facts[1:], "M07", date(2026, 12, 31))
    assert only_pending.status is ProgressStatus.NO_RECORD


def test_activities_of_another_year_do_not_count_for_this_year():
    result = _status([_fact("rules", date(2025, 12, 31), documents=10)], "M07", date(2026, 6, 1))
    assert result.achieved == 0


def test_one_specialty_a_year_a1_3():
    done = [_fact("specialty_building", date(2026, 5, 1), specialties=1)]
    assert _status(done, "M03", date(2026, 6, 1)).status is ProgressStatus.MET
    other = [
        _fact("staff_training", date(2026, 5, 1), staff=4)
    ]  # counts to M03, not as a specialty
    assert _status(other, "M03", date(2026, 6, 1)).status is ProgressStatus.NO_RECORD


def _centre(day, centre, stage="通过省级", confirmed=True):
    return _fact(
        "centre_building",
        day,
        confirmed=confirmed,
        attributes={"centre": centre, "stage": stage},
        centres=1,
    )


def test_five_centres_within_three_years_a1_2_counts_since_the_start_pro_rata_over_three_years():
    # 2025-01-01 .. 2027-12-31 is 1095 days. By 2026-12-31 (day 730) 5×730/1095 = 3.33 are due.
    facts = [
        _centre(date(2025, 6, 1), "胸痛中心"),
        _centre(date(2026, 2, 1), "卒中中心", stage="通过国家级"),
        _centre(date(2026, 3, 1), "卒中中心"),  # the same centre twice counts once
        _centre(date(2026, 4, 1), "创伤中心", stage="建设中"),  # not yet accredited
    ]
    result = _status(facts, "M02", date(2026, 12, 31))
    assert (result.target, result.achieved, result.status) == (5, 2, ProgressStatus.BEHIND)
    facts += [
        _centre(date(2026, 5, 1), "创伤中心"),
        _centre(date(2026, 6, 1), "危重孕产妇救治中心"),
    ]
    result = _status(facts, "M02", date(2026, 12, 31))
    assert (result.achieved, result.status) == (4, ProgressStatus.ON_TRACK)
    facts.append(_centre(date(2026, 7, 1), "危重儿童和新生儿救治中心"))
    assert _status(facts, "M02", date(2026, 12, 31)).status is ProgressStatus.MET


def test_3x_target_is_three_departments_per_agreed_team_member_a1_15():
    facts = [
        _fact("remote_round", date(2026, 3, d), department=f"科室{d}", sessions=1)
        for d in range(1, 12)
    ]
    result = _status(facts, "M15", date(2026, 12, 31))
    assert (result.target, result.achieved, result.status) == (12, 11, ProgressStatus.BEHIND)
    facts.append(_fact("remote_consultation", date(2026, 4, 1), department="科室12", sessions=2))
    assert _status(facts, "M15", date(2026, 12, 31)).status is ProgressStatus.MET


def test_qualitative_measures_have_no_target_and_count_records():
    facts = [
        _fact("remote_ecg", date(2026, 3, 1), cases=30),
        _fact("remote_imaging", date(2026, 4, 1), cases=5),
    ]
    result = _status(facts, "M04", date(2026, 6, 1))
    assert (result.target, result.achieved, result.status) == (None, 2, ProgressStatus.ON_TRACK)
    assert _status([], "M04", date(2026, 6, 1)).status is ProgressStatus.NO_RECORD


def test_a_year_outside_the_agreement_has_no_progress_and_partial_years_are_cut():
    assert year_progress(TERMS, 2024, [], CATALOGUE, today=TODAY, default_team_size=3) is None
    late = AgreementTerms(date(2026, 7, 1), date(2029, 6, 30), {"M07": {"rules_per_year": "10"}})
    result = year_progress(late, 2026, [], CATALOGUE, today=TODAY, default_team_size=3)
    assert (result.first, result.last) == (date(2026, 7, 1), date(2026, 12, 31))
