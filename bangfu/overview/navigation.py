"""The menu (a template context processor): each app's main page in menu order, by role.

It names every app's pages, so it lives in overview, the top app (ADR 0019)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from bangfu.accounts.models import Role, User

# Each capability's main page, in menu order; an entry appears once its URL exists.
NAV_EXTENSIONS: list[tuple[str, str]] = [
    ("partnerships:partnership_list", "帮扶关系"),
    ("partnerships:coverage", "覆盖与断档"),
    ("overview:county_map", "地图"),
    ("overview:report_page", "工作报告"),
    ("people:expert_list", "专家与帮扶队"),
    ("incentives:budget", "激励与预算"),
    ("matching:round_list", "结对匹配"),
    ("activities:activity_list", "帮扶活动"),
    ("assessments:board", "年度自查自评"),
    ("capability:summary", "能力达标"),
    ("coordination:meeting_list", "会商督导"),
]

# Matching (§三(二)): the offices that run rounds see the rounds (the needs page is one click
# away there); county offices and hospitals, who fill in needs and ranked choices, see those.
MATCHING_ENTRY_BY_ROLE: dict[str, tuple[str, str] | None] = {
    Role.COUNTY: ("matching:needs_list", "结对需求"),
    Role.RECIPIENT: ("matching:needs_list", "结对需求"),
    Role.HELPER: ("matching:needs_list", "结对需求"),
    Role.EXPERT: None,
}


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        ("home", "首页"),
        ("registry:prefecture_list", "市州"),
        ("registry:county_list", "县（市、区）"),
        ("registry:institution_list", "医疗机构"),
        *_entries_for_role(user.role),
    ]
    # 部门工作台 (§五): a department account's own; the province office opens any department's.
    if user.role == Role.PROVINCE or (user.role == Role.OBSERVER and user.department):
        items.append(("coordination:workspace", "部门工作台"))
    return {
        "nav_items": [(name, label) for name, label in items if _resolvable(name)],
        "role_label": Role(user.role).label if user.role in Role.values else "",
    }


def _entries_for_role(role: str) -> list[tuple[str, str]]:
    entries = []
    for name, label in NAV_EXTENSIONS:
        if name == "matching:round_list" and role in MATCHING_ENTRY_BY_ROLE:
            replacement = MATCHING_ENTRY_BY_ROLE[role]
            if replacement is not None:
                entries.append(replacement)
            continue
        entries.append((name, label))
    return entries


def _resolvable(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True
