"""Demo partnerships: a realistic mix so every status, the gap list and coverage show something.

Dates are placed relative to the day the demo is loaded (deterministic for a given day): one
active, one expiring within the window, one expired and renewed, one expired with no renewal
(a gap), one renewed after a gap, one draft, one signed but not started, one terminated, plus
active partnerships spread over the prefectures; the remaining counties are never paired.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from bangfu.accounts.models import User
from bangfu.partnerships.domain.lifecycle import cycle_default_end
from bangfu.partnerships.models import Agreement, Partnership
from bangfu.partnerships.services import (
    AgreementInput,
    agreement_create,
    agreement_terminate,
    partnership_create,
)
from bangfu.registry.models import County, Institution

SEED = 2027


def demo_measures(team_size: int = 4) -> dict[str, dict[str, str]]:
    return {
        "M01": {"team_size": str(team_size), "captains": "1", "residence_years": "1"},
        "M03": {"specialties_per_year": "1"},
        "M04": {"plan": "每周远程会诊不少于2次，每月远程查房1次"},
        "M07": {"rules_per_year": "10"},
        "M15": {"departments_per_member": "3"},
    }


@dataclass(frozen=True)
class DemoPair:
    helper: str
    recipient: str
    modes: tuple[str, ...]
    first_start_days_ago: int
    signed: bool = True
    renew_after_gap_days: int | None = None  # renew: days between cycles (0 = seamless)
    terminate_days_ago: int | None = None
    exception_reason: str = ""


def _pairs() -> list[DemoPair]:
    three_years = 3 * 365
    return [
        DemoPair(
            "广州市番禺区中心医院",
            "威宁彝族回族苗族自治县人民医院",
            ("group", "east_west"),
            800,
            exception_reason="区属医院，公开报道称其派出三甲医院专家团队，等级待核实（演示）",
        ),
        DemoPair("中山市人民医院", "水城区人民医院", ("group", "east_west"), three_years - 45),
        DemoPair(
            "绍兴市人民医院",
            "清镇市人民医院",
            ("specialty_alliance",),
            three_years + 200,
            renew_after_gap_days=0,
        ),
        DemoPair("宁波市第一人民医院", "晴隆县人民医院", ("east_west",), three_years + 120),
        DemoPair(
            "浙江大学医学院附属第二医院",
            "台江县人民医院",
            ("group", "telemedicine"),
            three_years + 400,
            renew_after_gap_days=100,
        ),
        DemoPair("惠州市中心人民医院", "兴仁市人民医院", ("east_west",), -30, signed=False),
        DemoPair("佛山演示第3医院", "榕江县人民医院", ("east_west", "telemedicine"), -20),
        DemoPair(
            "惠州市第一人民医院",
            "安龙县人民医院",
            ("specialty_alliance",),
            500,
            terminate_days_ago=30,
        ),
    ]


@transaction.atomic
def partnerships_demo_load(*, actor: User, today: date) -> int:
    """Create the demo partnerships once; returns how many were created."""
    if Partnership.objects.filter(is_demo=True).exists():
        return 0
    created = 0
    for pair in _pairs():
        created += _create_pair(actor, pair, today)
    rng = random.Random(SEED)
    used = set(Partnership.objects.values_list("recipient__county_id", flat=True))
    helpers = list(
        Institution.objects.filter(category="helper", grade="三甲", name__contains="演示").order_by(
            "name"
        )
    )
    targets = [
        c
        for c in County.objects.filter(programme_group="target").order_by("code")
        if c.pk not in used
    ]
    for county in rng.sample(targets, k=min(24, len(targets))):
        recipient = Institution.objects.get(county=county, name=f"{county.name}人民医院")
        helper = helpers[rng.randrange(len(helpers))]
        pair = DemoPair(helper.name, recipient.name, ("east_west",), rng.randint(60, 900))
        created += _create_pair(actor, pair, today)
    return created


def _create_pair(actor: User, pair: DemoPair, today: date) -> int:
    helper = Institution.objects.get(name=pair.helper)
    recipient = Institution.objects.get(name=pair.recipient)
    start = today - timedelta(days=pair.first_start_days_ago)
    signed_on = min(start, today) - timedelta(days=10) if pair.signed else None
    partnership = partnership_create(
        actor=actor,
        helper=helper,
        recipient=recipient,
        modes=list(pair.modes),
        agreement=AgreementInput(
            start=start,
            signed_on=signed_on,
            measures=demo_measures(),
            helper_exception=bool(pair.exception_reason),
            helper_exception_reason=pair.exception_reason,
        ),
        helper_liaison="甲方联络员（演示）",
        recipient_liaison="乙方联络员（演示）",
        is_demo=True,
    )
    first = Agreement.objects.get(partnership=partnership)
    if pair.renew_after_gap_days is not None:
        next_start = first.end + timedelta(days=1 + pair.renew_after_gap_days)
        agreement_create(
            actor=actor,
            partnership=partnership,
            previous=first,
            data=AgreementInput(
                start=next_start,
                end=cycle_default_end(next_start, 3),
                signed_on=min(next_start, today) - timedelta(days=5),
                measures=demo_measures(5),
                helper_exception=bool(pair.exception_reason),
                helper_exception_reason=pair.exception_reason,
            ),
        )
    if pair.terminate_days_ago is not None:
        agreement_terminate(
            actor=actor,
            agreement=first,
            on=today - timedelta(days=pair.terminate_days_ago),
            reason="帮扶医院调整援派计划（演示）",
        )
    return 1
