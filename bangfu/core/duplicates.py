"""Refusing duplicates that the database, not a prior lookup, detects.

A service checks for a duplicate before it writes, but two identical requests arriving together
both pass that check; the unique constraint then refuses the second insert. `refusing_duplicates`
turns that refusal into a `DuplicateError` with the same Chinese message the check gives, so the
caller sees one clear refusal (the API answers 409) instead of a server error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

# SQLSTATE 23505 unique_violation (PostgreSQL); SQLite names no code, only its message.
_UNIQUE_VIOLATION = "23505"
_SQLITE_UNIQUE = "UNIQUE constraint failed"


class DuplicateError(ValidationError):
    """The record already exists (a unique rule refused it): the API answers 409."""


def is_unique_violation(exc: IntegrityError) -> bool:
    """Whether `exc` is a unique constraint refusing a row (not a check or foreign key)."""
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) == _UNIQUE_VIOLATION:
        return True
    return _SQLITE_UNIQUE in str(exc)


@contextmanager
def refusing_duplicates(field: str, message: str) -> Iterator[None]:
    """Run the block in a savepoint; a unique violation inside it raises
    `DuplicateError({field: [message]})`. Other integrity errors propagate unchanged."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        raise DuplicateError({field: [message]}) from exc
