"""What apps above people add to its pages and checks (`people.contributions`): the care facts
of the team check come from the registered sources, merged per expert; the expert page shows the
registered sections."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from bangfu.people import contributions
from bangfu.people.contributions import MemberCare, member_care


@pytest.fixture
def sources(monkeypatch):
    registered: dict = {}
    monkeypatch.setattr(contributions, "_CARE_SOURCES", registered)
    return registered


def test_no_source_knows_nothing_and_no_expert_asks_nothing(sources):
    calls = []
    sources["x"] = lambda *, expert_ids, year: calls.append(expert_ids) or {}
    assert member_care(expert_ids={1, 2}, year=2026) == {}
    assert member_care(expert_ids=set(), year=2026) == {}
    assert calls == [{1, 2}]  # an empty page asks no source


def test_sources_merge_per_expert_larger_cover_and_every_check(sources):
    sources["a"] = lambda *, expert_ids, year: {
        1: MemberCare(Decimal(500000), (date(2026, 3, 1),)),
        2: MemberCare(None, ()),
    }
    sources["b"] = lambda *, expert_ids, year: {
        1: MemberCare(Decimal(1000000), (date(2026, 9, 1),))
    }
    care = member_care(expert_ids={1, 2}, year=2026)
    assert care[1] == MemberCare(Decimal(1000000), (date(2026, 3, 1), date(2026, 9, 1)))
    assert care[2] == MemberCare(None, ())


@pytest.mark.django_db
def test_the_expert_page_shows_the_registered_sections(
    client, province_officer, world, monkeypatch
):
    heading = '<h2 class="h5 mt-4">待遇台账</h2>'
    client.force_login(province_officer)
    url = reverse("people:expert_detail", args=[world["甲"].pk])
    assert heading in client.get(url).content.decode()  # incentives' section, registered
    monkeypatch.setattr(contributions, "_EXPERT_SECTIONS", {})
    html = client.get(url).content.decode()
    assert heading not in html and 'data-testid="deployment-table"' in html
