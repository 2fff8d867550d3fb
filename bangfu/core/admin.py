from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.db import models, transaction
from django.forms import ModelForm
from django.http import HttpRequest

from bangfu.core.audit import audit_changes, audit_record, model_snapshot
from bangfu.core.models import AuditEntry, DerivedRowsStamp


def _concrete_fields(obj: models.Model) -> list[str]:
    return [
        f.name
        for f in obj._meta.concrete_fields
        if f.name not in ("password", "updated_at", "last_login")
    ]


class UnlinkedAdminFileWidget(AdminFileWidget):
    """The stored file's name without a link: uploads have no public /media/ URL (bangfu.urls);
    they are opened from the app's page, through its scoped download view."""

    template_name = "core/widgets/unlinked_file_input.html"


class AuditedModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Back-office edits of master data write the same audit rows as the services do.

    A model whose audit rows mask some values (an expert's pay, ADR 0004) overrides
    `audit_snapshot` with the service's masked snapshot and `audit_hidden_changes` to name the
    masked fields that changed (masked values never compare as changed)."""

    formfield_overrides = {models.FileField: {"widget": UnlinkedAdminFileWidget}}

    def audit_snapshot(self, obj: Any) -> dict[str, object]:
        return model_snapshot(obj, _concrete_fields(obj))

    def audit_hidden_changes(self, previous: Any, obj: Any) -> dict[str, object]:
        return {}

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        with transaction.atomic():
            previous = type(obj).objects.get(pk=obj.pk) if change else None
            super().save_model(request, obj, form, change)
            after = self.audit_snapshot(obj)
            before = None
            if previous is not None:
                snapshot = self.audit_snapshot(previous)
                after = audit_changes(snapshot, after) | self.audit_hidden_changes(previous, obj)
                before = {k: snapshot[k] for k in after}
            audit_record(
                actor=request.user,  # type: ignore[arg-type]
                action="update" if change else "create",
                obj=obj,
                before=before,
                after=after,
                note="后台管理",
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(
                actor=request.user,  # type: ignore[arg-type]
                action="delete",
                obj=obj,
                before=self.audit_snapshot(obj),
                note="后台管理",
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


class ViewOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Rows the admin may look at and never add, change or delete (every field read-only)."""

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ViewOnlyAdmin):
    list_display = ("created_at", "actor_label", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor_label", "object_id")


@admin.register(DerivedRowsStamp)
class DerivedRowsStampAdmin(ViewOnlyAdmin):
    """Written only by the full rebuilds (`refresh_*`, `core.derived_rows`): shown read-only."""

    list_display = ("name", "refreshed_at", "fingerprint")


class ReadOnlyAuditedAdmin(AuditedModelAdmin):
    """Viewable, never added, changed or deleted here: records whose rules live in services
    (matching rounds, frozen payments, dated recognitions)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
