"""The inbox, marking read, e-mail preferences and e-mail delivery through the task backend."""

from __future__ import annotations

from smtplib import SMTPException

import pytest
from django.core import mail
from django.urls import reverse

from bangfu.core.models import AuditEntry
from bangfu.notifications.domain.kinds import (
    EMAIL_MAX_ATTEMPTS,
    GENERAL,
    TASK_ASSIGNED,
    email_wanted,
)
from bangfu.notifications.models import Notification
from bangfu.notifications.selectors import email_choices_for_user
from bangfu.notifications.services import (
    Message,
    email_preferences_set,
    notification_email_deliver,
    notification_send,
)

pytestmark = pytest.mark.django_db


def _send(users, kind=GENERAL, title="请参加会商", milestone="", obj=None):
    return notification_send(
        actor=None,
        recipients=users,
        message=Message(kind=kind, title=title, link="/jobs/", milestone=milestone),
        obj=obj,
    )


@pytest.mark.parametrize(
    ("kind", "choices", "wanted"),
    [
        (GENERAL, {}, True),
        (GENERAL, {GENERAL: False}, False),
        (GENERAL, {TASK_ASSIGNED: False}, True),
        (TASK_ASSIGNED, {TASK_ASSIGNED: True}, True),
    ],
)
def test_email_is_wanted_by_the_users_choice_or_the_default(kind, choices, wanted):
    assert email_wanted(kind, choices) is wanted


def test_sending_fills_the_inbox_writes_an_audit_row_and_emails_after_commit(
    recipient_user, django_capture_on_commit_callbacks
):
    recipient_user.email = "recipient@example.org"
    recipient_user.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = _send([recipient_user])
    assert notification.recipient == recipient_user
    assert AuditEntry.objects.filter(
        action="notification_send", object_id=str(notification.pk)
    ).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["recipient@example.org"]
    assert "请参加会商" in mail.outbox[0].subject
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_no_email_is_enqueued_before_the_transaction_commits(
    recipient_user, django_capture_on_commit_callbacks
):
    recipient_user.email = "recipient@example.org"
    recipient_user.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _send([recipient_user])
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_a_kind_turned_off_is_not_emailed_but_still_in_the_inbox(
    recipient_user, django_capture_on_commit_callbacks
):
    recipient_user.email = "recipient@example.org"
    recipient_user.save(update_fields=["email"])
    email_preferences_set(actor=recipient_user, choices={GENERAL: False})
    with django_capture_on_commit_callbacks(execute=True):
        _send([recipient_user])
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=recipient_user, kind=GENERAL).exists()


def test_a_failed_email_is_retried_until_the_bound_and_never_raises(
    recipient_user, settings, monkeypatch
):
    recipient_user.email = "recipient@example.org"
    recipient_user.save(update_fields=["email"])
    [notification] = _send([recipient_user])
    calls = []

    def failing_send(**kwargs):
        calls.append(kwargs)
        raise SMTPException("mail server down")

    monkeypatch.setattr("bangfu.notifications.services.send_mail", failing_send)
    assert notification_email_deliver(notification_id=notification.pk, attempt=1) is False
    assert len(calls) == EMAIL_MAX_ATTEMPTS  # the immediate backend ran each retry
    notification.refresh_from_db()
    assert notification.email_attempts == EMAIL_MAX_ATTEMPTS
    assert "mail server down" in notification.email_error
    assert notification.emailed_at is None


def test_a_sent_email_is_not_sent_twice(recipient_user):
    recipient_user.email = "recipient@example.org"
    recipient_user.save(update_fields=["email"])
    [notification] = _send([recipient_user])
    assert notification_email_deliver(notification_id=notification.pk, attempt=1) is True
    assert notification_email_deliver(notification_id=notification.pk, attempt=1) is False
    assert len(mail.outbox) == 1


def test_a_reminder_milestone_reaches_each_recipient_once(recipient_user, county_officer):
    first = _send([recipient_user], milestone="expiring_30", obj=county_officer)
    again = _send([recipient_user, county_officer], milestone="expiring_30", obj=county_officer)
    assert len(first) == 1
    assert [n.recipient for n in again] == [county_officer]


def test_inactive_users_are_not_notified(outsider):
    assert _send([outsider]) == []


def test_the_menu_shows_the_unread_count_and_the_inbox_marks_read(client, recipient_user):
    Notification.objects.filter(recipient=recipient_user).delete()  # the demo's own
    first = _send([recipient_user])[0]
    _send([recipient_user])
    client.force_login(recipient_user)
    page = client.get(reverse("notifications:inbox"))
    assert page.context["unread_notifications"] == 2
    assert 'data-testid="unread-count">2<' in page.content.decode()

    response = client.post(reverse("notifications:notification_read", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/jobs/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert client.get(reverse("notifications:inbox")).context["unread_notifications"] == 1

    client.post(reverse("notifications:notification_read_all"))
    page = client.get(reverse("notifications:inbox"))
    assert page.context["unread_notifications"] == 0
    assert 'data-testid="unread-count"' not in page.content.decode()


def test_nobody_marks_another_users_notification(client, recipient_user, helper_user):
    [notification] = _send([recipient_user])
    client.force_login(helper_user)
    response = client.post(reverse("notifications:notification_read", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_email_preferences_page_stores_the_choices(client, recipient_user):
    client.force_login(recipient_user)
    response = client.post(reverse("notifications:email_preferences"), {TASK_ASSIGNED: "on"})
    assert response.status_code == 302
    page = client.get(reverse("notifications:email_preferences"))
    assert page.context["form"][GENERAL].initial is False
    choices = email_choices_for_user(user=recipient_user)
    assert choices[TASK_ASSIGNED] is True
    assert choices[GENERAL] is False
    assert AuditEntry.objects.filter(action="email_preferences_set", actor=recipient_user).exists()


def test_api_lists_own_notifications_only_and_filters_unread(
    api_client, recipient_user, helper_user
):
    Notification.objects.filter(recipient=recipient_user).delete()  # the demo's own
    read, unread = _send([recipient_user], title="已读的"), _send([recipient_user], title="未读的")
    _send([helper_user], title="别人的")
    api_client.login(recipient_user)
    api_client.post(f"/api/v1/notifications/{read[0].pk}/read", {})
    body = api_client.get("/api/v1/notifications", unread=1).json()
    assert body["count"] == 1
    assert [item["title"] for item in body["items"]] == ["未读的"]
    assert body["items"][0]["id"] == unread[0].pk
    everything = api_client.get("/api/v1/notifications").json()
    assert {item["title"] for item in everything["items"]} == {"已读的", "未读的"}


def test_api_marks_read_own_and_404s_anothers(api_client, recipient_user, helper_user):
    [mine] = _send([recipient_user])
    [theirs] = _send([helper_user])
    api_client.login(recipient_user)
    response = api_client.post(f"/api/v1/notifications/{mine.pk}/read", {})
    assert response.status_code == 200 and response.json()["read"] is True
    assert api_client.post(f"/api/v1/notifications/{theirs.pk}/read", {}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
