"""Demo activities: a realistic year of help for the demo partnerships (F8).

For every partnership with a signed agreement, activities from 1 January of this year (or the
agreement's start) to today: teaching rounds, remote rounds and consultations across departments,
lectures, rules, a specialty, centres. Partnerships follow one of three profiles so the progress
pages show every status: "met" (targets reached), "on track" and "behind". Records older than
three weeks are mostly confirmed by the other side; the latest stay unconfirmed. The 番禺 → 威宁
pair (the demo personas) is "behind" on rules with some unconfirmed records, so confirming moves
its progress. Every record is validated by the domain rules and flagged ``is_demo``.

Written in bulk (``activities_bulk_write``: one audit row per partnership) so loading stays fast.
Deterministic for a given day; running it twice changes nothing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.activities.domain.records import ActivityDraft, Side, activity_problems
from bangfu.activities.models import Activity
from bangfu.activities.selectors import activity_catalogue, signed_periods
from bangfu.activities.services import activities_bulk_write
from bangfu.partnerships.models import Partnership

SEED = 11
MAIN_HELPER = "广州市番禺区中心医院"
MAIN_RECIPIENT = "威宁彝族回族苗族自治县人民医院"
DEPARTMENTS = (
    "心血管内科",
    "呼吸内科",
    "消化内科",
    "神经内科",
    "普外科",
    "骨科",
    "妇产科",
    "儿科",
    "急诊科",
    "重症医学科",
    "麻醉科",
    "影像科",
    "检验科",
    "眼科",
)
CENTRES = ("胸痛中心", "卒中中心", "创伤中心", "危重孕产妇救治中心", "危重儿童和新生儿救治中心")
CONFIRM_AFTER_DAYS = 21


def _users() -> dict[str, User | None]:
    return {
        name: User.objects.filter(username=name).first()
        for name in ("demo_expert", "demo_recipient", "demo_helper", "demo_province")
    }


def activities_demo_load(*, actor: User | None, today: date) -> int:
    """Create the demo activities once; returns how many were created."""
    if Activity.objects.filter(is_demo=True).exists():
        return 0
    catalogue = activity_catalogue()
    users = _users()
    rng = random.Random(SEED)
    creates: list[Activity] = []
    partnerships = (
        Partnership.objects.filter(is_demo=True)
        .select_related("helper", "recipient")
        .prefetch_related("agreements")
        .order_by("pk")
    )
    profiles = ("met", "on_track", "behind")
    for index, partnership in enumerate(partnerships):
        periods = signed_periods(partnership.agreements.all())
        main = (
            partnership.helper.name == MAIN_HELPER and partnership.recipient.name == MAIN_RECIPIENT
        )
        profile = "behind" if main else profiles[index % len(profiles)]
        plan = _plan(rng, profile, date(today.year, 1, 1), today)
        for day, kind, quantities, attributes, department, title in plan:
            draft = ActivityDraft(kind=kind, day=day, quantities=quantities, attributes=attributes)
            if activity_problems(draft, catalogue, today=today, signed_periods=periods):
                continue  # outside the agreement's signed period
            helper_side = rng.random() < 0.7
            confirmed = (today - day).days > CONFIRM_AFTER_DAYS and (
                rng.random() < 0.9 or (kind == "rules" and profile == "met")
            )
            if main and kind == "rules" and day.month >= 9:
                confirmed = False  # pending rules: confirming them moves 威宁's progress
            recorder = users["demo_expert"] if helper_side and main else None
            if not helper_side and main:
                recorder = users["demo_recipient"]
            confirmer = users["demo_province"]
            if main:
                confirmer = users["demo_recipient"] if helper_side else users["demo_helper"]
            creates.append(
                Activity(
                    partnership=partnership,
                    date=day,
                    kind=kind,
                    quantities=quantities,
                    attributes=attributes,
                    department=department,
                    title=title,
                    note="演示数据",
                    recorded_by=recorder,
                    recorded_side=(Side.HELPER if helper_side else Side.RECIPIENT).value,
                    confirmed_by=confirmer if confirmed else None,
                    confirmed_at=_moment(day + timedelta(days=3)) if confirmed else None,
                    is_demo=True,
                )
            )
    activities_bulk_write(actor=actor, creates=creates, note="演示数据：帮扶活动")
    return len(creates)


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


Plan = list[tuple[date, str, dict[str, int], dict[str, str], str, str]]


def _plan(rng: random.Random, profile: str, first: date, today: date) -> Plan:
    """Activities of one partnership from ``first`` to ``today`` for a profile."""
    plan: Plan = []
    month = first
    rules_total = {"met": 12, "on_track": 10, "behind": 6}[profile]
    rule_months = [m for m in (2, 5, 8, 11) if first.month <= m <= today.month] or [today.month]
    rule_share = -(-rules_total // len(rule_months))  # ceiling: the profile's total by today
    while month <= today:
        last_day = min(
            today, (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        )

        def day_in(month_start: date = month, month_end: date = last_day) -> date:
            return month_start + timedelta(days=rng.randrange((month_end - month_start).days + 1))

        plan.append(
            (
                day_in(),
                "teaching_round",
                {"sessions": rng.randint(2, 6), "patients": rng.randint(10, 60)},
                {},
                rng.choice(DEPARTMENTS),
                "病区教学查房",
            )
        )
        for _ in range(2 if profile != "behind" else 1):
            department = rng.choice(DEPARTMENTS)
            plan.append(
                (
                    day_in(),
                    rng.choice(("remote_round", "remote_consultation")),
                    {"sessions": rng.randint(1, 4), "patients": rng.randint(2, 20)},
                    {},
                    department,
                    f"{department}远程协作",
                )
            )
        if rng.random() < 0.6:
            plan.append(
                (
                    day_in(),
                    "lecture",
                    {"sessions": 1, "attendees": rng.randint(20, 120)},
                    {},
                    "",
                    "专题业务讲座",
                )
            )
        if month.month in rule_months:
            plan.append((day_in(), "rules", {"documents": rule_share}, {}, "", "制度规范修订"))
        if month.month == 5 and profile != "behind":
            plan.append(
                (
                    day_in(),
                    "specialty_building",
                    {"specialties": 1},
                    {"specialty": "心血管内科", "level": "市级重点专科"},
                    "心血管内科",
                    "重点专科建设",
                )
            )
        if month.month in (4, 10) and profile == "met":
            for centre in rng.sample(CENTRES, 2):
                plan.append(
                    (
                        day_in(),
                        "centre_building",
                        {"centres": 1},
                        {"centre": centre, "stage": "通过省级"},
                        "急诊科",
                        f"{centre}通过省级评审",
                    )
                )
        if month.month == 6:
            plan.append(
                (
                    day_in(),
                    "free_clinic",
                    {"people_served": rng.randint(80, 300)},
                    {},
                    "",
                    "乡镇义诊",
                )
            )
        month = last_day + timedelta(days=1)
    return plan
