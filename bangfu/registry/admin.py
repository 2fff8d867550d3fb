from django.contrib import admin

from bangfu.core.admin import AuditedModelAdmin
from bangfu.registry.models import County, Department, Institution, Prefecture, Specialty


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
