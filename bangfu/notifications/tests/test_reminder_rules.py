"""The reminder rules, table-tested by date (no database)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bangfu.notifications.domain.reminders import (
    STATEMENT_REMINDER_DAY,
    AgreementReminderFacts,
    InsuranceReminderFacts,
    Span,
    StatementReminderFacts,
    agreement_reminders,
    insurance_reminders,
    statement_reminder_month,
    statement_reminders,
    task_reminders,
)

END = date(2027, 12, 31)
ALL_FILED = frozenset({"province", "prefecture", "county"})


def _signed(**changes: object) -> AgreementReminderFacts:
    values: dict[str, object] = {
        "id": 1,
        "start": date(2025, 1, 1),
        "end": END,
        "created_on": date(2024, 12, 1),
        "signed_on": date(2024, 12, 20),
        "filed_levels": ALL_FILED,
    }
    values.update(changes)
    return AgreementReminderFacts(**values)  # type: ignore[arg-type]


def _milestones(facts: AgreementReminderFacts, on: date) -> list[str]:
    return [r.milestone for r in agreement_reminders(facts, on)]


@pytest.mark.parametrize(
    ("days_left", "milestones"),
    [
        (91, []),
        (90, ["expiring_90"]),
        (89, ["expiring_90"]),
        (31, ["expiring_90"]),
        (30, ["expiring_30"]),
        (29, ["expiring_30"]),
        (8, ["expiring_30"]),
        (7, ["expiring_7"]),
        (6, ["expiring_7"]),
        (0, ["expiring_7"]),  # the last day in force
        (-1, []),  # expired: no more reminders
    ],
)
def test_an_agreement_in_force_is_reminded_at_90_30_and_7_days(days_left, milestones):
    assert _milestones(_signed(), END - timedelta(days=days_left)) == milestones


def test_a_renewed_or_terminated_agreement_is_not_reminded_of_expiry():
    on = END - timedelta(days=10)
    assert _milestones(_signed(has_next_cycle=True), on) == []
    assert _milestones(_signed(terminated_on=on), on) == []
    assert _milestones(_signed(terminated_on=on + timedelta(days=1)), on) == ["expiring_30"]


@pytest.mark.parametrize(
    ("days_since_signing", "filed", "milestones"),
    [
        (29, frozenset(), []),
        (30, frozenset(), ["unfiled_30"]),
        (31, frozenset({"province", "county"}), ["unfiled_30"]),
        (31, ALL_FILED, []),
    ],
)
def test_a_signed_agreement_not_filed_at_every_level_after_30_days(
    days_since_signing, filed, milestones
):
    signed_on = date(2026, 3, 1)
    facts = _signed(signed_on=signed_on, filed_levels=filed)
    assert _milestones(facts, signed_on + timedelta(days=days_since_signing)) == milestones


def test_the_unfiled_reminder_names_the_missing_levels():
    facts = _signed(signed_on=date(2026, 3, 1), filed_levels=frozenset({"province"}))
    [reminder] = agreement_reminders(facts, date(2026, 5, 1))
    assert "市州卫健局、县卫健局" in reminder.reason
    assert "附件2 五(三)" in reminder.reason


@pytest.mark.parametrize(
    ("days_since_created", "milestones"),
    [(29, []), (30, ["unsigned_30"]), (200, ["unsigned_30"])],
)
def test_a_draft_unsigned_after_30_days(days_since_created, milestones):
    created = date(2026, 1, 10)
    facts = _signed(signed_on=None, created_on=created, filed_levels=frozenset())
    assert _milestones(facts, created + timedelta(days=days_since_created)) == milestones


def test_a_terminated_or_lapsed_draft_is_not_reminded():
    facts = _signed(signed_on=None, created_on=date(2026, 1, 1), filed_levels=frozenset())
    assert _milestones(facts, END + timedelta(days=1)) == []
    terminated = _signed(
        signed_on=None, created_on=date(2026, 1, 1), terminated_on=date(2026, 2, 1)
    )
    assert _milestones(terminated, date(2026, 3, 1)) == []


POLICY_END = date(2026, 6, 30)
ON_SITE = (Span(date(2026, 1, 1), date(2026, 12, 31)),)


@pytest.mark.parametrize(
    ("days_left", "due"),
    [(31, False), (30, True), (29, True), (0, True), (-1, False)],
)
def test_insurance_ending_within_30_days_for_an_expert_still_on_site(days_left, due):
    facts = InsuranceReminderFacts(id=1, end=POLICY_END, deployments=ON_SITE)
    reminders = insurance_reminders(facts, POLICY_END - timedelta(days=days_left))
    assert [r.milestone for r in reminders] == (["ending_30"] if due else [])


def test_insurance_no_reminder_when_the_expert_leaves_or_a_next_policy_covers():
    on = POLICY_END - timedelta(days=10)
    leaving = (Span(date(2026, 1, 1), POLICY_END),)
    assert insurance_reminders(InsuranceReminderFacts(1, POLICY_END, deployments=leaving), on) == []
    not_yet_there = (Span(date(2026, 7, 1), date(2026, 12, 31)),)
    assert (
        insurance_reminders(InsuranceReminderFacts(1, POLICY_END, deployments=not_yet_there), on)
        == []
    )
    renewed = (Span(date(2026, 7, 1), date(2027, 6, 30)),)
    facts = InsuranceReminderFacts(1, POLICY_END, other_policies=renewed, deployments=ON_SITE)
    assert insurance_reminders(facts, on) == []


TASK_DUE_ON = date(2026, 6, 30)


@pytest.mark.parametrize(
    ("days_left", "milestones"),
    [(4, []), (3, ["due_3"]), (0, ["due_3"]), (-1, ["overdue"]), (-100, ["overdue"])],
)
def test_a_follow_up_task_is_reminded_3_days_before_and_once_overdue(days_left, milestones):
    on = TASK_DUE_ON - timedelta(days=days_left)
    assert [r.milestone for r in task_reminders(TASK_DUE_ON, None, on)] == milestones


def test_a_done_task_is_not_reminded():
    assert task_reminders(TASK_DUE_ON, TASK_DUE_ON, TASK_DUE_ON + timedelta(days=5)) == []


NOVEMBER = date(2026, 11, 1)
WAITING = StatementReminderFacts(
    recipient_id=7, month=NOVEMBER, served=frozenset({1, 2, 3}), approved=frozenset({2})
)
ALL_APPROVED = StatementReminderFacts(
    recipient_id=7, month=NOVEMBER, served=frozenset({1, 2}), approved=frozenset({1, 2})
)


@pytest.mark.parametrize(
    ("facts", "on", "milestones"),
    [
        (WAITING, date(2026, 11, 30), []),  # the month has not ended
        (WAITING, date(2026, 12, 1), []),
        (WAITING, date(2026, 12, 4), []),  # before the 5th: nothing
        (WAITING, date(2026, 12, 5), ["statements_2026-11"]),  # on the 5th: one
        (WAITING, date(2026, 12, 31), ["statements_2026-11"]),  # re-run: the same milestone
        (WAITING, date(2027, 1, 5), []),  # the next month reminds about December only
        (ALL_APPROVED, date(2026, 12, 5), []),  # all approved: nothing
        (StatementReminderFacts(recipient_id=7, month=NOVEMBER), date(2026, 12, 5), []),
    ],
)
def test_statement_reminders_by_date(facts, on, milestones):
    assert [r.milestone for r in statement_reminders(facts, on)] == milestones


def test_a_statement_reminder_counts_the_waiting_experts():
    [reminder] = statement_reminders(WAITING, date(2026, 12, 5))
    assert reminder.reason.startswith("11月有 2 名专家的待遇结算待核定")
    assert "§六" in reminder.reason


@pytest.mark.parametrize(
    ("on", "month"),
    [
        (date(2026, 12, STATEMENT_REMINDER_DAY - 1), None),
        (date(2026, 12, STATEMENT_REMINDER_DAY), date(2026, 11, 1)),
        (date(2027, 1, 20), date(2026, 12, 1)),  # across the year
        (date(2028, 3, 5), date(2028, 2, 1)),
    ],
)
def test_the_month_reminded_about_is_the_previous_one_from_the_5th(on, month):
    assert statement_reminder_month(on) == month
