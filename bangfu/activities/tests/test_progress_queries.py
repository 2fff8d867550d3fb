"""Progress of many agreements: the same rows as the straightforward computation, in a constant
number of queries (bench/README.md, activity progress)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bangfu.activities.domain.progress import ActivityFact, YearProgress, year_progress
from bangfu.activities.models import Activity
from bangfu.activities.selectors import agreement_terms, progress_rows_for_user
from bangfu.partnerships.models import Agreement, AgreementMeasure, Partnership
from bangfu.policy.loader import load_policy


def _reference_rows(year: int, today: date) -> list[tuple[int, YearProgress]]:
    """The computation as it was before the activities query was narrowed: every activity of
    the partnership from 1 January of ``year - 5`` as model instances, for every agreement."""
    policy = load_policy()
    agreements = list(
        Agreement.objects.filter(
            signed_on__isnull=False, start__lte=date(year, 12, 31), end__gte=date(year, 1, 1)
        )
        .prefetch_related("measures")
        .order_by("partnership__recipient__county__code", "partnership__recipient__name", "pk")
    )
    facts: dict[int, list[ActivityFact]] = defaultdict(list)
    for a in Activity.objects.filter(date__gte=date(year - 5, 1, 1), date__lte=date(year, 12, 31)):
        facts[a.partnership_id].append(
            ActivityFact(
                day=a.date,
                kind=a.kind,
                quantities=a.quantities,
                attributes=a.attributes,
                department=a.department,
                confirmed=a.confirmed_at is not None,
            )
        )
    rows: list[tuple[int, YearProgress]] = []
    for agreement in agreements:
        terms = agreement_terms(agreement)
        if terms is None:
            continue
        result = year_progress(
            terms,
            year,
            facts[agreement.partnership_id],
            policy.activity_catalogue,
            today=today,
            default_team_size=policy.team.min_size,
        )
        if result is not None:
            rows.append((agreement.pk, result))
    return rows


def test_rows_equal_the_full_computation_on_the_demo_data(province_officer):
    today = timezone.localdate()
    for year, day in ((today.year, today), (today.year - 1, date(today.year - 1, 12, 31))):
        expected = _reference_rows(year, day)
        rows = progress_rows_for_user(user=province_officer, year=year, today=day)
        assert expected, year
        assert [(r.agreement.pk, r.progress) for r in rows] == expected


def test_centre_building_from_before_the_year_still_counts(province_officer):
    """A1-(2) counts centres from the agreement's start, so a centre of the year before counts."""
    with_m02 = (
        Agreement.objects.filter(signed_on__isnull=False, terminated_on__isnull=True)
        .filter(end__gt=F("start") + timedelta(days=400))
        .order_by("pk")
        .first()
    )
    assert with_m02 is not None
    AgreementMeasure.objects.update_or_create(
        agreement=with_m02, code="M02", defaults={"targets": {"centres": "5", "years": "3"}}
    )
    year = with_m02.start.year + 1
    Activity.objects.create(
        partnership_id=with_m02.partnership_id,
        date=max(with_m02.start, with_m02.signed_on, date(year - 1, 12, 1)),
        kind="centre_building",
        quantities={},
        attributes={"centre": "测试中心", "stage": "通过省级"},
        confirmed_at=timezone.now(),
        confirmed_by=province_officer,
        recorded_by=province_officer,
        recorded_side="recipient",
        title="上一年的中心",
    )
    day = date(year, 6, 30)
    expected = dict(_reference_rows(year, day))
    rows = progress_rows_for_user(user=province_officer, year=year, today=day)
    assert {r.agreement.pk: r.progress for r in rows} == expected
    m02 = next(m for m in expected[with_m02.pk].measures if m.code == "M02")
    assert m02.achieved >= 1


def _more_activities() -> None:
    """Copies every activity onto every other signed partnership (more rows per agreement)."""
    source = list(Activity.objects.filter(date__gte=timezone.localdate() - timedelta(days=365)))
    targets = list(Partnership.objects.filter(agreements__signed_on__isnull=False).distinct()[:20])
    copies = []
    for partnership in targets:
        for activity in source[:40]:
            activity.pk = None
            activity.partnership_id = partnership.pk
            activity.external_id = ""
            copies.append(activity)
    Activity.objects.bulk_create(copies)


def test_progress_overview_queries_do_not_grow_with_the_data(client, province_officer):
    client.force_login(province_officer)
    url = reverse("activities:progress_overview")
    urls = [
        (url, {}),
        (url, {"by": "county", "county": "520526"}),
        (reverse("overview:goals_panel"), {}),
    ]
    few = []
    for path, params in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path, params).status_code == 200
        few.append(len(queries))
    _more_activities()
    many = []
    for path, params in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path, params).status_code == 200
        many.append(len(queries))
    assert many == few
