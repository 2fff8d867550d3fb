"""The registry of reminder sources (F11; ADR 0014, ADR 0019).

notifications sits below the apps whose objects it reminds about (agreements, insurance policies,
follow-up tasks), so it never reads their models. Each app that owns reminder rules registers a
source in its `AppConfig.ready()`; `services.reminders_send` asks every registered source for
the reminders due on a day and sends them. A source reads its own rows, applies the pure rules
(`notifications.domain.reminders`) and names the recipients: the users acting on the parties an
object concerns (`selectors.users_acting_on`) or the object's own owners.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from django.db import models

from bangfu.accounts.models import User
from bangfu.notifications.domain.reminders import Reminder


@dataclass(frozen=True)
class DueReminder:
    """One reminder due on a day for one object: what the rule says, who receives it, where the
    link goes and how the object is named."""

    reminder: Reminder
    obj: models.Model
    recipients: list[User]
    link: str
    label: str


class ReminderSource(Protocol):
    def __call__(self, *, on: date) -> Iterable[DueReminder]: ...


_SOURCES: dict[str, ReminderSource] = {}


def reminder_source_register(name: str, source: ReminderSource) -> None:
    """Register (or replace) the source called `name`; `ready()` may run more than once."""
    _SOURCES[name] = source


def reminder_sources() -> list[tuple[str, ReminderSource]]:
    """The registered sources, in registration order (INSTALLED_APPS order)."""
    return list(_SOURCES.items())
