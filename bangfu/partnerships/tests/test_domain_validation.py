"""Validation of an agreement draft (§一, §三(二), §七, Annex 1, A2-四(三))."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from bangfu.partnerships.domain import AgreementDraft, AgreementFacts, agreement_validate
from bangfu.policy import load_policy

POLICY = load_policy("guizhou_2025")

VALID_MEASURES: dict[str, Mapping[str, Decimal | str]] = {
    "M01": {"team_size": Decimal(4), "captains": Decimal(1), "residence_years": Decimal(1)},
    "M07": {"rules_per_year": Decimal(12)},
    "M04": {"plan": "每月开展远程会诊不少于2次"},
}


def draft(**changes) -> AgreementDraft:
    base = AgreementDraft(
        helper_province="广东省",
        helper_grade="三甲",
        start=date(2025, 1, 1),
        end=date(2027, 12, 31),
        modes=("east_west", "group"),
        measures=VALID_MEASURES,
    )
    return replace(base, **changes)


def cycle(id: int, start: date, end: date, terminated_on: date | None = None) -> AgreementFacts:
    return AgreementFacts(
        id=id,
        partnership_id=1,
        start=start,
        end=end,
        signed_on=start,
        terminated_on=terminated_on,
    )


def issues(d: AgreementDraft, existing=()) -> list[tuple[str, str]]:
    return [(i.field, i.message) for i in agreement_validate(d, existing, POLICY)]


def fields(d: AgreementDraft, existing=()) -> list[str]:
    return [field for field, _ in issues(d, existing)]


def test_a_complete_draft_has_no_issues():
    assert issues(draft()) == []


@pytest.mark.parametrize(
    ("changes", "expected_fields"),
    [
        pytest.param({"helper_province": "贵州省"}, ["helper"], id="in-province helper"),
        pytest.param({"helper_grade": "三乙"}, ["helper"], id="not grade 3A"),
        pytest.param(
            {"helper_province": "贵州", "helper_grade": "二甲"},
            ["helper", "helper"],
            id="both wrong",
        ),
        pytest.param({"helper_grade": "三级甲等"}, [], id="grade 3A spelt out"),
        pytest.param(
            {
                "helper_province": "贵州省",
                "helper_exception": True,
                "helper_exception_reason": "省内龙头医院牵头帮扶",
            },
            [],
            id="exception with reason",
        ),
        pytest.param(
            {
                "helper_province": "贵州省",
                "helper_exception": True,
                "helper_exception_reason": "  ",
            },
            ["helper_exception_reason"],
            id="exception without reason",
        ),
        pytest.param(
            {"helper_exception": True}, [], id="exception flag on an eligible helper is harmless"
        ),
    ],
)
def test_helper_must_be_out_of_province_grade_3a_unless_excepted(changes, expected_fields):
    assert fields(draft(**changes)) == expected_fields


def test_helper_messages_are_chinese_and_cite_the_clause():
    [(_, message)] = issues(draft(helper_province="贵州省"))
    assert "省外" in message
    assert "§三(二)" in message


@pytest.mark.parametrize(
    ("start", "end", "expected_fields"),
    [
        (date(2025, 1, 1), date(2025, 1, 2), []),
        (date(2025, 1, 1), date(2025, 1, 1), ["end"]),
        (date(2025, 1, 1), date(2024, 12, 31), ["end"]),
        (None, date(2027, 12, 31), ["start"]),
        (date(2025, 1, 1), None, ["end"]),
        (None, None, ["start", "end"]),
    ],
)
def test_end_must_come_after_start(start, end, expected_fields):
    assert fields(draft(start=start, end=end)) == expected_fields


PREVIOUS = cycle(7, date(2022, 1, 1), date(2024, 12, 31))


@pytest.mark.parametrize(
    ("existing", "overlaps"),
    [
        pytest.param([PREVIOUS], False, id="previous cycle ends the day before"),
        pytest.param(
            [cycle(7, date(2022, 1, 2), date(2025, 1, 1))],
            True,
            id="previous ends on our start day",
        ),
        pytest.param(
            [cycle(8, date(2027, 12, 31), date(2030, 12, 30))],
            True,
            id="next starts on our end day",
        ),
        pytest.param(
            [cycle(8, date(2028, 1, 1), date(2030, 12, 31))], False, id="next starts the day after"
        ),
        pytest.param([cycle(8, date(2026, 1, 1), date(2026, 6, 30))], True, id="nested inside"),
        pytest.param(
            [cycle(7, date(2022, 1, 2), date(2025, 6, 30), terminated_on=date(2025, 1, 1))],
            False,
            id="terminated the day we start",
        ),
        pytest.param(
            [cycle(7, date(2022, 1, 2), date(2025, 6, 30), terminated_on=date(2025, 1, 2))],
            True,
            id="terminated the day after we start",
        ),
    ],
)
def test_no_overlap_with_another_cycle_of_the_pair(existing, overlaps):
    assert ("start" in fields(draft(), existing)) is overlaps


def test_editing_an_agreement_does_not_overlap_itself():
    existing = [cycle(5, date(2025, 1, 1), date(2027, 12, 31))]
    assert fields(draft(id=5), existing) == []
    assert fields(draft(id=None), existing) == ["start"]


def test_overlap_message_names_the_other_period_and_cites_the_cycle_clause():
    [(_, message)] = issues(draft(), [cycle(8, date(2026, 1, 1), date(2026, 6, 30))])
    assert "2026-01-01至2026-06-30" in message
    assert "§七" in message


def test_at_least_one_measure_is_required():
    assert issues(draft(measures={})) == [("measures", "请至少选择一项帮扶措施（附件1；附件2 二）")]


@pytest.mark.parametrize(
    ("measures", "expected_fields"),
    [
        pytest.param(
            {
                "M01": {
                    "team_size": Decimal(3),
                    "captains": Decimal(1),
                    "residence_years": Decimal(1),
                }
            },
            [],
            id="team of 3",
        ),
        pytest.param(
            {
                "M01": {
                    "team_size": Decimal(5),
                    "captains": Decimal(1),
                    "residence_years": Decimal(2),
                }
            },
            [],
            id="team of 5 for 2 years",
        ),
        pytest.param(
            {
                "M01": {
                    "team_size": Decimal(2),
                    "captains": Decimal(1),
                    "residence_years": Decimal(1),
                }
            },
            ["measures.M01.team_size"],
            id="team of 2",
        ),
        pytest.param(
            {
                "M01": {
                    "team_size": Decimal(6),
                    "captains": Decimal(1),
                    "residence_years": Decimal(1),
                }
            },
            ["measures.M01.team_size"],
            id="team of 6",
        ),
        pytest.param(
            {
                "M01": {
                    "team_size": Decimal(4),
                    "captains": Decimal(2),
                    "residence_years": Decimal(1),
                }
            },
            ["measures.M01.captains"],
            id="two captains",
        ),
        pytest.param(
            {"M01": {"team_size": Decimal(4), "captains": Decimal(1)}},
            ["measures.M01.residence_years"],
            id="target left empty",
        ),
        pytest.param(
            {"M07": {"rules_per_year": Decimal(9)}},
            ["measures.M07.rules_per_year"],
            id="9 rules a year",
        ),
        pytest.param({"M07": {"rules_per_year": Decimal(10)}}, [], id="10 rules a year"),
        pytest.param(
            {"M07": {"rules_per_year": "十项"}},
            ["measures.M07.rules_per_year"],
            id="rules not a number",
        ),
        pytest.param(
            {"M15": {"departments_per_member": Decimal(2)}},
            ["measures.M15.departments_per_member"],
            id="3X below 1:3",
        ),
        pytest.param(
            {"M03": {"specialties_per_year": Decimal(0)}},
            ["measures.M03.specialties_per_year"],
            id="no specialty a year",
        ),
        pytest.param(
            {"M02": {"centres": Decimal(6), "years": Decimal(3)}},
            ["measures.M02.centres"],
            id="six of five centres",
        ),
        pytest.param(
            {"M05": {"mentor_min_title": "主治医师", "plan": "结对10对"}},
            ["measures.M05.mentor_min_title"],
            id="mentor below associate chief",
        ),
        pytest.param(
            {"M05": {"mentor_min_title": "主任医师", "plan": "结对10对"}},
            [],
            id="mentor chief physician",
        ),
        pytest.param({"M04": {"plan": ""}}, ["measures.M04.plan"], id="empty plan"),
        pytest.param(
            {"M04": {"plan": "开展远程会诊", "extra": Decimal(1)}},
            ["measures.M04.extra"],
            id="unknown target",
        ),
        pytest.param({"M22": {"plan": "x"}}, ["measures"], id="unknown measure"),
    ],
)
def test_every_chosen_measure_has_its_targets_set_within_bounds(measures, expected_fields):
    assert fields(draft(measures=measures)) == expected_fields


def test_target_message_names_the_measure_and_bound_and_cites_it():
    [(field, message)] = issues(draft(measures={"M15": {"departments_per_member": Decimal(2)}}))
    assert field == "measures.M15.departments_per_member"
    assert "探索建立3X机制" in message
    assert "不得低于3个" in message
    assert "A1-(15)" in message


@pytest.mark.parametrize(
    ("overrides", "expected_fields"),
    [
        pytest.param({"top_up_multiplier": Decimal("1.2")}, [], id="top-up 1.2x"),
        pytest.param(
            {"top_up_multiplier": Decimal("1.6")},
            ["guarantee_terms.top_up_multiplier"],
            id="top-up above 1.5x",
        ),
        pytest.param(
            {"insurance_min_coverage": Decimal("500000")},
            ["guarantee_terms.insurance_min_coverage"],
            id="insurance below 1m",
        ),
        pytest.param({"insurance_min_coverage": Decimal("1500000")}, [], id="insurance above 1m"),
        pytest.param(
            {"work_fund_per_year": Decimal("250000")},
            ["guarantee_terms.work_fund_per_year"],
            id="work fund above 200k",
        ),
        pytest.param(
            {"settling_in_allowance": Decimal("2000.00")}, [], id="settling-in at the cap"
        ),
        pytest.param(
            {
                "monthly_subsidy_senior": Decimal("1200"),
                "monthly_subsidy_associate": Decimal("700"),
            },
            ["guarantee_terms.monthly_subsidy_associate", "guarantee_terms.monthly_subsidy_senior"],
            id="both subsidies above cap",
        ),
        pytest.param(
            {"vice_president_min_resident_years": Decimal("0")},
            ["guarantee_terms.vice_president_min_resident_years"],
            id="vice president without a year",
        ),
        pytest.param({"tourism_card": False}, [], id="no tourism card"),
        pytest.param(
            {"tourism_card": Decimal(1)}, ["guarantee_terms.tourism_card"], id="flag given a number"
        ),
        pytest.param({"free_lunch": True}, ["guarantee_terms.free_lunch"], id="unknown term"),
    ],
)
def test_guarantee_overrides_stay_within_policy_bounds(overrides, expected_fields):
    assert fields(draft(guarantee_overrides=overrides)) == expected_fields


def test_guarantee_message_states_the_bound_and_clause():
    [(_, message)] = issues(draft(guarantee_overrides={"top_up_multiplier": Decimal("1.6")}))
    assert "不得高于1.5倍" in message
    assert "A2-四(三)2" in message


def test_unknown_mode_is_refused():
    assert fields(draft(modes=("east_west", "twinning"))) == ["modes"]


def test_all_problems_are_reported_together_in_a_stable_order():
    bad = draft(
        helper_province="贵州省",
        end=date(2024, 1, 1),
        measures={"M07": {"rules_per_year": Decimal(1)}},
        guarantee_overrides={"top_up_multiplier": Decimal(2)},
    )
    assert fields(bad) == [
        "helper",
        "end",
        "measures.M07.rules_per_year",
        "guarantee_terms.top_up_multiplier",
    ]
