"""The demo leaves the §一 share below 90% for the year before the demo day, with hospitals near
passing (loaded once per session by the root conftest through ``demo_data_load``)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bangfu.capability.demo import capability_demo_load
from bangfu.capability.models import IndicatorValue
from bangfu.capability.selectors import capability_summary

pytestmark = pytest.mark.django_db


def test_demo_share_is_below_the_goal_with_hospitals_near_passing():
    year = timezone.localdate().year - 1
    summary = capability_summary(year=year)
    assert summary.assisted >= 10
    assert summary.share is not None
    assert 0 < summary.share < summary.goal
    closest = summary.closest_to_passing(limit=3)
    assert closest and all(s.shortfall == 1 for s in closest)


def test_demo_load_is_idempotent():
    today = timezone.localdate()
    assert capability_demo_load(actor=None, today=today) == 0
    IndicatorValue.objects.filter(year=today.year - 1).delete()
    assert capability_demo_load(actor=None, today=today) > 0
    assert capability_demo_load(actor=None, today=today) == 0


def test_home_goals_panel_shows_the_actual_share_by_year(client, province_officer):
    from django.urls import reverse

    year = timezone.localdate().year - 1
    summary = capability_summary(year=year, user=province_officer)
    assert summary.share is not None
    client.force_login(province_officer)
    html = client.get(reverse("overview:goals_panel")).content.decode()
    shown = f"{round(summary.share * 100)}%"
    assert f'data-testid="standard-share">{shown}</a>' in html
    assert f"{year} 年（{summary.meeting_standard}/{summary.assisted}）" in html
    assert f"{year} 年 {shown}" in html


def test_summary_page_by_prefecture_with_the_closest_and_the_draft_badge(
    client, prefecture_officer
):
    year = timezone.localdate().year - 1
    summary = capability_summary(year=year, user=prefecture_officer)
    client.force_login(prefecture_officer)
    response = client.get(f"/capability/?year={year}")
    html = response.content.decode()
    assert 'data-testid="catalogue-draft"' in html
    assert f'data-testid="assisted">{summary.assisted}<' in html
    assert response.context["closest"] == summary.closest_to_passing()
    (row,) = summary.by_prefecture()  # a prefecture officer sees its own prefecture only
    assert row[0] == "520500"
    closest = summary.closest_to_passing(limit=1)
    if closest:
        detail = client.get(f"/capability/{closest[0].institution.pk}/{year}/").content.decode()
        assert "未达到推荐标准" in detail and 'data-testid="catalogue-draft"' in detail
