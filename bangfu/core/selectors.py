"""Reads of the audit trail. An object's history is shown to whoever may see the object."""

from __future__ import annotations

from django.db import models
from django.db.models import QuerySet

from bangfu.core.audit import audit_object_type
from bangfu.core.models import AuditEntry


def audit_list_for_object(*, obj: models.Model, limit: int = 50) -> QuerySet[AuditEntry]:
    """The history of `obj`, newest first. Callers fetch `obj` through a scoped selector first."""
    return AuditEntry.objects.filter(object_type=audit_object_type(obj), object_id=str(obj.pk))[
        :limit
    ]
