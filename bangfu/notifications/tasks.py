"""The background task that sends one notification's e-mail (settings.TASKS backend)."""

from __future__ import annotations

from django_tasks import task


@task()
def notification_email(*, notification_id: int, attempt: int) -> None:
    from bangfu.notifications.services import notification_email_deliver

    notification_email_deliver(notification_id=notification_id, attempt=attempt)
