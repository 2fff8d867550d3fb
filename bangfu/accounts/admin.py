from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from bangfu.accounts.models import ApiToken, User
from bangfu.core.admin import AuditedModelAdmin


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):  # type: ignore[type-arg]
    list_display = (
        "username",
        "display_name",
        "role",
        "prefecture",
        "county",
        "institution",
        "is_active",
    )
    list_filter = ("role", "is_active", "prefecture")
    search_fields = ("username", "display_name")
    autocomplete_fields = ("prefecture", "county", "institution")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (
            "角色与范围",
            {
                "fields": (
                    "display_name",
                    "role",
                    "prefecture",
                    "county",
                    "institution",
                    "department",
                )
            },
        ),
    )
    add_fieldsets = (
        *(DjangoUserAdmin.add_fieldsets or ()),
        (
            "角色与范围",
            {
                "fields": (
                    "display_name",
                    "role",
                    "prefecture",
                    "county",
                    "institution",
                    "department",
                )
            },
        ),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    list_display = ("user", "prefix", "created_at", "last_used_at", "expires_at", "revoked")
    list_filter = ("revoked",)
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at", "expires_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Tokens are issued through POST /api/v1/auth/token only (the key is shown once)."""
        return False
