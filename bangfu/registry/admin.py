from django.contrib import admin
from django.db import transaction
from django.forms import ModelForm
from django.http import HttpRequest

from bangfu.core.admin import AuditedModelAdmin
from bangfu.core.audit import model_snapshot
from bangfu.registry.models import County, Department, Institution, Prefecture, Specialty
from bangfu.registry.services import SIGNALLED_FIELDS
from bangfu.registry.signals import institution_changed


@admin.register(Prefecture)
class PrefectureAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "short_name")
    search_fields = ("code", "name")


@admin.register(County)
class CountyAdmin(AuditedModelAdmin):
    list_display = (
        "code",
        "name",
        "prefecture",
        "kind",
        "national_key_county",
        "programme_group",
        "programme_group_verified",
    )
    list_filter = (
        "prefecture",
        "kind",
        "national_key_county",
        "programme_group",
        "programme_group_verified",
    )
    search_fields = ("code", "name", "short_name")
    list_select_related = ("prefecture",)


@admin.register(Specialty)
class SpecialtyAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "provenance")
    search_fields = ("code", "name")


class DepartmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Department
    extra = 0
    autocomplete_fields = ("specialty",)


@admin.register(Institution)
class InstitutionAdmin(AuditedModelAdmin):
    list_display = (
        "name",
        "category",
        "institution_type",
        "province",
        "city",
        "county",
        "grade",
        "is_demo",
    )
    list_filter = ("category", "institution_type", "province", "is_demo")
    search_fields = ("name", "city")
    list_select_related = ("county",)
    autocomplete_fields = ("county", "prefecture", "strong_specialties")
    inlines = [DepartmentInline]

    def save_model(
        self,
        request: HttpRequest,
        obj: Institution,
        form: ModelForm,  # type: ignore[type-arg]
        change: bool,
    ) -> None:
        with transaction.atomic():
            previous = Institution.objects.get(pk=obj.pk) if change else None
            super().save_model(request, obj, form, change)
            if previous is None:
                return
            # Tell the apps above, as `services.institution_update` does, so that what they keep
            # about the institution follows an edit made here (e.g. the partnerships' sort key
            # after a rename, ADR 0024).
            before = model_snapshot(previous, SIGNALLED_FIELDS)
            after = model_snapshot(obj, SIGNALLED_FIELDS)
            changed = frozenset(f for f in SIGNALLED_FIELDS if after[f] != before[f])
            if changed:
                institution_changed.send(sender=Institution, institution=obj, changed=changed)
