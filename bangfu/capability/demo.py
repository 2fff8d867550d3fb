"""Demo capability values: the year before the demo day, for every assisted recipient hospital.

Hospitals follow a fixed pattern by position (sorted by id) so the §一 share stays well below
90% with some hospitals one or two indicators short: 6 of 10 meet every target; 2 miss one core
indicator (near passing); 1 misses the other indicators; 1 has entered only half (left
unconfirmed). Written in bulk with one audit row; running it twice changes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.capability.domain.catalogue import EntryType, Indicator
from bangfu.capability.domain.standard import IndicatorValue as Value
from bangfu.capability.domain.standard import value_to_json
from bangfu.capability.loader import load_catalogue
from bangfu.capability.models import IndicatorValue
from bangfu.capability.selectors import assisted_recipient_ids
from bangfu.capability.standings import standings_refresh
from bangfu.core.audit import audit_record
from bangfu.registry.models import Institution

NEAR, FAR_BEHIND, HALF = "near", "far", "half"
PATTERN = ("pass", "pass", NEAR, "pass", "pass", FAR_BEHIND, "pass", "pass", NEAR, HALF)


def _meeting(indicator: Indicator, position: int) -> Value:
    target = indicator.target
    if target is None:
        if indicator.entry is EntryType.BOOLEAN:
            return True
        if indicator.entry is EntryType.CHOICE:
            return indicator.choices[-1]
        if indicator.entry is EntryType.TEXT:
            return "演示数据"
        return Decimal(10 + position % 7)
    if target.equals is not None:
        return target.equals
    if target.one_of:
        return target.one_of[0]
    if target.minimum is not None:
        bonus = Decimal(position % 3)
        top = target.maximum if target.maximum is not None else indicator.maximum
        value = target.minimum + bonus
        return min(value, top) if top is not None else value
    assert target.maximum is not None
    return max(Decimal(0), target.maximum - Decimal(position % 3))


def _failing(indicator: Indicator) -> Value:
    target = indicator.target
    assert target is not None
    if target.equals is not None:
        return not target.equals
    if target.one_of:
        return next(c for c in indicator.choices if c not in target.one_of)
    if target.minimum is not None and target.minimum > 0:
        return target.minimum - min(target.minimum, Decimal(1))
    assert target.maximum is not None
    return target.maximum + 1


def capability_demo_load(*, actor: User | None, today: date) -> int:
    """Values for ``today.year - 1``; returns the number of rows written (0 when present).

    The demo county plans (``county_plans_demo_load``) are not created here: the partnerships
    tests rely on a demo without county plans."""
    year = today.year - 1
    if IndicatorValue.objects.filter(year=year).exists():
        return 0
    catalogue = load_catalogue()
    ids = sorted(assisted_recipient_ids(year=year))
    hospitals = Institution.objects.filter(pk__in=ids).order_by("pk")
    ordered = list(hospitals)
    now = timezone.now()
    rows: list[IndicatorValue] = []
    for position, hospital in enumerate(ordered):
        kind = PATTERN[position % len(PATTERN)]
        indicators = catalogue.for_type(hospital.institution_type)
        judged_core = [i for i in indicators if i.core and i.target is not None]
        judged_other = [i for i in indicators if not i.core and i.target is not None]
        failing: set[str] = set()
        if kind == NEAR and judged_core:
            failing.add(judged_core[position % len(judged_core)].code)
        if kind == FAR_BEHIND:
            failing.update(i.code for i in judged_other)
        for index, indicator in enumerate(indicators):
            if kind == HALF and index % 2:
                continue
            value = (
                _failing(indicator) if indicator.code in failing else _meeting(indicator, position)
            )
            confirmed = kind != HALF
            rows.append(
                IndicatorValue(
                    institution=hospital,
                    year=year,
                    code=indicator.code,
                    value=value_to_json(value),
                    evidence="演示数据：年度自评台账",
                    catalogue_version=catalogue.version,
                    entered_by=None,
                    entered_at=now,
                    confirmed_by=actor if confirmed else None,
                    confirmed_at=now if confirmed else None,
                )
            )
    IndicatorValue.objects.bulk_create(rows, batch_size=2000)
    # bulk_create bypasses the services: the stored standard results follow here (ADR 0021).
    standings_refresh([h.pk for h in ordered], year)
    if ordered:
        audit_record(
            actor=actor,
            action="capability_demo_load",
            obj=ordered[0],
            after={"year": year, "hospitals": len(ordered), "values": len(rows)},
            note=f"演示数据：{year} 年能力指标 {len(rows)} 项",
        )
    return len(rows)


PLAN_COUNTIES = ("520526", "520521", "520523", "520524")  # 威宁 first: the demo county persona
PLAN_MEASURES = ["M01", "M04", "M05"]


def county_plans_demo_load(*, actor: User, today: date) -> None:
    """Plans for a few target counties (through the partnerships service), yearly targets for all
    but the last one (so the "plans without targets" list is not empty); each save keeps the
    plan's previous version, so the plan pages list versions."""
    from bangfu.capability.services import county_plan_year_save
    from bangfu.partnerships.models import Agreement, CountyPlan
    from bangfu.partnerships.services import county_plan_save
    from bangfu.registry.models import County

    if CountyPlan.objects.filter(county__code__in=PLAN_COUNTIES).exists():
        return
    start = date(today.year - 1, 1, 1)
    counties = {c.code: c for c in County.objects.filter(code__in=PLAN_COUNTIES)}
    for index, code in enumerate(PLAN_COUNTIES):
        county = counties[code]
        agreements = Agreement.objects.filter(
            partnership__recipient__county=county, signed_on__isnull=False
        ).values_list("pk", flat=True)
        plan = county_plan_save(
            actor=actor,
            county=county,
            cycle_start=start,
            goals=f"{county.name}：三年内建强胸痛、卒中、创伤等中心，县域内就诊率达到90%（演示数据）",
            measure_codes=PLAN_MEASURES,
            agreement_ids=list(agreements),
        )
        if index == len(PLAN_COUNTIES) - 1:
            continue
        for year in (today.year - 1, today.year):
            county_plan_year_save(
                actor=actor,
                plan=plan,
                year=year,
                measure_targets={"M01": 4, "M04": 12 + index, "M05": 6},
                indicator_targets={"DX-24": 30, "DX-11": "已建", "OUT-03": 85},
                review_note="演示数据：年度回顾——派驻专家到位，远程会诊量稳步增加。"
                if year < today.year
                else "",
            )
