from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from bangfu.accounts.models import Role, User

# Each capability's main page, in menu order; an entry appears once its URL exists.
NAV_EXTENSIONS: list[tuple[str, str]] = [
    ("partnerships:partnership_list", "帮扶关系"),
    ("partnerships:coverage", "覆盖与断档"),
    ("people:expert_list", "专家与帮扶队"),
    ("incentives:budget", "激励与预算"),
    ("matching:round_list", "结对匹配"),
    ("matching:needs_list", "受扶医院需求"),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        ("core:home", "首页"),
        ("registry:prefecture_list", "市州"),
        ("registry:county_list", "县（市、区）"),
        ("registry:institution_list", "医疗机构"),
        *NAV_EXTENSIONS,
    ]
    return {
        "nav_items": [(name, label) for name, label in items if _resolvable(name)],
        "role_label": Role(user.role).label if user.role in Role.values else "",
    }


def _resolvable(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True
