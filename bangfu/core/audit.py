"""The audit trail: every service write records one row (F12).

Services call `audit_record` inside their transaction, so the row commits or rolls
back together with the change it describes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.db.models.fields.files import FieldFile

from bangfu.core.models import AuditEntry


def audit_object_type(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def _jsonable(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def model_snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, object]:
    """The values of `fields` on `obj`, as JSON-safe data (foreign keys as ids)."""
    snapshot: dict[str, object] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        snapshot[name] = _jsonable(getattr(obj, attname))
    return snapshot


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    obj: models.Model,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor_id=actor.pk if actor is not None else None,
        actor_label=actor.get_username() if actor is not None else "系统",
        action=action,
        object_type=audit_object_type(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        before=_jsonable(dict(before)) if before is not None else None,
        after=_jsonable(dict(after)) if after is not None else None,
        note=note[:500],
    )


def audit_changes(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, object]:
    """Only the keys whose value changed (for compact before/after rows)."""
    return {k: after[k] for k in after if before.get(k) != after[k]}


def save_changes_audited(
    *,
    actor: AbstractBaseUser | None,
    obj: models.Model,
    fields: Sequence[str],
    before: Mapping[str, object],
    note: str = "",
) -> dict[str, object]:
    """Save the `fields` of `obj` that differ from `before` (its `model_snapshot` taken before
    the change) and record one "update" row with just those; nothing at all when none differ.
    A model's `updated_at` is saved along. Returns the changed values."""
    after = model_snapshot(obj, fields)
    changed = audit_changes(before, after)
    if not changed:
        return changed
    extra = ["updated_at"] if any(f.name == "updated_at" for f in obj._meta.fields) else []
    obj.save(update_fields=[*changed, *extra])
    audit_record(
        actor=actor,
        action="update",
        obj=obj,
        before={k: before[k] for k in changed},
        after=changed,
        note=note,
    )
    return changed
