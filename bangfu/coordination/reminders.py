"""The follow-up tasks' reminder (F11; 附件2 四(一)): due within 3 days, then once overdue.

Registered with notifications in `CoordinationConfig.ready()`; the rule is the pure table in
`notifications.domain.reminders`, the recipients the task's owners."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.urls import reverse

from bangfu.accounts.models import Role, User
from bangfu.coordination.models import FollowUpTask
from bangfu.notifications.domain.reminders import TASK_DUE_WITHIN_DAYS, task_reminders
from bangfu.notifications.reminder_sources import DueReminder


@dataclass(frozen=True)
class TaskCandidate:
    task: FollowUpTask
    recipients: list[User]
    label: str


def task_reminder_candidates(*, on: date) -> list[TaskCandidate]:
    """Follow-up tasks not done and due by `on` + the reminder window, with their owners: the
    owning user, or the hospital users of the owning institution."""
    tasks = list(
        FollowUpTask.objects.filter(
            done_on__isnull=True, due__lte=on + timedelta(days=TASK_DUE_WITHIN_DAYS)
        )
        .select_related("meeting", "owner_user")
        .order_by("pk")
    )
    institution_ids = {t.owner_institution_id for t in tasks if t.owner_institution_id}
    by_institution: dict[int, list[User]] = {}
    for user in User.objects.filter(
        institution_id__in=institution_ids,
        role__in=(Role.RECIPIENT, Role.HELPER),
        is_active=True,
    ).order_by("pk"):
        assert user.institution_id is not None
        by_institution.setdefault(user.institution_id, []).append(user)
    return [
        TaskCandidate(
            task=task,
            recipients=[task.owner_user]
            if task.owner_user is not None
            else by_institution.get(task.owner_institution_id or 0, []),
            label=f"{task.text[:80]}（{task.meeting.title}）",
        )
        for task in tasks
    ]


def task_reminders_due(*, on: date) -> Iterator[DueReminder]:
    """The reminder source for follow-up tasks, linking to the owner's to-do list."""
    link = reverse("coordination:task_list") + "?mine=1"
    for candidate in task_reminder_candidates(on=on):
        task = candidate.task
        for reminder in task_reminders(task.due, task.done_on, on):
            yield DueReminder(
                reminder=reminder,
                obj=task,
                recipients=candidate.recipients,
                link=link,
                label=candidate.label,
            )
