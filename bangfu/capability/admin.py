"""The stored §一 rows in the back office, to look at only: they are derived (ADR 0021), written
by `standings` and `assisted` alone; `refresh_standings` repairs them."""

from __future__ import annotations

from django.contrib import admin

from bangfu.capability.models import AssistedYear, StandardStanding
from bangfu.core.admin import ViewOnlyAdmin


@admin.register(StandardStanding)
class StandardStandingAdmin(ViewOnlyAdmin):
    """A hospital's standard result of a year, as `standard_result` judged it."""

    list_display = (
        "institution",
        "year",
        "meets",
        "shortfall",
        "entered",
        "institution_type",
        "catalogue_version",
    )
    list_filter = ("year", "meets")
    search_fields = ("institution__name",)
    list_select_related = ("institution",)


@admin.register(AssistedYear)
class AssistedYearAdmin(ViewOnlyAdmin):
    """A recipient assisted in a year (`assisted.assisted_q`)."""

    list_display = ("institution", "year")
    list_filter = ("year",)
    search_fields = ("institution__name",)
    list_select_related = ("institution",)
