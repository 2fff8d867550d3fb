"""The review chain table: every status × every role × every action (§七, issue #12)."""

from __future__ import annotations

from datetime import date

import pytest

from bangfu.assessments.domain.review import (
    Action,
    Level,
    Rating,
    Status,
    actions_available,
    is_editable,
    is_locked,
    level_of_role,
    rating_from,
    ratings_problems,
    review_step,
    submission_problems,
)
from bangfu.assessments.domain.year import in_force_during, is_overdue

ROLES = ["province", "prefecture", "county", "recipient", "helper", "expert", "observer"]

# The level that last acted in each status, as the chain leaves it.
LAST_LEVEL = {
    Status.DRAFT: None,
    Status.RETURNED: Level.COUNTY,
    Status.SUBMITTED: Level.HOSPITAL,
    Status.COUNTY_APPROVED: Level.COUNTY,
    Status.PREFECTURE_APPROVED: Level.PREFECTURE,
    Status.ACCEPTED: Level.PROVINCE,
}

# (status, action) → {role: new status}; every combination not listed is refused.
ALLOWED = {
    (Status.DRAFT, Action.SUBMIT): {"recipient": Status.SUBMITTED},
    (Status.RETURNED, Action.SUBMIT): {"recipient": Status.SUBMITTED},
    (Status.SUBMITTED, Action.APPROVE): {"county": Status.COUNTY_APPROVED},
    (Status.SUBMITTED, Action.RETURN): {"county": Status.RETURNED},
    (Status.COUNTY_APPROVED, Action.APPROVE): {"prefecture": Status.PREFECTURE_APPROVED},
    (Status.COUNTY_APPROVED, Action.RETURN): {"prefecture": Status.RETURNED},
    (Status.PREFECTURE_APPROVED, Action.APPROVE): {"province": Status.ACCEPTED},
    (Status.PREFECTURE_APPROVED, Action.RETURN): {"province": Status.RETURNED},
    (Status.SUBMITTED, Action.REOPEN): {
        "county": Status.RETURNED,
        "prefecture": Status.RETURNED,
        "province": Status.RETURNED,
    },
    (Status.COUNTY_APPROVED, Action.REOPEN): {
        "prefecture": Status.RETURNED,
        "province": Status.RETURNED,
    },
    (Status.PREFECTURE_APPROVED, Action.REOPEN): {"province": Status.RETURNED},
    (Status.ACCEPTED, Action.REOPEN): {"province": Status.RETURNED},
}

TABLE = [
    (status, role, action, ALLOWED.get((status, action), {}).get(role))
    for status in Status
    for role in ROLES
    for action in Action
]


def test_the_table_covers_every_status_role_and_action():
    assert len(TABLE) == len(Status) * len(ROLES) * len(Action) == 168
    assert sum(1 for *_, expected in TABLE if expected is not None) == 15


@pytest.mark.parametrize(("status", "role", "action", "expected"), TABLE)
def test_review_step(status, role, action, expected):
    step = review_step(
        status, level_of_role(role), action, last_level=LAST_LEVEL[status], comment="意见"
    )
    assert step.new_status == expected
    if expected is None:
        assert step.refusal.endswith("（§七 强化自查自评）")
    else:
        assert step.refusal == ""


@pytest.mark.parametrize("action", [Action.RETURN, Action.REOPEN])
def test_return_and_reopen_need_a_comment(action):
    status = Status.SUBMITTED
    step = review_step(status, Level.COUNTY, action, last_level=Level.HOSPITAL, comment="  ")
    assert not step.allowed
    assert "必须填写" in step.refusal


def test_the_province_approving_is_the_acceptance_and_locks():
    step = review_step(
        Status.PREFECTURE_APPROVED,
        Level.PROVINCE,
        Action.APPROVE,
        last_level=Level.PREFECTURE,
        comment="",
    )
    assert step.new_status is Status.ACCEPTED and step.decision == "accept"
    assert is_locked(Status.ACCEPTED) and not is_editable(Status.ACCEPTED)


def test_reopen_needs_a_level_above_the_last_one_that_acted():
    # The province returned it and the hospital resubmitted: the county may reopen again...
    assert review_step(
        Status.SUBMITTED, Level.COUNTY, Action.REOPEN, last_level=Level.HOSPITAL, comment="r"
    ).allowed
    # ...but a county may not reopen what the prefecture approved.
    step = review_step(
        Status.PREFECTURE_APPROVED,
        Level.COUNTY,
        Action.REOPEN,
        last_level=Level.PREFECTURE,
        comment="r",
    )
    assert not step.allowed and "高于最近处理层级" in step.refusal


def test_buttons_offered_follow_the_table():
    assert actions_available(Status.SUBMITTED, Level.COUNTY, last_level=Level.HOSPITAL) == [
        Action.APPROVE,
        Action.RETURN,
        Action.REOPEN,
    ]
    assert actions_available(Status.ACCEPTED, Level.PREFECTURE, last_level=Level.PROVINCE) == []
    assert actions_available(Status.RETURNED, Level.HOSPITAL, last_level=Level.COUNTY) == [
        Action.SUBMIT
    ]


def test_ratings_accept_labels_and_codes_only_for_chosen_measures():
    assert rating_from("基本完成") is Rating.BASICALLY_COMPLETED
    assert rating_from("not_completed") is Rating.NOT_COMPLETED
    assert rating_from("差不多") is None
    problems = ratings_problems(
        {"M01": "完成", "M99": "完成", "M02": "好"}, frozenset({"M01", "M02"})
    )
    assert problems == [
        "措施 M02 的自评应为 完成、基本完成 或 未完成",
        "措施 M99 不在该协议选定的措施中",
    ]


def test_submission_needs_every_measure_rated_and_the_results():
    codes = frozenset({"M01", "M07"})
    assert submission_problems({"M01": "完成"}, codes, "") == [
        "以下措施尚未自评：M07",
        "请填写工作成效",
    ]
    assert submission_problems({"M01": "完成", "M07": "未完成"}, codes, "成效") == []


@pytest.mark.parametrize(
    ("periods", "expected"),
    [
        ([(date(2024, 3, 1), date(2027, 2, 28))], True),
        ([(date(2025, 12, 31), date(2028, 12, 30))], True),  # first day is the year's last
        ([(date(2022, 1, 1), date(2025, 1, 1))], True),  # last day is the year's first
        ([(date(2022, 1, 1), date(2024, 12, 31))], False),  # ended (terminated) before the year
        ([(date(2026, 1, 1), date(2028, 12, 31))], False),  # starts after it
        ([], False),  # never signed
    ],
)
def test_in_force_during_the_year(periods, expected):
    assert in_force_during(periods, 2025) is expected


def test_overdue_only_after_the_due_day_and_only_when_not_submitted():
    due = date(2026, 3, 31)
    assert not is_overdue(submitted=False, due_on=due, today=due)
    assert is_overdue(submitted=False, due_on=due, today=date(2026, 4, 1))
    assert not is_overdue(submitted=True, due_on=due, today=date(2026, 4, 1))
    assert not is_overdue(submitted=False, due_on=None, today=date(2026, 4, 1))
