"""Today in the programme's time zone (Asia/Shanghai): the one `today_local` every app uses."""

from __future__ import annotations

from datetime import date

from django.utils import timezone


def today_local() -> date:
    return timezone.localdate()
