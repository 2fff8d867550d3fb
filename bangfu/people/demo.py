"""Demo experts, teams and deployments for the demo partnerships (F4).

`people_demo_load()` runs after the partnership demo: for every partnership with a signed
agreement in force today it forms a first-batch team. The 广州市番禺区中心医院 → 威宁彝族回族苗族
自治县人民医院 pair gets a full picture (captain, vice-president, 3X links, mentorship, a title
application), and the demo_expert account is linked to its captain. The ledger rows of the demo
teams (insurance, health checks, travel claims, tourism card, work fund) are incentives'
(`bangfu.incentives.demo`, run after this). With no partnership it creates nothing. Names are invented and
every expert is flagged `is_demo`. Deterministic for a given day; running it twice changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bangfu.accounts.models import Role, User
from bangfu.partnerships.models import Agreement, Partnership
from bangfu.people.domain.experts import DeploymentKind
from bangfu.people.domain.identity import id_number_check_char
from bangfu.people.models import AppointmentPost, Expert
from bangfu.people.services import (
    DeploymentInput,
    ExpertInput,
    RecognitionInput,
    appointment_create,
    coverage_link_add,
    deployment_create,
    expert_create,
    mentorship_create,
    recognition_create,
    team_create,
    team_set_captain,
    title_application_create,
)
from bangfu.registry.models import Department, Institution, Specialty
from bangfu.registry.services import institution_add_departments

SEED = 46
MAIN_HELPER = "广州市番禺区中心医院"
MAIN_RECIPIENT = "威宁彝族回族苗族自治县人民医院"
DEMO_EXPERT_USERNAME = "demo_expert"
MAIN_DEPARTMENTS = (
    ("内科", "03"),
    ("外科", "04"),
    ("妇产科", "05"),
    ("儿科", "07"),
    ("眼科", "10"),
    ("耳鼻咽喉科", "11"),
    ("急诊医学科", "20"),
    ("麻醉科", "26"),
)
SURNAMES = "陈李王张刘杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = (
    "志远",
    "秀梅",
    "建国",
    "丽华",
    "文博",
    "海燕",
    "晓东",
    "春梅",
    "国强",
    "雅琴",
    "明辉",
    "静怡",
)


@dataclass(frozen=True)
class DemoExpert:
    name: str
    sex: str
    title: str
    job_title: str
    degree: str
    specialty_code: str
    pay: Decimal
    kind: DeploymentKind
    months: int
    department: str = ""
    leadership: bool = False


MAIN_TEAM = (
    DemoExpert("陈志远", "M", "正高", "主任医师", "博士", "03", Decimal("360000"), DeploymentKind.RESIDENT, 24, "内科", True),
    DemoExpert("李秀梅", "F", "副高", "副主任医师", "硕士", "05", Decimal("240000"), DeploymentKind.RESIDENT, 12, "妇产科"),
    DemoExpert("王建国", "M", "中级", "主治医师", "学士", "04", Decimal("180000"), DeploymentKind.SHORT_TERM, 3, "外科"),
    DemoExpert("张丽华", "F", "正高", "主任医师", "博士", "07", Decimal("330000"), DeploymentKind.REMOTE, 12),
)  # fmt: skip


def _demo_id_number(rng: random.Random, serial: int) -> str:
    """A well-formed, invented identity number; `serial` keeps the demo's numbers distinct."""
    birth = date(rng.randint(1968, 1988), 1, 1) + timedelta(days=rng.randrange(365))
    body = f"440113{birth:%Y%m%d}{serial % 1000:03d}"
    return body + id_number_check_char(body)


def _in_force_today(today: date) -> list[tuple[Partnership, Agreement]]:
    agreements = (
        Agreement.objects.filter(signed_on__isnull=False, start__lte=today, end__gte=today)
        .filter(Q(terminated_on__isnull=True) | Q(terminated_on__gt=today))
        .select_related("partnership__helper", "partnership__recipient")
        .order_by("partnership__recipient__county__code", "partnership__recipient__name", "pk")
    )
    return [(a.partnership, a) for a in agreements]


@transaction.atomic
def people_demo_load(*, actor: User | None = None, today: date | None = None) -> int:
    """Create the demo experts and teams once; returns how many experts were created."""
    if Expert.objects.filter(is_demo=True).exists():
        return 0
    actor = actor or User.objects.filter(username="demo_province", role=Role.PROVINCE).first()
    if actor is None:
        return 0
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    created = 0
    for partnership, agreement in _in_force_today(today):
        # Deployments lie within the signed agreement in force (§七; 附件2 五(一)).
        start = max(agreement.start, agreement.signed_on or agreement.start)
        start = max(start, today - timedelta(days=200))
        until = agreement.end
        if (partnership.helper.name, partnership.recipient.name) == (MAIN_HELPER, MAIN_RECIPIENT):
            created += _main_team(actor, partnership, start, until, today, rng)
        else:
            created += _small_team(actor, partnership, start, until, today, rng)
    return created


def _create_expert(
    actor: User, spec: DemoExpert, helper: Institution, rng: random.Random, username: str = ""
) -> Expert:
    specialty = Specialty.objects.filter(code=spec.specialty_code).first()
    return expert_create(
        actor=actor,
        data=ExpertInput(
            name=spec.name,
            sex=spec.sex,
            title=spec.title,
            job_title=spec.job_title,
            degree=spec.degree,
            specialty_id=specialty.pk if specialty else None,
            home_institution_id=helper.pk,
            prior_year_pay=spec.pay,
            leadership_qualified=spec.leadership,
            phone=f"139{rng.randrange(10**8):08d}",
            id_number=_demo_id_number(rng, Expert.objects.count() + 1),
            username=username,
        ),
        is_demo=True,
    )


def plan_end(start: date, months: int, until: date | None = None) -> date:
    end = start + timedelta(days=round(months * 365 / 12) - 1)
    return min(end, until) if until else end


def _departments(actor: User, recipient: Institution) -> dict[str, Department]:
    """The recipient's clinical departments the demo needs, registered through the registry."""
    institution_add_departments(
        actor=actor, institution=recipient, specialty_codes=[code for _, code in MAIN_DEPARTMENTS]
    )
    return {d.name: d for d in Department.objects.filter(institution=recipient)}


def _main_team(
    actor: User,
    partnership: Partnership,
    start: date,
    until: date,
    today: date,
    rng: random.Random,
) -> int:
    departments = _departments(actor, partnership.recipient)
    team = team_create(actor=actor, partnership=partnership, batch=1, note="演示数据", is_demo=True)
    linked_user = User.objects.filter(username=DEMO_EXPERT_USERNAME, role=Role.EXPERT).first()
    experts = []
    deployments = []
    for index, spec in enumerate(MAIN_TEAM):
        username = linked_user.username if index == 0 and linked_user else ""
        expert = _create_expert(actor, spec, partnership.helper, rng, username)
        department = departments.get(spec.department)
        deployment = deployment_create(
            actor=actor,
            team=team,
            data=DeploymentInput(
                expert_id=expert.pk,
                kind=spec.kind.value,
                start=start,
                planned_end=plan_end(start, spec.months, until),
                department_id=department.pk if department else None,
            ),
        )
        experts.append(expert)
        deployments.append(deployment)
    captain, resident = experts[0], deployments[0]
    team_set_captain(actor=actor, team=team, captain=captain)
    # 表现突出 is a dated recognition (§六), from this month on.
    recognition_create(
        actor=actor,
        data=RecognitionInput(
            expert_id=captain.pk,
            start=today.replace(day=1),
            reason="受扶医院年度考核优秀（演示）",
            deployment_id=resident.pk,
        ),
        today=today,
    )
    appointment_create(
        actor=actor,
        deployment=resident,
        post=AppointmentPost.VICE_PRESIDENT,
        start=min(start + timedelta(days=30), today),
    )
    for name in ("眼科", "耳鼻咽喉科", "麻醉科"):
        coverage_link_add(actor=actor, deployment=resident, department=departments[name])
    coverage_link_add(actor=actor, deployment=deployments[1], department=departments["急诊医学科"])
    mentorship_create(
        actor=actor,
        deployment=resident,
        mentee_name="杨光",
        mentee_department=departments["内科"],
        start=min(start + timedelta(days=14), today),
    )
    title_application_create(
        actor=actor,
        deployment=deployments[1],
        applied_title="主任医师",
        has_entrustment_letter=True,
        submitted_on=min(start + timedelta(days=60), today),
    )
    return len(experts)


def _small_team(
    actor: User,
    partnership: Partnership,
    start: date,
    until: date,
    today: date,
    rng: random.Random,
) -> int:
    team = team_create(actor=actor, partnership=partnership, batch=1, note="演示数据", is_demo=True)
    specs = (
        ("正高", "主任医师", "博士", DeploymentKind.RESIDENT, 12, Decimal("320000")),
        ("副高", "副主任医师", "硕士", DeploymentKind.RESIDENT, 12, Decimal("230000")),
        ("中级", "主治医师", "学士", DeploymentKind.FLEXIBLE, 6, Decimal("170000")),
    )
    departments = _departments(actor, partnership.recipient)
    # Each resident works in one department and links three others without a resident (3X).
    residents = (
        ("内科", ("儿科", "眼科", "耳鼻咽喉科")),
        ("外科", ("急诊医学科", "麻醉科", "妇产科")),
    )
    experts: list[Expert] = []
    for title, job_title, degree, kind, months, pay in specs:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        spec = DemoExpert(name, rng.choice("MF"), title, job_title, degree, "03", pay, kind, months)
        expert = _create_expert(actor, spec, partnership.helper, rng)
        home, linked = residents[len(experts)] if kind is DeploymentKind.RESIDENT else ("", ())
        deployment = deployment_create(
            actor=actor,
            team=team,
            data=DeploymentInput(
                expert_id=expert.pk,
                kind=kind.value,
                start=start,
                planned_end=plan_end(start, months, until),
                department_id=departments[home].pk if home else None,
            ),
        )
        for name in linked:
            coverage_link_add(actor=actor, deployment=deployment, department=departments[name])
        experts.append(expert)
    team_set_captain(actor=actor, team=team, captain=experts[0])
    return len(experts)
