from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bangfu.partnerships.models import Partnership

MAIN_HELPER = "广州市番禺区中心医院"
MAIN_RECIPIENT = "威宁彝族回族苗族自治县人民医院"


@pytest.fixture
def weining(db):
    """The demo partnership the demo personas work on: signed, in force, with a team."""
    return Partnership.objects.select_related("recipient__county").get(
        helper__name=MAIN_HELPER, recipient__name=MAIN_RECIPIENT
    )


@pytest.fixture
def other_partnership(db):
    """A signed demo partnership in another county (out of the demo county/hospital scope)."""
    return (
        Partnership.objects.exclude(recipient__county__code="520526")
        .filter(agreements__signed_on__isnull=False, agreements__terminated_on__isnull=True)
        .exclude(helper__name=MAIN_HELPER)
        .order_by("pk")
        .first()
    )


@pytest.fixture
def recent():
    return timezone.localdate() - timedelta(days=10)
