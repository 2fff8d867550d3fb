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
    """Values for ``today.year - 1``; returns the number of rows written (0 when present)."""
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
    if ordered:
        audit_record(
            actor=actor,
            action="capability_demo_load",
            obj=ordered[0],
            after={"year": year, "hospitals": len(ordered), "values": len(rows)},
            note=f"演示数据：{year} 年能力指标 {len(rows)} 项",
        )
    return len(rows)
