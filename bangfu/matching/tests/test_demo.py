"""Demo needs: every demo recipient gets some, seeded and flagged, and loading twice changes
nothing."""

from __future__ import annotations

import pytest

from bangfu.matching.demo import matching_demo_load
from bangfu.matching.models import RecipientNeed
from bangfu.matching.tests.conftest import WEINING_TCM
from bangfu.registry.models import Institution

pytestmark = pytest.mark.django_db


def needs_of(name):
    return sorted(
        RecipientNeed.objects.filter(institution__name=name).values_list(
            "specialty__code", "referrals_3y", "disease", "weak", "gap", "is_demo"
        )
    )


def test_every_demo_recipient_has_demo_needs():
    recipients = Institution.objects.filter(category="recipient", is_demo=True)
    assert not recipients.exclude(matching_needs__isnull=False).exists()
    assert not RecipientNeed.objects.filter(is_demo=False).exists()
    assert RecipientNeed.objects.filter(referrals_3y__gt=0).exists()
    assert RecipientNeed.objects.filter(weak=True).exists()
    assert RecipientNeed.objects.filter(gap=True).exists()


def test_loading_again_changes_nothing():
    before = RecipientNeed.objects.count()
    assert matching_demo_load() == 0
    assert RecipientNeed.objects.count() == before


def test_the_needs_are_deterministic():
    expected = needs_of(WEINING_TCM)
    assert expected
    RecipientNeed.objects.filter(institution__name=WEINING_TCM).delete()
    assert matching_demo_load() == 1
    assert needs_of(WEINING_TCM) == expected


def test_a_maternal_and_child_hospital_needs_maternal_and_child_specialties():
    codes = {row[0] for row in needs_of("威宁彝族回族苗族自治县妇幼保健院")}
    assert codes <= {"05", "06", "07", "08", "09"}
