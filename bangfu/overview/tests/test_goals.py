"""The headline goals panel: the coverage trend by month (same rule as the coverage page), the
month's activities and the agreements behind, scoped like the lists the cards open."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bangfu.activities.selectors import ActivityFilters, activity_list_for_user
from bangfu.overview.goals import coverage_trend_for_user, month_ends
from bangfu.partnerships.coverage_report import coverage_report_for_user
from bangfu.partnerships.selectors import today_local


def test_month_ends_run_oldest_first_and_stop_at_the_day():
    assert month_ends(date(2026, 3, 15), 4) == [
        date(2025, 12, 31),
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 15),
    ]
    assert month_ends(date(2024, 2, 29), 1) == [date(2024, 2, 29)]


@pytest.mark.django_db
def test_the_trend_ends_on_todays_coverage_figure(province_officer):
    today = today_local()
    trend = coverage_trend_for_user(user=province_officer, day=today)
    assert len(trend) == 12
    assert [t.month for t in trend] == sorted(t.month for t in trend)
    assert trend[-1].covered == coverage_report_for_user(user=province_officer, day=today).covered
    assert all(0 <= t.covered <= 70 for t in trend)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["province_officer", "county_officer"])
def test_the_panel_shows_the_scoped_figures_and_links_the_lists(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    home = client.get("/").content.decode()
    assert 'hx-get="/overview/goals/"' in home
    panel = client.get("/overview/goals/", headers={"HX-Request": "true"}).content.decode()
    today = today_local()
    month = f"{today.year}-{today.month:02d}"
    expected = activity_list_for_user(user=user, filters=ActivityFilters(month=month)).count()
    count = panel.split('data-testid="activities-month-count">', 1)[1].split("<", 1)[0]
    assert int(count) == expected
    assert f'href="/activities/?month={month}"' in panel
    start = panel.index('id="coverage-trend-data"')
    chart = json.loads(panel[panel.index(">", start) + 1 : panel.index("</script>", start)])
    assert len(chart["months"]) == 12 == len(chart["covered"])
    assert chart["covered"][-1] == coverage_report_for_user(user=user, day=today).covered


@pytest.mark.django_db
def test_the_panel_counts_overdue_tasks_in_scope(client, province_officer):
    from django.utils import timezone

    from bangfu.coordination.selectors import task_list_for_user

    overdue = task_list_for_user(
        user=province_officer, status="overdue", today=timezone.localdate()
    ).count()
    client.force_login(province_officer)
    panel = client.get("/overview/goals/").content.decode()
    count = panel.split('data-testid="tasks-overdue-count">', 1)[1].split("<", 1)[0]
    assert int(count) == overdue > 0  # the demo has an overdue follow-up task
    assert "/coordination/tasks/?mine=0&amp;status=overdue" in panel
