from __future__ import annotations

from collections.abc import Iterable

from django import template

from bangfu.core.history import HistoryRow, history_rows
from bangfu.core.models import AuditEntry

register = template.Library()


@register.simple_tag
def readable_history(entries: Iterable[AuditEntry]) -> list[HistoryRow]:
    """`{% readable_history history as rows %}`: the audit rows as people read them."""
    return history_rows(entries)
