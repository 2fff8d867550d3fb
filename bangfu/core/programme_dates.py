"""Services' one call for refusing implausible programme dates (rule in `policy.domain.dates`)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError

from bangfu.policy.domain.dates import programme_date_issues


def programme_dates_validate(**dates: date | None) -> None:
    """Raise `ValidationError({field: [message]})` for every date outside 2000-01-01–2100-12-31.

    Call it first in a service that takes dates, before any arithmetic on them: forms show the
    message next to the field of that name, the API returns it as a 422 naming the field.
    """
    issues = programme_date_issues(**dates)
    if issues:
        raise ValidationError({name: [message] for name, message in issues})
