"""Statements waiting for approval (F11; §六; A2-四(三)): from the 5th of a month, each recipient
hospital whose experts served there in the previous month, and some of them without a payment
of that hospital overlapping it, is reminded once for that month; its users receive it.

The fixture expert 甲 is resident at 威宁 (recipient_user's hospital) from 10 January last year."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bangfu.accounts.models import Role
from bangfu.incentives.models import Payment
from bangfu.incentives.payment_services import statement_approve
from bangfu.incentives.reminders import statements_reminders_due
from bangfu.notifications.domain.kinds import STATEMENTS_PENDING
from bangfu.notifications.models import Notification
from bangfu.notifications.services import reminders_send
from bangfu.people.models import Deployment
from bangfu.people.tests.fixtures import deploy, make_expert
from bangfu.policy.domain.periods import Period

pytestmark = pytest.mark.django_db


def year() -> int:
    return date.today().year - 1


def _only_fixture_experts(team) -> None:
    """Other deployments at the hospital move out of February, so the test reads its own."""
    hospital_id = team.partnership.recipient_id
    Deployment.objects.filter(team__partnership__recipient_id=hospital_id).exclude(
        team=team
    ).update(start=date(2040, 1, 1), planned_end=date(2041, 1, 1), actual_end=None)


def _paid(user, expert, first: date, last: date) -> None:
    """A payment of the user's hospital for `expert` (the reminder reads only its period)."""
    Payment.objects.create(
        expert=expert,
        recipient_id=user.institution_id,
        period_start=first,
        period_end=last,
        total=Decimal("1.00"),
        policy_version="test",
        basis="test",
        approved_by=user,
        approved_at=timezone.now(),
    )


def _reminders(hospital_id: int):
    return Notification.objects.filter(kind=STATEMENTS_PENDING, object_id=str(hospital_id))


def test_the_hospital_is_reminded_once_from_the_5th_of_the_next_month(
    recipient_user, expert, resident, team
):
    _only_fixture_experts(team)
    hospital_id = team.partnership.recipient_id
    reminders_send(on=date(year(), 3, 4))
    assert not _reminders(hospital_id).exists()

    reminders_send(on=date(year(), 3, 5))
    sent = list(_reminders(hospital_id))
    assert sent
    assert {n.recipient.role for n in sent} == {Role.RECIPIENT}
    assert {n.recipient.institution_id for n in sent} == {hospital_id}
    assert recipient_user in {n.recipient for n in sent}
    first = sent[0]
    assert first.milestone == f"statements_{year()}-02"
    assert "2月有 1 名专家的待遇结算待核定" in first.body
    assert "测试甲" in first.body
    last = calendar.monthrange(year(), 2)[1]
    assert (
        first.link
        == f"/incentives/statements/{expert.pk}/?start={year()}-02-01&end={year()}-02-{last}"
    )

    # Re-run the same day and later in the month: nothing new.
    reminders_send(on=date(year(), 3, 5))
    reminders_send(on=date(year(), 3, 31))
    assert _reminders(hospital_id).count() == len(sent)


def test_an_approved_month_reminds_nobody(recipient_user, expert, resident, team):
    _only_fixture_experts(team)
    hospital_id = team.partnership.recipient_id
    # A payment overlapping February counts as approved for the expert.
    statement_approve(
        actor=recipient_user, expert=expert, period=Period(date(year(), 1, 1), date(year(), 2, 10))
    )
    reminders_send(on=date(year(), 3, 6))
    assert not _reminders(hospital_id).exists()


def test_each_waiting_expert_is_counted_and_the_approved_one_left_out(
    recipient_user, province_officer, expert, resident, team
):
    _only_fixture_experts(team)
    hospital_id = team.partnership.recipient_id
    second = make_expert(province_officer, "测试丁", team.partnership.helper)
    deploy(province_officer, team, second, start=date(year(), 2, 20), months=3)
    third = make_expert(province_officer, "测试戊", team.partnership.helper)
    deploy(province_officer, team, third, start=date(year(), 3, 1), months=3)  # not in February
    _paid(recipient_user, second, date(year(), 2, 20), date(year(), 2, 25))
    [due] = [d for d in statements_reminders_due(on=date(year(), 3, 5)) if d.obj.pk == hospital_id]
    assert "2月有 1 名专家" in due.reminder.reason
    assert "测试甲" in due.reminder.reason
    assert "测试丁" not in due.reminder.reason
    assert "测试戊" not in due.reminder.reason


def _queries(on: date, hospital_id: int) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        due = list(statements_reminders_due(on=on))
    [own] = [d.reminder.reason for d in due if d.obj.pk == hospital_id]
    return len(ctx.captured_queries), own


def test_the_source_reads_in_constant_queries(recipient_user, province_officer, expert, team):
    on = date(year(), 3, 5)
    hospital_id = team.partnership.recipient_id
    small, _ = _queries(on, hospital_id)
    for i in range(4):
        extra = make_expert(province_officer, f"测试增{i}", team.partnership.helper)
        deploy(province_officer, team, extra, start=date(year(), 2, 1), months=3)
        if i % 2:
            _paid(recipient_user, extra, date(year(), 2, 1), date(year(), 2, 28))
    large, reason = _queries(on, hospital_id)
    assert "测试增0" in reason and "测试增2" in reason
    assert "测试增1" not in reason and "测试增3" not in reason
    assert large == small == 3  # deployments, payments, users
