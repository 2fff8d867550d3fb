"""The §一 summary after its speed-up equals the computation it replaced: assisted recipients
found by walking every agreement's governed spans in Python, and ``standard_result`` with
``catalogue.for_type`` per hospital (kept below as the reference), on the demo data for every
scope and year, and on boundary agreements; its query count does not grow with the data."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db.models import Q
from django.utils import timezone

from bangfu.capability.assisted import assisted_refresh_all
from bangfu.capability.domain.standard import StandardResult, standard_result
from bangfu.capability.models import IndicatorValue
from bangfu.capability.selectors import (
    FIRST_YEAR,
    CapabilitySummary,
    assisted_recipient_ids,
    capability_catalogue,
    capability_summary,
    hospital_standings,
    recipients_for_user,
    standard_trend_for_user,
)
from bangfu.capability.standings import Judge, standings_refresh_all
from bangfu.partnerships.domain.coverage import CoverageAgreement, agreement_counts_for_coverage
from bangfu.partnerships.domain.lifecycle import agreement_status, in_force_on
from bangfu.partnerships.models import Agreement, Partnership
from bangfu.partnerships.selectors import agreement_facts, governed_spans_of, in_force_during_q
from bangfu.policy.loader import load_policy
from bangfu.registry.models import County, Institution, InstitutionCategory, InstitutionType

pytestmark = pytest.mark.django_db


def _reference_assisted(year: int, recipients: Q) -> set[int]:
    """The walk the SQL replaced (commit d9ef5d3): every agreement of the year through
    ``governed_spans_of``, the status of each governing agreement on its span's first day."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    policy = load_policy()
    agreements = (
        Agreement.objects.filter(
            signed_on__lte=last,
            start__lte=last,
            end__gte=first,
            partnership__recipient__category=InstitutionCategory.RECIPIENT,
            partnership__recipient__in=Institution.objects.filter(recipients),
        )
        .filter(Q(terminated_on__isnull=True) | Q(terminated_on__gt=first))
        .select_related("partnership__helper")
    )
    cycles: dict[int, list[Agreement]] = defaultdict(list)
    for agreement in agreements:
        cycles[agreement.partnership_id].append(agreement)
    assisted: set[int] = set()
    for partnership_cycles in cycles.values():
        helper = partnership_cycles[0].partnership.helper
        for span_first, _last, agreement in governed_spans_of(partnership_cycles, first, last):
            status = agreement_status(
                agreement_facts(agreement, has_next_cycle=False),
                span_first,
                policy.cycle.expiring_window_days,
            ).status
            counted = CoverageAgreement(
                agreement_id=agreement.pk,
                recipient_county_code="",
                helper_province=helper.province,
                helper_grade=helper.grade,
                status=status,
            )
            if agreement_counts_for_coverage(counted, policy.helper_eligibility):
                assisted.add(partnership_cycles[0].partnership.recipient_id)
                break
    return assisted


def _reference_standings(year: int, recipients: Q) -> list[tuple[int, StandardResult, int]]:
    ids = _reference_assisted(year, recipients)
    catalogue = capability_catalogue()
    rows = defaultdict(list)
    for row in IndicatorValue.objects.filter(year=year, institution_id__in=ids):
        rows[row.institution_id].append(row)
    standings = []
    for hospital in Institution.objects.filter(pk__in=ids).order_by("county__code", "name"):
        values = Judge(catalogue).decoded((r.code, r.value) for r in rows[hospital.pk])
        result = standard_result(catalogue, hospital.institution_type, values)
        standings.append((hospital.pk, result, len(values)))
    return standings


@dataclass(frozen=True)
class _Reference:
    """The summary as the Python computation gave it (commit before ADR 0021): every assisted
    hospital's values decoded and judged by ``standard_result``."""

    assisted: int
    meeting: int
    share: Decimal | None
    hospitals: list[tuple[int, bool, int, int]]  # pk, meets, shortfall, entered
    by_county: dict[str, tuple[int, int]]
    by_prefecture: list[tuple[str, str, int, int]]
    closest: list[tuple[int, int, int, int, int, int, int]]


def _reference_summary(year: int, recipients: Q) -> _Reference:
    standings = _reference_standings(year, recipients)
    hospitals = Institution.objects.select_related("county__prefecture").in_bulk(
        [pk for pk, _, _ in standings]
    )
    by_county: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_prefecture: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for pk, result, _ in standings:
        county = hospitals[pk].county
        assert county is not None
        by_county[county.code][0] += 1
        by_county[county.code][1] += int(result.meets)
        key = (county.prefecture.code, county.prefecture.name)
        by_prefecture[key][0] += 1
        by_prefecture[key][1] += int(result.meets)
    behind = sorted(
        (s for s in standings if not s[1].meets),
        key=lambda s: (s[1].shortfall, hospitals[s[0]].name),
    )
    assisted, meeting = len(standings), sum(1 for _, r, _ in standings if r.meets)
    return _Reference(
        assisted=assisted,
        meeting=meeting,
        share=(Decimal(meeting) / Decimal(assisted)).quantize(Decimal("0.0001"))
        if assisted
        else None,
        hospitals=[(pk, r.meets, r.shortfall, entered) for pk, r, entered in standings],
        by_county={code: (n, m) for code, (n, m) in by_county.items()},
        by_prefecture=[(c, name, n, m) for (c, name), (n, m) in sorted(by_prefecture.items())],
        closest=[
            (
                pk,
                r.shortfall,
                r.core_met,
                r.core_total,
                r.others_met,
                r.others_total,
                r.others_needed,
            )
            for pk, r, _ in behind
        ],
    )


def _got(summary: CapabilitySummary) -> _Reference:
    closest = summary.closest_to_passing(limit=10_000)
    return _Reference(
        assisted=summary.assisted,
        meeting=summary.meeting_standard,
        share=summary.share,
        hospitals=[
            (s.institution.pk, s.meets, s.shortfall, s.entered)
            for s in hospital_standings(summary.hospitals())
        ],
        by_county={
            code: (c.assisted, c.meeting_standard) for code, c in summary.by_county().items()
        },
        by_prefecture=summary.by_prefecture(),
        closest=[
            (
                s.institution.pk,
                s.shortfall,
                s.core_met,
                s.core_total,
                s.others_met,
                s.others_total,
                s.others_needed,
            )
            for s in closest
        ],
    )


@pytest.mark.parametrize(
    "persona", ["province_officer", "prefecture_officer", "county_officer", "helper_user", None]
)
def test_summary_equals_the_python_computation_on_the_demo_data(request, persona):
    """Counts, by county, by prefecture, the closest to passing (all of them and the first ten),
    every hospital's standing and the trend: the SQL over the stored standings equals the
    Python computation it replaced, for every scope and year (years without values too)."""
    user = request.getfixturevalue(persona) if persona else None
    recipients = Q(category=InstitutionCategory.RECIPIENT)
    if user is not None:
        recipients &= recipients_for_user(user)
    today = timezone.localdate()
    compared = 0
    for year in range(FIRST_YEAR - 1, today.year + 2):
        summary = capability_summary(year=year, user=user)
        expected = _reference_summary(year, recipients)
        assert _got(summary) == expected, year
        assert [s.institution.pk for s in summary.closest_to_passing()] == [
            c[0] for c in expected.closest[:10]
        ]
        for n, (code, county) in enumerate(sorted(summary.by_county().items())):
            narrowed = capability_summary(year=year, user=user, county=code)
            assert (narrowed.assisted, narrowed.meeting_standard) == expected.by_county[code]
            if n < 3:  # a county's own breakdowns, as the map's drill-down would read them
                assert _got(county) == _got(narrowed)
        for code, _name, n, m in expected.by_prefecture:
            narrowed = capability_summary(year=year, user=user, prefecture=code)
            assert (narrowed.assisted, narrowed.meeting_standard) == (n, m)
        compared += len(expected.hospitals)
    if persona in ("province_officer", None):
        assert compared >= 10  # the demo has assisted hospitals to compare
    if user is not None:
        trend = standard_trend_for_user(user=user, today=today)
        assert [p.year for p in trend] == list(range(FIRST_YEAR, today.year))
        for point in trend:
            expected = _reference_summary(point.year, recipients)
            assert (point.assisted, point.meeting_standard, point.share) == (
                expected.assisted,
                expected.meeting,
                expected.share,
            )


def test_the_trend_equals_the_python_computation_over_several_years(province_officer):
    """The demo has values for one year: copy them to the years around it (with the assisted
    hospitals of those years) so the one trend query counts several years."""
    today = timezone.localdate()
    source_year = today.year - 1
    recipients = Q(category=InstitutionCategory.RECIPIENT) & recipients_for_user(province_officer)
    rows = list(IndicatorValue.objects.filter(year=source_year).order_by("pk"))
    for offset, year in enumerate((source_year + 1, source_year + 2)):
        IndicatorValue.objects.bulk_create(
            IndicatorValue(
                institution_id=r.institution_id,
                year=year,
                code=r.code,
                value=r.value,
                catalogue_version=r.catalogue_version,
                entered_at=r.entered_at,
            )
            for n, r in enumerate(rows)
            if (n + offset) % 3  # some hospitals fewer values: other results
        )
    standings_refresh_all()
    later = dt.date(today.year + 3, 6, 1)
    trend = standard_trend_for_user(user=province_officer, today=later)
    assert len(trend) >= 4
    assert sum(1 for p in trend if p.meeting_standard) >= 1
    for point in trend:
        expected = _reference_summary(point.year, recipients)
        assert (point.assisted, point.meeting_standard, point.share) == (
            expected.assisted,
            expected.meeting,
            expected.share,
        ), point.year


FAR = 2040
EDGES = [
    dt.date(FAR - 1, 12, 31),
    dt.date(FAR, 1, 1),
    dt.date(FAR, 1, 2),
    dt.date(FAR, 6, 1),
    dt.date(FAR, 12, 31),
    dt.date(FAR + 1, 1, 1),
]


def test_in_force_during_equals_in_force_on_some_day_for_boundary_agreements():
    county = County.objects.order_by("code").first()
    assert county is not None
    helper = Institution.objects.create(
        name="测试边界帮扶", category=InstitutionCategory.HELPER, province="广东省", grade="三甲"
    )
    recipient = Institution.objects.create(
        name="测试边界受扶",
        category=InstitutionCategory.RECIPIENT,
        institution_type=InstitutionType.GENERAL,
        county=county,
        prefecture=county.prefecture,
    )
    partnership = Partnership.objects.create(helper=helper, recipient=recipient)
    cycle = itertools.count(1)
    optional = [None, *EDGES]
    agreements = [
        Agreement(
            partnership=partnership,
            cycle_number=next(cycle),
            party_c="县人民政府",
            start=start,
            end=end,
            signed_on=signed,
            terminated_on=terminated,
        )
        for start, end in itertools.combinations(EDGES, 2)
        for signed in optional
        for terminated in optional
    ]
    Agreement.objects.bulk_create(agreements)
    assisted_refresh_all()  # bulk_create bypassed the services
    days = [dt.date(FAR, 1, 1) + dt.timedelta(days=n) for n in range(365)]
    mine = Agreement.objects.filter(partnership=partnership)
    found = set(mine.filter(in_force_during_q(days[0], days[-1])).values_list("pk", flat=True))
    expected = {
        a.pk
        for a in mine
        if any(in_force_on(agreement_facts(a, has_next_cycle=False), d) for d in days)
    }
    assert found == expected
    assert 0 < len(expected) < len(agreements)
    # and the recipient is assisted exactly when one of them is (the reference walk agrees)
    only = Q(pk=recipient.pk)
    assert assisted_recipient_ids(year=FAR, recipients=only) == _reference_assisted(FAR, only)
    assert assisted_recipient_ids(year=FAR, recipients=only) == {recipient.pk}
    assert assisted_recipient_ids(year=FAR + 2, recipients=only) == set()


def _read_everything(user) -> int:
    """What the summary page, its API, the map and the goals panel read of the summary."""
    year = timezone.localdate().year - 1
    summary = capability_summary(year=year, user=user)
    summary.by_county()
    summary.by_prefecture()
    summary.closest_to_passing()
    hospital_standings(summary.hospitals()[:50])
    standard_trend_for_user(user=user, today=timezone.localdate())
    return summary.assisted


def _more_assisted_hospitals(year: int, source: Institution, n: int, tag: str = "") -> None:
    """One more assisted hospital in each of the first ``n`` counties, with ``source``'s values
    of ``year`` and the year before (two stored standings each)."""
    helper = Institution.objects.create(
        name=f"测试增量帮扶{tag}{n}",
        category=InstitutionCategory.HELPER,
        province="广东省",
        grade="三甲",
    )
    copied = list(IndicatorValue.objects.filter(institution=source, year=year))
    for county in County.objects.order_by("code")[:n]:
        recipient = Institution.objects.create(
            name=f"测试增量{tag}{n}-{county.code}",
            category=InstitutionCategory.RECIPIENT,
            institution_type=source.institution_type,
            county=county,
            prefecture=county.prefecture,
        )
        partnership = Partnership.objects.create(helper=helper, recipient=recipient)
        Agreement.objects.create(
            partnership=partnership,
            party_c="县人民政府",
            start=dt.date(year - 1, 3, 1),
            end=dt.date(year + 2, 2, 28),
            signed_on=dt.date(year - 1, 2, 1),
        )
        IndicatorValue.objects.bulk_create(
            IndicatorValue(
                institution=recipient,
                year=y,
                code=v.code,
                value=v.value,
                catalogue_version=v.catalogue_version,
                entered_at=v.entered_at,
            )
            for v in copied
            for y in (year - 1, year)
        )
    standings_refresh_all()  # create and bulk_create bypassed the services (assisted years too)


def test_summary_queries_do_not_grow_with_the_assisted_hospitals(
    province_officer, django_assert_num_queries
):
    year = timezone.localdate().year - 1
    before = capability_summary(year=year, user=province_officer)
    assert before.assisted
    # the summary: one count over the stored assisted years and standings; by county, by
    # prefecture, the closest, a page of hospitals: one query each; the trend: one GROUP BY year
    with django_assert_num_queries(6) as captured:
        _read_everything(province_officer)
    # more assisted hospitals, with values: the same number of queries
    _more_assisted_hospitals(year, before.closest_to_passing(limit=1)[0].institution, 5)
    with django_assert_num_queries(len(captured.captured_queries)):
        assisted = _read_everything(province_officer)
    assert assisted == before.assisted + 5


PAGES = (
    "/capability/",
    "/capability/?page=2",
    "/api/v1/capability/summary?year={year}",
    "/overview/map/?metric=standard",
    "/api/v1/map/counties?metric=standard",
    "/overview/goals/",
)


@pytest.mark.parametrize("persona", ["province_officer", "county_officer"])
def test_the_pages_queries_do_not_grow_with_the_standings(client, api_client, request, persona):
    """The summary page (first and a later page), its API, the map's standard metric (page and
    API) and the goals panel: the same queries with one and with three more assisted hospitals
    in every county, each with two years of values (more than a page of hospitals)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = request.getfixturevalue(persona)
    year = timezone.localdate().year - 1
    api_client.login(user)
    client.force_login(user)

    def counts() -> list[int]:
        found = []
        for url in PAGES:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(
                    url.format(year=year),
                    headers={"Authorization": f"Bearer {api_client.token}"}
                    if url.startswith("/api/")
                    else {},
                )
            assert response.status_code == 200, (url, response.content[:300])
            found.append(len(queries))
        return found

    source = capability_summary(year=year).closest_to_passing(limit=1)[0].institution
    counties = County.objects.count()
    _more_assisted_hospitals(year, source, counties, "a")
    counts()  # warm: the session's and the token's first-use writes
    few = counts()
    _more_assisted_hospitals(year, source, counties, "b")
    _more_assisted_hospitals(year, source, counties, "c")
    assert capability_summary(year=year).assisted >= 3 * counties
    assert counts() == few
