from __future__ import annotations

from django.http import HttpRequest

from bangfu.accounts.models import Role, User


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        ("core:home", "首页"),
        ("registry:prefecture_list", "市州"),
        ("registry:county_list", "县（市、区）"),
        ("registry:institution_list", "医疗机构"),
    ]
    return {
        "nav_items": items,
        "role_label": Role(user.role).label if user.role in Role.values else "",
    }
