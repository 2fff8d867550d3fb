"""Deterministic demo data: institutions for every county, helper hospitals, one user per role.

Everything generated here is flagged `is_demo` and labelled 演示数据 in the UI. The reference
helper hospitals come from `registry/data/helper_hospitals_reference.csv` (public reports, a
seed for demos, not a registry); the others are invented and say so in their names.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from bangfu.accounts.models import Department, Role, User
from bangfu.accounts.services import user_create
from bangfu.core.audit import audit_record
from bangfu.overview.derived import derived_rows_refresh_all
from bangfu.registry.models import (
    County,
    Institution,
    InstitutionCategory,
    InstitutionType,
    Prefecture,
    Specialty,
)
from bangfu.registry.registry_files import read_csv_rows
from bangfu.registry.services import institution_add_departments, institution_create

DEMO_PASSWORD = "bangfu-demo"
SEED = 20251

GBA_CITIES = {
    "广州市",
    "深圳市",
    "佛山市",
    "东莞市",
    "中山市",
    "珠海市",
    "惠州市",
    "江门市",
    "肇庆市",
}
YANGTZE_PROVINCES = {
    "上海市",
    "江苏省",
    "浙江省",
    "安徽省",
    "江西省",
    "湖北省",
    "湖南省",
    "重庆市",
    "四川省",
    "云南省",
}
CHENGYU_PROVINCES = {"四川省", "重庆市"}

GENERATED_HELPER_CITIES = [
    ("广东省", "广州市"),
    ("广东省", "深圳市"),
    ("广东省", "佛山市"),
    ("广东省", "东莞市"),
    ("广东省", "珠海市"),
    ("浙江省", "杭州市"),
    ("上海市", "上海市"),
    ("江苏省", "南京市"),
    ("四川省", "成都市"),
    ("重庆市", "重庆市"),
    ("湖北省", "武汉市"),
    ("湖南省", "长沙市"),
]

# Clinical and medical-technical departments of a demo county people's hospital (specialty codes).
GENERAL_HOSPITAL_DEPARTMENTS = [
    "03",
    "04",
    "05",
    "07",
    "10",
    "11",
    "12",
    "20",
    "21",
    "26",
    "28",
    "30",
    "31",
    "32",
    "50",
]

COUNTY_HOSPITALS = [
    ("人民医院", InstitutionType.GENERAL),
    ("中医医院", InstitutionType.TCM),
    ("妇幼保健院", InstitutionType.MATERNAL_CHILD),
]


def helper_regions(province: str, city: str) -> list[str]:
    """The regions of §三(二) a helper belongs to: 长江经济带、川渝经济圈、粤港澳大湾区."""
    regions = []
    if province in YANGTZE_PROVINCES:
        regions.append("长江经济带")
    if province in CHENGYU_PROVINCES:
        regions.append("川渝经济圈")
    if city in GBA_CITIES:
        regions.append("粤港澳大湾区")
    return regions


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    scope: str


@transaction.atomic
def demo_data_load(*, actor: User | None = None) -> list[DemoLogin]:
    """Create the demo institutions and users if missing. Running it twice changes nothing."""
    rng = random.Random(SEED)
    specialties = list(Specialty.objects.order_by("code"))
    existing = set(Institution.objects.values_list("name", flat=True))

    def create(name: str, **fields: object) -> None:
        if name not in existing:
            institution_create(actor=actor, name=name, is_demo=True, **fields)
            existing.add(name)

    for county in County.objects.select_related("prefecture").order_by("code"):
        for suffix, kind in COUNTY_HOSPITALS:
            create(
                f"{county.name}{suffix}",
                category=InstitutionCategory.RECIPIENT,
                institution_type=kind,
                county=county,
                prefecture=county.prefecture,
                city=county.prefecture.name,
                grade="二甲" if kind == InstitutionType.GENERAL else "",
                source_note="演示数据：按县自动生成",
            )
    general = Institution.objects.filter(
        category=InstitutionCategory.RECIPIENT,
        institution_type=InstitutionType.GENERAL,
        is_demo=True,
    ).order_by("pk")
    for hospital in general:
        institution_add_departments(
            actor=actor, institution=hospital, specialty_codes=GENERAL_HOSPITAL_DEPARTMENTS
        )
    for prefecture in Prefecture.objects.order_by("code"):
        create(
            f"{prefecture.short_name}第一人民医院（演示）",
            category=InstitutionCategory.LEADING,
            prefecture=prefecture,
            city=prefecture.name,
            grade="三甲",
            source_note="演示数据：市州龙头医院（§三(三)），名称为虚构",
        )
    for row in read_csv_rows("helper_hospitals_reference.csv"):
        grade_unknown = (
            "grade not stated" in row["source_note"] or "District-run" in row["source_note"]
        )
        create(
            row["name"],
            category=InstitutionCategory.HELPER,
            province=row["province"],
            city=row["city"],
            grade="" if grade_unknown else "三甲",
            capacity=rng.randint(1, 3),
            regions=helper_regions(row["province"], row["city"]),
            strong_specialties=rng.sample(specialties, k=min(4, len(specialties))),
            source_note=f"参考名单（公开报道，非正式名录）：{row['source_note']}"[:500],
        )
    for n, (province, city) in enumerate(GENERATED_HELPER_CITIES * 3, start=1):
        create(
            f"{city.removesuffix('市')}演示第{n}医院",
            category=InstitutionCategory.HELPER,
            province=province,
            city=city,
            grade="三甲",
            capacity=rng.randint(1, 3),
            regions=helper_regions(province, city),
            strong_specialties=rng.sample(specialties, k=min(3, len(specialties))),
            source_note="演示数据：虚构的省外三甲医院",
        )
    logins = _demo_users(actor)
    _demo_activity()
    # The services keep every store of derived rows current; the demo's rows written before a
    # store existed, or outside the services, are rebuilt from scratch (and stamped).
    derived_rows_refresh_all()
    return logins


def _demo_activity() -> None:
    """Partnerships (and, when those apps provide them, experts and matching needs) for the demo."""
    from django.utils import timezone

    from bangfu.activities.demo import activities_demo_load
    from bangfu.assessments.demo import assessments_demo_load
    from bangfu.capability.demo import capability_demo_load
    from bangfu.coordination.demo import coordination_demo_load
    from bangfu.incentives.demo import incentives_demo_load
    from bangfu.matching.demo import matching_demo_load
    from bangfu.partnerships.demo import partnerships_demo_load
    from bangfu.people.demo import people_demo_load
    from bangfu.people.department_demo import department_services_demo_load

    province = User.objects.get(username="demo_province")
    partnerships_demo_load(actor=province, today=timezone.localdate())
    matching_demo_load(actor=province)
    people_demo_load(actor=province, today=timezone.localdate())
    incentives_demo_load(actor=province, today=timezone.localdate())
    department_services_demo_load(actor=province, today=timezone.localdate())
    activities_demo_load(actor=province, today=timezone.localdate())
    assessments_demo_load(actor=province, today=timezone.localdate())
    capability_demo_load(actor=province, today=timezone.localdate())
    coordination_demo_load(today=timezone.localdate())


# Department accounts (§五) among the demo logins; demo_observer gets its 省人社厅 with the
# demo problems (coordination.demo).
DEMO_DEPARTMENTS = {"demo_science": Department.SCIENCE}


def _demo_department_set(username: str, department: str) -> None:
    user = User.objects.get(username=username)
    user.department = department
    user.save(update_fields=["department"])
    audit_record(actor=None, action="update", obj=user, after={"department": department})


def _demo_users(actor: User | None) -> list[DemoLogin]:
    weining = County.objects.select_related("prefecture").get(code="520526")
    bijie = Prefecture.objects.get(code="520500")
    recipient = Institution.objects.get(name=f"{weining.name}人民医院")
    helper = Institution.objects.get(name="广州市番禺区中心医院")
    specs = [
        ("demo_province", Role.PROVINCE, "演示·省卫健委", {}, "全省"),
        (
            "demo_prefecture",
            Role.PREFECTURE,
            "演示·毕节市卫健局",
            {"prefecture_id": bijie.pk},
            bijie.name,
        ),
        (
            "demo_county",
            Role.COUNTY,
            "演示·威宁县卫健局",
            {"county_id": weining.pk},
            f"{weining.name}（{weining.code}）",
        ),
        (
            "demo_recipient",
            Role.RECIPIENT,
            "演示·威宁县人民医院",
            {"institution_id": recipient.pk},
            recipient.name,
        ),
        (
            "demo_helper",
            Role.HELPER,
            "演示·番禺区中心医院",
            {"institution_id": helper.pk},
            helper.name,
        ),
        ("demo_expert", Role.EXPERT, "演示·帮扶专家", {"institution_id": helper.pk}, "本人"),
        ("demo_observer", Role.OBSERVER, "演示·省人社厅（只读）", {}, "全省（只读）"),
        ("demo_science", Role.OBSERVER, "演示·省科技厅", {}, "省科技厅（科技项目、问题）"),
    ]
    logins = []
    for username, role, display, scope_fields, scope_label in specs:
        if not User.objects.filter(username=username).exists():
            user_create(
                actor=actor,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                display_name=display,
                is_staff=role == Role.PROVINCE,
                is_superuser=role == Role.PROVINCE,
                validate_strength=False,
                **scope_fields,
            )
            if username in DEMO_DEPARTMENTS:
                _demo_department_set(username, DEMO_DEPARTMENTS[username])
        logins.append(DemoLogin(username, Role(role).label, scope_label))
    return logins
