"""Services' one way of refusing a write: every problem found, keyed by the field it is about."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from django.core.exceptions import ValidationError


class FieldIssue(Protocol):
    """A domain finding about one field (e.g. `matching.domain.rounds.RoundIssue`)."""

    @property
    def field(self) -> str: ...

    @property
    def message(self) -> str: ...


def raise_if_any(issues: Iterable[FieldIssue | tuple[str, str]]) -> None:
    """Raise `ValidationError({field: [message, …]})` when there is at least one issue.

    Issues are `(field, message)` pairs or objects with `field` and `message`; a message repeated
    for the same field is kept once. Forms show each message next to its field and the API
    returns them as a 422 naming the field, so the domain's order of findings is preserved.
    """
    errors: dict[str, list[str]] = {}
    for issue in issues:
        where, message = issue if isinstance(issue, tuple) else (issue.field, issue.message)
        known = errors.setdefault(where, [])
        if message not in known:
            known.append(message)
    if errors:
        raise ValidationError(errors)
