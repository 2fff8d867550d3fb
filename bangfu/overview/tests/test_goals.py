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


# ---- the panel's figures in a few queries equal the straightforward computation (#13) ----


def _boundary_days(today: date) -> list[date]:
    """Every day on which some demo agreement starts, ends, is signed or terminated, the days
    either side, and the twelve month ends of the panel."""
    from datetime import timedelta

    from bangfu.partnerships.models import Agreement

    days = set(month_ends(today, 12))
    for row in Agreement.objects.values_list("start", "end", "signed_on", "terminated_on"):
        for d in row:
            if d is not None:
                days.update({d - timedelta(days=1), d, d + timedelta(days=1)})
    return sorted(days)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["province_officer", "prefecture_officer", "county_officer", "helper_user"]
)
def test_covered_counts_on_days_equal_coverage_on_each_day(
    request, persona, django_assert_num_queries
):
    from bangfu.partnerships.selectors import coverage_on, covered_target_counts_on_days

    user = request.getfixturevalue(persona)
    today = today_local()
    ends = month_ends(today, 12)
    assert covered_target_counts_on_days(days=ends, user=user) == {
        d: coverage_on(on=d, user=user).covered for d in ends
    }
    days = _boundary_days(today)
    assert len(days) > 50
    by_day = covered_target_counts_on_days(days=days, user=user)
    assert by_day == {d: coverage_on(on=d, user=user).covered for d in days}
    if persona == "province_officer":
        assert len(set(by_day.values())) > 1  # the comparison is not one constant
    with django_assert_num_queries(1):  # one aggregate over the stored spans for every day
        covered_target_counts_on_days(days=days, user=user)


@pytest.mark.django_db
def test_covered_counts_on_days_province_wide_and_with_no_day():
    from bangfu.partnerships.selectors import coverage_on, covered_target_counts_on_days

    ends = month_ends(today_local(), 12)
    assert covered_target_counts_on_days(days=ends) == {d: coverage_on(on=d).covered for d in ends}
    assert covered_target_counts_on_days(days=[]) == {}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["province_officer", "county_officer", "helper_user"])
def test_the_panels_figures_equal_the_old_computation(request, persona):
    """The trend, the activity counts and the agreements behind as they were computed before
    (twelve `coverage_on`, the month's parts, the full progress rows)."""
    from bangfu.activities.domain.progress import ProgressStatus
    from bangfu.activities.models import Activity
    from bangfu.activities.selectors import progress_rows_for_user
    from bangfu.overview.goals import headline_goals_for_user
    from bangfu.partnerships.models import Partnership
    from bangfu.partnerships.selectors import coverage_on, partnership_filter_for_user

    user = request.getfixturevalue(persona)
    today = today_local()
    trend = coverage_trend_for_user(user=user, day=today)
    assert [(t.day, t.covered) for t in trend] == [
        (d, coverage_on(on=d, user=user).covered) for d in month_ends(today, 12)
    ]
    goals = headline_goals_for_user(user=user, day=today)
    month = Activity.objects.filter(
        partnership__in=Partnership.objects.filter(partnership_filter_for_user(user)),
        date__year=today.year,
        date__month=today.month,
    )
    assert goals.activities_month == month.count()
    assert goals.activities_unconfirmed == month.filter(confirmed_at__isnull=True).count()
    rows = progress_rows_for_user(user=user, year=today.year, today=today)
    assert goals.agreements_tracked == len(rows)
    assert goals.agreements_behind == sum(
        1 for r in rows if any(m.status is ProgressStatus.BEHIND for m in r.progress.measures)
    )
    if persona == "province_officer":
        assert goals.activities_month and goals.agreements_tracked  # not all zeros


@pytest.mark.django_db
def test_the_month_filter_is_the_calendar_month():
    from bangfu.accounts.models import User
    from bangfu.activities.models import Activity

    user = User.objects.get(username="demo_province")
    for month in ("2026-02", "2024-02", "2025-12", "2026-1"):
        year, m = (int(p) for p in month.split("-"))
        listed = activity_list_for_user(user=user, filters=ActivityFilters(month=month))
        expected = Activity.objects.filter(date__year=year, date__month=m)
        assert sorted(listed.values_list("pk", flat=True)) == sorted(
            expected.values_list("pk", flat=True)
        )
    for impossible in ("2026-13", "2026-00", "0000-01"):
        assert not activity_list_for_user(user=user, filters=ActivityFilters(month=impossible))


def _more_agreements_and_activities() -> None:
    """A second, overlapping cycle for twenty signed partnerships (one terminated, some
    expiring) and their activities copied: more rows of every kind the panel reads."""
    from datetime import timedelta

    from bangfu.activities.models import Activity
    from bangfu.partnerships.models import Agreement

    today = today_local()
    source = list(Agreement.objects.filter(signed_on__isnull=False).order_by("pk")[:20])
    for i, agreement in enumerate(source):
        agreement.pk = None
        agreement.cycle_number = 90 + i
        agreement.previous = None
        agreement.start = today - timedelta(days=200 + 10 * i)
        agreement.end = today + timedelta(days=20 * i)
        agreement.signed_on = agreement.start
        agreement.terminated_on = today - timedelta(days=30) if i == 0 else None
        agreement.save()
    activities = list(Activity.objects.filter(date__gte=today - timedelta(days=60))[:100])
    for activity in activities:
        activity.pk = None
        activity.external_id = ""
    Activity.objects.bulk_create(activities)


@pytest.mark.django_db
def test_the_panels_queries_do_not_grow_with_the_data(client, province_officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(province_officer)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/overview/goals/").status_code == 200
    _more_agreements_and_activities()
    with CaptureQueriesContext(connection) as many:
        assert client.get("/overview/goals/").status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 15  # was 36: twelve coverage reads, two counts (#13)
