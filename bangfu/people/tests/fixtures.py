"""A small world of experts for people and incentives tests, built through the services.

- `pair`: 广州市番禺区中心医院 (helper_user's hospital) → 威宁彝族回族苗族自治县人民医院
  (recipient_user's; county_officer's 威宁, prefecture_officer's 毕节);
- `other_pair`: 上海演示第7医院 → 南明区人民医院 (贵阳): nobody from 毕节 sees it;
- `expert` (甲): 番禺's 正高/博士 resident on `pair` since 10 January last year, for two
  years, linked to the demo_expert account;
- `other_expert` (乙): 上海's expert deployed on `other_pair`;
- `idle_expert` (丙): 番禺's expert not deployed anywhere.

The session database may already hold demo partnerships, teams and experts; the fixtures reuse
an existing pair, take the next free batch and unlink demo_expert from any demo expert.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Max
from django.utils import timezone

from bangfu.partnerships.demo import demo_measures
from bangfu.partnerships.models import Partnership
from bangfu.partnerships.services import AgreementInput, partnership_create
from bangfu.people.models import Expert, Team
from bangfu.people.services import (
    DeploymentInput,
    ExpertInput,
    deployment_create,
    expert_create,
    team_create,
    team_set_captain,
)
from bangfu.registry.models import Department, Institution

PAY = Decimal("300000.00")
ID_NUMBER = "520526198001011238"
ID_MASKED = "5205********1238"
OTHER_ID_NUMBER = "310101197003030042"


def today() -> date:
    return timezone.localdate()


def get_or_create_pair(actor, helper_name: str, recipient_name: str) -> Partnership:
    helper = Institution.objects.get(name=helper_name)
    recipient = Institution.objects.get(name=recipient_name)
    existing = Partnership.objects.filter(helper=helper, recipient=recipient).first()
    if existing is not None:
        return existing
    start = today() - timedelta(days=400)
    return partnership_create(
        actor=actor,
        helper=helper,
        recipient=recipient,
        modes=["east_west"],
        agreement=AgreementInput(
            start=start,
            signed_on=start - timedelta(days=10),
            measures=demo_measures(),
            helper_exception=helper.grade != "三甲",
            helper_exception_reason="" if helper.grade == "三甲" else "测试：等级待核实",
        ),
    )


def new_team(actor, partnership: Partnership) -> Team:
    batch = (Team.objects.filter(partnership=partnership).aggregate(m=Max("batch"))["m"] or 0) + 1
    return team_create(actor=actor, partnership=partnership, batch=batch)


def make_expert(actor, name: str, home: Institution, **overrides) -> Expert:
    values: dict[str, Any] = {
        "name": name,
        "sex": "M",
        "title": "正高",
        "job_title": "主任医师",
        "degree": "博士",
        "home_institution_id": home.pk,
        "prior_year_pay": PAY,
        "leadership_qualified": True,
    } | overrides
    return expert_create(actor=actor, data=ExpertInput(**values))


def deploy(actor, team: Team, expert: Expert, kind="resident", start=None, months=24, **kw):
    start = start or today() - timedelta(days=100)
    end = start + timedelta(days=round(months * 365 / 12))
    return deployment_create(
        actor=actor,
        team=team,
        data=DeploymentInput(expert_id=expert.pk, kind=kind, start=start, planned_end=end, **kw),
    )


@pytest.fixture
def pair(province_officer):
    return get_or_create_pair(
        province_officer, "广州市番禺区中心医院", "威宁彝族回族苗族自治县人民医院"
    )


@pytest.fixture
def other_pair(province_officer):
    return get_or_create_pair(province_officer, "上海演示第7医院", "南明区人民医院")


@pytest.fixture
def team(province_officer, pair):
    return new_team(province_officer, pair)


@pytest.fixture
def other_team(province_officer, other_pair):
    return new_team(province_officer, other_pair)


@pytest.fixture
def departments(pair):
    names = ["内科", "眼科", "耳鼻咽喉科", "麻醉科", "急诊医学科"]
    return {
        n: Department.objects.get_or_create(institution=pair.recipient, name=n)[0] for n in names
    }


@pytest.fixture
def expert(province_officer, expert_user, team, departments):
    Expert.objects.filter(user=expert_user).update(user=None)
    e = make_expert(
        province_officer,
        "测试甲",
        team.partnership.helper,
        id_number=ID_NUMBER,
        username=expert_user.username,
    )
    # Resident from 10 January last year for two years: last year is a whole year on site.
    deploy(
        province_officer,
        team,
        e,
        start=date(today().year - 1, 1, 10),
        department_id=departments["内科"].pk,
    )
    team_set_captain(actor=province_officer, team=team, captain=e)
    return e


@pytest.fixture
def resident(expert):
    return expert.deployments.get()


@pytest.fixture
def other_expert(province_officer, other_team):
    e = make_expert(
        province_officer, "测试乙", other_team.partnership.helper, id_number=OTHER_ID_NUMBER
    )
    deploy(province_officer, other_team, e)
    return e


@pytest.fixture
def idle_expert(province_officer, pair):
    return make_expert(
        province_officer, "测试丙", pair.helper, title="副高", job_title="副主任医师"
    )


@pytest.fixture
def world(expert, other_expert, idle_expert):
    return {"甲": expert, "乙": other_expert, "丙": idle_expert}


# Which of 甲 乙 丙 each persona reads, and whose pay and identity number it may see (F12).
VISIBLE = {
    "demo_province": {"甲", "乙", "丙"},
    "demo_observer": {"甲", "乙", "丙"},
    "demo_prefecture": {"甲"},
    "demo_county": {"甲"},
    "demo_recipient": {"甲"},
    "demo_helper": {"甲", "丙"},
    "demo_expert": {"甲"},
}
SENSITIVE = {
    "demo_province": {"甲", "乙", "丙"},
    "demo_observer": set(),
    "demo_prefecture": set(),
    "demo_county": set(),
    "demo_recipient": {"甲"},
    "demo_helper": set(),
    "demo_expert": {"甲"},
}
