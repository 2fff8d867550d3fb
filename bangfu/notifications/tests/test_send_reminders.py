"""`send_reminders` on the database: who receives each reminder, once per milestone."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from bangfu.accounts.models import Role, User
from bangfu.core.models import AuditEntry
from bangfu.notifications.domain.kinds import AGREEMENT_EXPIRING, AGREEMENT_UNFILED
from bangfu.notifications.models import Notification
from bangfu.notifications.selectors import Parties, users_acting_on
from bangfu.notifications.services import reminders_send
from bangfu.partnerships.models import Agreement

pytestmark = pytest.mark.django_db

ON = date(2026, 9, 1)


def _latest_agreement_of(user: User) -> Agreement:
    agreement = (
        Agreement.objects.filter(partnership__recipient_id=user.institution_id)
        .order_by("-cycle_number")
        .select_related("partnership__recipient")
        .first()
    )
    assert agreement is not None
    return agreement


def _quiet_everything_else(keep: Agreement) -> None:
    """Other agreements get dates far from every milestone, so the test reads one agreement."""
    Agreement.objects.exclude(pk=keep.pk).update(
        start=date(2025, 1, 1),
        end=date(2030, 12, 31),
        signed_on=date(2024, 12, 1),
        filed_province_on=date(2024, 12, 2),
        filed_prefecture_on=date(2024, 12, 2),
        filed_county_on=date(2024, 12, 2),
    )


def _expiring_in(agreement: Agreement, days: int) -> None:
    Agreement.objects.filter(pk=agreement.pk).update(
        start=date(2024, 1, 1),
        end=ON + timedelta(days=days),
        signed_on=date(2023, 12, 1),
        terminated_on=None,
        filed_province_on=date(2023, 12, 2),
        filed_prefecture_on=date(2023, 12, 2),
        filed_county_on=date(2023, 12, 2),
    )


def test_an_expiring_agreement_reminds_the_parties_once_per_milestone(
    recipient_user, helper_user, province_officer
):
    agreement = _latest_agreement_of(recipient_user)
    _quiet_everything_else(agreement)
    _expiring_in(agreement, 30)

    first = reminders_send(on=ON)
    again = reminders_send(on=ON)
    next_day = reminders_send(on=ON + timedelta(days=1))

    reminders = Notification.objects.filter(kind=AGREEMENT_EXPIRING, object_id=str(agreement.pk))
    recipients = set(reminders.values_list("recipient__username", flat=True))
    assert recipient_user.username in recipients
    assert province_officer.username not in recipients
    assert set(reminders.values_list("milestone", flat=True)) == {"expiring_30"}
    assert first.sent == reminders.count() > 0
    assert again.sent == 0 and next_day.sent == 0
    assert again.due == first.due == 1
    assert AuditEntry.objects.filter(action="notification_send").count() >= first.sent
    if agreement.partnership.helper_id == helper_user.institution_id:
        assert helper_user.username in recipients

    # A week later the agreement reaches the 7-day milestone: one more reminder each.
    # (The 24th also reminds hospitals of August's statements: count this agreement's only.)
    reminders_send(on=ON + timedelta(days=23))
    assert reminders.filter(milestone="expiring_7").count() == first.sent
    assert set(reminders.values_list("milestone", flat=True)) == {"expiring_30", "expiring_7"}


def test_an_agreement_91_days_away_reminds_nobody(recipient_user):
    agreement = _latest_agreement_of(recipient_user)
    _quiet_everything_else(agreement)
    _expiring_in(agreement, 91)
    run = reminders_send(on=ON)
    assert run.due == 0 and run.sent == 0


def test_a_signed_agreement_not_filed_reminds_after_30_days(recipient_user):
    agreement = _latest_agreement_of(recipient_user)
    _quiet_everything_else(agreement)
    _expiring_in(agreement, 400)
    Agreement.objects.filter(pk=agreement.pk).update(
        signed_on=ON - timedelta(days=30), filed_county_on=None
    )
    reminders_send(on=ON)
    [reminder] = Notification.objects.filter(
        kind=AGREEMENT_UNFILED, recipient=recipient_user, object_id=str(agreement.pk)
    )
    assert "县卫健局" in reminder.body
    assert reminder.link == f"/partnerships/{agreement.partnership_id}/"


def test_users_acting_on_an_agreement_are_its_hospitals_and_county_office(
    recipient_user, county_officer, helper_user, expert_user, observer_user
):
    parties = Parties(
        helper_id=helper_user.institution_id,
        recipient_id=recipient_user.institution_id,
        county_id=recipient_user.institution.county_id,
    )
    users = users_acting_on(kind=AGREEMENT_EXPIRING, parties=parties)
    assert {u.role for u in users} <= {Role.RECIPIENT, Role.HELPER, Role.COUNTY}
    assert recipient_user in users and helper_user in users
    assert (county_officer in users) is (county_officer.county_id == parties.county_id)
    assert expert_user not in users and observer_user not in users


def test_users_acting_on_each_is_users_acting_on_per_object_in_one_query(
    recipient_user, helper_user, django_assert_num_queries
):
    from bangfu.notifications.domain.kinds import STATEMENTS_PENDING
    from bangfu.notifications.selectors import users_acting_on_each

    agreement = Parties(
        helper_id=helper_user.institution_id,
        recipient_id=recipient_user.institution_id,
        county_id=recipient_user.institution.county_id,
    )
    other = Parties(helper_id=None, recipient_id=helper_user.institution_id, county_id=None)
    with django_assert_num_queries(1):
        each = users_acting_on_each(kind=AGREEMENT_EXPIRING, parties=[agreement, other, agreement])
    assert each == {
        agreement: users_acting_on(kind=AGREEMENT_EXPIRING, parties=agreement),
        other: users_acting_on(kind=AGREEMENT_EXPIRING, parties=other),
    }
    statements = users_acting_on_each(kind=STATEMENTS_PENDING, parties=[agreement])[agreement]
    assert recipient_user in statements and helper_user not in statements
    assert {u.role for u in statements} == {Role.RECIPIENT}


def test_the_command_reports_and_rerunning_creates_nothing(recipient_user):
    agreement = _latest_agreement_of(recipient_user)
    _quiet_everything_else(agreement)
    _expiring_in(agreement, 7)
    out = StringIO()
    call_command("send_reminders", "--date", ON.isoformat(), stdout=out)
    assert "应提醒 1 项" in out.getvalue()
    count = Notification.objects.count()
    out = StringIO()
    call_command("send_reminders", "--date", ON.isoformat(), stdout=out)
    assert "新发通知 0 条" in out.getvalue()
    assert Notification.objects.count() == count


def test_an_overdue_follow_up_task_reminds_its_owner_once(recipient_user):
    from bangfu.coordination.models import FollowUpTask

    task = FollowUpTask.objects.filter(
        owner_institution_id=recipient_user.institution_id, done_on__isnull=True
    ).first()
    assert task is not None
    Notification.objects.filter(kind="task_due", object_id=str(task.pk)).delete()  # the demo's
    on = task.due + timedelta(days=1)
    first = reminders_send(on=on)
    again = reminders_send(on=on + timedelta(days=1))
    assert first.sent >= 1
    reminders = Notification.objects.filter(
        kind="task_due", object_id=str(task.pk), recipient=recipient_user
    )
    assert list(reminders.values_list("milestone", flat=True)) == ["overdue"]
    assert reminders.get().link == "/coordination/tasks/?mine=1"
    assert again.due >= 1  # still overdue the next day, but not sent again


def test_every_app_with_reminder_rules_registers_its_source():
    from bangfu.notifications.reminder_sources import reminder_sources

    names = [name for name, _source in reminder_sources()]
    assert sorted(names) == [
        "coordination.tasks",
        "incentives.insurance",
        "incentives.statements",
        "partnerships.agreements",
    ]


def test_an_insurance_policy_ending_while_on_site_reminds_the_team_hospitals_once(recipient_user):
    from decimal import Decimal

    from bangfu.incentives.models import InsurancePolicy
    from bangfu.notifications.domain.kinds import INSURANCE_ENDING
    from bangfu.people.models import Deployment

    deployment = (
        Deployment.objects.filter(team__partnership__recipient_id=recipient_user.institution_id)
        .select_related("team__partnership", "expert")
        .first()
    )
    assert deployment is not None
    partnership = deployment.team.partnership
    Deployment.objects.filter(pk=deployment.pk).update(
        start=ON - timedelta(days=100), planned_end=ON + timedelta(days=200), actual_end=None
    )
    InsurancePolicy.objects.filter(end__gte=ON - timedelta(days=400)).delete()
    policy = InsurancePolicy.objects.create(
        expert=deployment.expert,
        insurer="测试保险",
        policy_number="T-0001",
        coverage=Decimal("1000000"),
        start=ON - timedelta(days=300),
        end=ON + timedelta(days=10),
    )
    reminders_send(on=ON)
    reminders = Notification.objects.filter(kind=INSURANCE_ENDING, object_id=str(policy.pk))
    sent = reminders.count()
    assert sent > 0
    reminders_send(on=ON + timedelta(days=1))
    assert reminders.count() == sent  # same milestone the next day: nothing new
    roles = set(reminders.values_list("recipient__role", flat=True))
    assert roles <= {Role.RECIPIENT, Role.HELPER}
    institutions = set(reminders.values_list("recipient__institution_id", flat=True))
    assert institutions <= {partnership.helper_id, partnership.recipient_id}
    assert reminders.filter(recipient=recipient_user).exists()
    assert {n.link for n in reminders} == {f"/people/experts/{deployment.expert_id}/"}

    # A second policy covering the day after the first ends: no reminder for the first.
    InsurancePolicy.objects.create(
        expert=deployment.expert,
        insurer="测试保险",
        policy_number="T-0002",
        coverage=Decimal("1000000"),
        start=ON + timedelta(days=11),
        end=ON + timedelta(days=400),
    )
    Notification.objects.filter(kind=INSURANCE_ENDING).delete()
    reminders_send(on=ON + timedelta(days=2))
    assert not Notification.objects.filter(kind=INSURANCE_ENDING, object_id=str(policy.pk))
