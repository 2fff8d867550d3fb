"""Fixtures for the matching app's database tests (the demo data, needs included, is loaded once
per session by the root conftest)."""

from __future__ import annotations

import pytest

BIJIE = "520500"
WEINING_PEOPLES_HOSPITAL = "威宁彝族回族苗族自治县人民医院"
WEINING_TCM = "威宁彝族回族苗族自治县中医医院"


def institution_id(name: str) -> int:
    from bangfu.registry.models import Institution

    return Institution.objects.values_list("pk", flat=True).get(name=name)


@pytest.fixture
def bijie_recipient_ids(db) -> list[int]:
    """Four Bijie recipients none of which has a partnership in the demo data."""
    return [
        institution_id(name)
        for name in (WEINING_TCM, "赫章县人民医院", "纳雍县人民医院", "大方县中医医院")
    ]


@pytest.fixture
def helper_ids(db) -> list[int]:
    return [
        institution_id(name)
        for name in ("广州市番禺区中心医院", "中山市人民医院", "浙江省人民医院")
    ]


@pytest.fixture
def small_round(province_officer, bijie_recipient_ids, helper_ids):
    """A province round over four Bijie recipients and three helpers with one place each."""
    from bangfu.matching.services import matching_round_run

    def run(actor=province_officer, method="optimal", **changes):
        options = {
            "recipient_ids": bijie_recipient_ids,
            "helper_ids": helper_ids,
            "capacity_overrides": dict.fromkeys(helper_ids, 1),
        } | changes
        return matching_round_run(actor=actor, method=method, **options)

    return run


# ---- needs and ranked choices: who may see and edit which hospital's ----

HEZHANG_PEOPLES_HOSPITAL = "赫章县人民医院"  # Bijie, outside Weining county
QINGZHEN_TCM = "清镇市中医医院"  # Guiyang, outside Bijie
PANYU = "广州市番禺区中心医院"  # the demo helper (and the demo expert's hospital)
ZHONGSHAN = "中山市人民医院"  # another helper

NOT_FOUND = None
VIEW: frozenset[str] = frozenset()
NEEDS = frozenset({"needs"})
PREFS = frozenset({"prefs"})
BOTH = NEEDS | PREFS

# What each persona may do with each hospital's needs and ranked choices: not found (404),
# read only, or edit needs and/or choices. The helper sees its partner (威宁县人民医院) but does
# not choose for it; the county office records needs but not choices (services.py).
INPUTS_ACCESS = {
    "demo_province": {
        WEINING_PEOPLES_HOSPITAL: BOTH,
        WEINING_TCM: BOTH,
        HEZHANG_PEOPLES_HOSPITAL: BOTH,
        QINGZHEN_TCM: BOTH,
        PANYU: PREFS,
        ZHONGSHAN: PREFS,
    },
    "demo_prefecture": {
        WEINING_PEOPLES_HOSPITAL: BOTH,
        WEINING_TCM: BOTH,
        HEZHANG_PEOPLES_HOSPITAL: BOTH,
        QINGZHEN_TCM: NOT_FOUND,
        PANYU: PREFS,
        ZHONGSHAN: PREFS,
    },
    "demo_county": {
        WEINING_PEOPLES_HOSPITAL: NEEDS,
        WEINING_TCM: NEEDS,
        HEZHANG_PEOPLES_HOSPITAL: NOT_FOUND,
        QINGZHEN_TCM: NOT_FOUND,
        PANYU: VIEW,
        ZHONGSHAN: VIEW,
    },
    "demo_recipient": {
        WEINING_PEOPLES_HOSPITAL: BOTH,
        WEINING_TCM: NOT_FOUND,
        HEZHANG_PEOPLES_HOSPITAL: NOT_FOUND,
        QINGZHEN_TCM: NOT_FOUND,
        PANYU: NOT_FOUND,
        ZHONGSHAN: NOT_FOUND,
    },
    "demo_helper": {
        WEINING_PEOPLES_HOSPITAL: VIEW,
        WEINING_TCM: NOT_FOUND,
        HEZHANG_PEOPLES_HOSPITAL: NOT_FOUND,
        QINGZHEN_TCM: NOT_FOUND,
        PANYU: PREFS,
        ZHONGSHAN: NOT_FOUND,
    },
    "demo_expert": {
        WEINING_PEOPLES_HOSPITAL: NOT_FOUND,
        WEINING_TCM: NOT_FOUND,
        HEZHANG_PEOPLES_HOSPITAL: NOT_FOUND,
        QINGZHEN_TCM: NOT_FOUND,
        PANYU: VIEW,
        ZHONGSHAN: NOT_FOUND,
    },
    "demo_observer": {
        WEINING_PEOPLES_HOSPITAL: VIEW,
        WEINING_TCM: VIEW,
        HEZHANG_PEOPLES_HOSPITAL: VIEW,
        QINGZHEN_TCM: VIEW,
        PANYU: VIEW,
        ZHONGSHAN: VIEW,
    },
}


def recipients_visible_to(username: str) -> set[int]:
    """The recipients whose needs a persona lists, spelled out from the scope rules (F12)."""
    from bangfu.partnerships.models import Partnership
    from bangfu.registry.models import Institution

    recipients = Institution.objects.filter(category="recipient")
    if username in ("demo_province", "demo_observer"):
        chosen = recipients
    elif username == "demo_prefecture":
        chosen = recipients.filter(county__prefecture__code=BIJIE)
    elif username == "demo_county":
        chosen = recipients.filter(county__code="520526")
    elif username == "demo_recipient":
        chosen = recipients.filter(name=WEINING_PEOPLES_HOSPITAL)
    elif username == "demo_helper":
        chosen = recipients.filter(
            pk__in=Partnership.objects.filter(helper__name=PANYU).values("recipient_id")
        )
    else:
        chosen = recipients.none()
    return set(chosen.values_list("pk", flat=True))
