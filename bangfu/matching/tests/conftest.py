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
