"""Writes to the inbox: sending, reading, e-mail preferences and e-mail delivery (F11).

`notification_send` is the one way any app notifies people. The in-app row is written in the
caller's transaction; the e-mail is a background task enqueued in `transaction.on_commit`, so a
slow or failing mail server never blocks or fails the request that caused it. A failed send is
re-enqueued (django-tasks does not retry) until `EMAIL_MAX_ATTEMPTS`; the task is
`notification_email` below."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django_tasks import task

from bangfu.accounts.models import User
from bangfu.core.audit import audit_object_type, audit_record
from bangfu.notifications.domain.kinds import EMAIL_MAX_ATTEMPTS, KIND_LABELS, email_wanted
from bangfu.notifications.models import EmailPreference, Notification
from bangfu.notifications.reminder_sources import reminder_sources

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """What a notification says and which object it concerns."""

    kind: str
    title: str
    body: str = ""
    link: str = ""
    object_label: str = ""
    milestone: str = ""


def institution_users(institution_ids: Iterable[int]) -> list[User]:
    """The active accounts of these hospitals (their own users), who hear about their records."""
    return list(User.objects.filter(institution_id__in=list(institution_ids), is_active=True))


@transaction.atomic
def notification_send(
    *,
    actor: User | None,
    recipients: Iterable[User],
    message: Message,
    obj: models.Model | None = None,
) -> list[Notification]:
    """Put `message` in each recipient's inbox (inactive users skipped, each user once) and
    e-mail those who want this kind by e-mail, after commit. A reminder (`milestone` set) that a
    recipient already has for this object is not sent again. Returns the rows created."""
    if message.kind not in KIND_LABELS:
        raise ValidationError({"kind": "未知的通知类型"})
    object_type = audit_object_type(obj) if obj is not None else ""
    object_id = str(obj.pk) if obj is not None else ""
    users = {user.pk: user for user in recipients if user.is_active}
    if message.milestone:
        already = set(
            Notification.objects.filter(
                recipient_id__in=users,
                kind=message.kind,
                object_type=object_type,
                object_id=object_id,
                milestone=message.milestone,
            ).values_list("recipient_id", flat=True)
        )
        users = {pk: user for pk, user in users.items() if pk not in already}
    created: list[Notification] = []
    for user in sorted(users.values(), key=lambda u: u.pk):
        notification = Notification(
            recipient=user,
            kind=message.kind,
            title=message.title[:200],
            body=message.body,
            link=message.link[:300],
            object_type=object_type,
            object_id=object_id,
            object_label=message.object_label[:200],
            milestone=message.milestone[:40],
        )
        try:
            with transaction.atomic():
                notification.save()
        except IntegrityError:
            continue  # a concurrent run sent this reminder first
        audit_record(
            actor=actor,
            action="notification_send",
            obj=notification,
            after={"recipient": user.pk, "kind": message.kind, "milestone": message.milestone},
        )
        created.append(notification)
    _email_after_commit(created)
    return created


def _email_after_commit(notifications: list[Notification]) -> None:
    users = {n.recipient_id for n in notifications}
    chosen: dict[int, dict[str, bool]] = {pk: {} for pk in users}
    for user_id, kind, by_email in EmailPreference.objects.filter(user_id__in=users).values_list(
        "user_id", "kind", "by_email"
    ):
        chosen[user_id][kind] = by_email
    ids = [
        n.pk
        for n in notifications
        if n.recipient.email and email_wanted(n.kind, chosen[n.recipient_id])
    ]
    if not ids:
        return

    def enqueue() -> None:
        for notification_id in ids:
            notification_email.enqueue(notification_id=notification_id, attempt=1)

    transaction.on_commit(enqueue)


@task()
def notification_email(*, notification_id: int, attempt: int) -> None:
    """The background task (settings.TASKS) that sends one notification's e-mail. It lives with
    the service that enqueues it and that it runs, so neither imports the other lazily."""
    notification_email_deliver(notification_id=notification_id, attempt=attempt)


def notification_email_deliver(*, notification_id: int, attempt: int) -> bool:
    """Send one notification's e-mail (the worker's side). On failure the error is kept and the
    send is enqueued again until `EMAIL_MAX_ATTEMPTS`; an e-mail already sent is not sent twice.
    Returns whether it was sent."""
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None or notification.emailed_at is not None:
        return False
    link = f"{settings.SITE_URL.rstrip('/')}{notification.link}" if notification.link else ""
    text = "\n\n".join(part for part in (notification.body, link) if part)
    try:
        send_mail(
            subject=f"【帮扶协作管理平台】{notification.title}",
            message=text or notification.title,
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
    except Exception as exc:  # the mail server's failure: kept, retried, never raised
        logger.warning("e-mail for notification %s failed (attempt %s)", notification_id, attempt)
        Notification.objects.filter(pk=notification_id).update(
            email_attempts=attempt, email_error=(str(exc) or type(exc).__name__)[:500]
        )
        if attempt < EMAIL_MAX_ATTEMPTS:
            notification_email.enqueue(notification_id=notification_id, attempt=attempt + 1)
        return False
    Notification.objects.filter(pk=notification_id).update(
        emailed_at=timezone.now(), email_attempts=attempt, email_error=""
    )
    return True


@transaction.atomic
def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (already read: nothing changes)."""
    if notification.recipient_id != actor.pk:
        raise ValidationError("只能标记自己的通知")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        audit_record(actor=actor, action="notification_read", obj=notification)
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor: User) -> int:
    """Mark all of the actor's unread notifications read; one audit row on the user."""
    count = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        audit_record(actor=actor, action="notification_read_all", obj=actor, after={"count": count})
    return count


@transaction.atomic
def email_preferences_set(*, actor: User, choices: dict[str, bool]) -> dict[str, bool]:
    """Store the actor's e-mail choice for each kind given; returns the ones that changed."""
    unknown = sorted(set(choices) - set(KIND_LABELS))
    if unknown:
        raise ValidationError({"kind": f"未知的通知类型：{'、'.join(unknown)}"})
    current = dict(EmailPreference.objects.filter(user=actor).values_list("kind", "by_email"))
    changed = {
        kind: wanted for kind, wanted in choices.items() if email_wanted(kind, current) != wanted
    }
    for kind, wanted in changed.items():
        EmailPreference.objects.update_or_create(
            user=actor, kind=kind, defaults={"by_email": wanted}
        )
    if changed:
        audit_record(
            actor=actor, action="email_preferences_set", obj=actor, after={"by_email": changed}
        )
    return changed


@dataclass(frozen=True)
class ReminderRun:
    on: date
    due: int  # reminders the rules gave (objects × milestones)
    sent: int  # notifications created (new recipients only)


def reminders_send(*, on: date) -> ReminderRun:
    """The day's reminders (`bangfu send_reminders`): every registered reminder source
    (`reminder_sources`: agreements, insurance policies, follow-up tasks) gives the reminders its
    rules make due on `on`, each sent to its recipients. Each object, milestone and recipient is
    sent once, so re-running the same day sends nothing new. Each object's reminders commit on
    their own: one refused object does not hold back the rest."""
    due = sent = 0
    for _name, source in reminder_sources():
        for item in source(on=on):
            due += 1
            message = Message(
                kind=item.reminder.kind,
                title=f"{KIND_LABELS[item.reminder.kind]}：{item.label}",
                body=item.reminder.reason,
                link=item.link,
                object_label=item.label,
                milestone=item.reminder.milestone,
            )
            sent += len(
                notification_send(
                    actor=None, recipients=item.recipients, message=message, obj=item.obj
                )
            )
    return ReminderRun(on=on, due=due, sent=sent)
