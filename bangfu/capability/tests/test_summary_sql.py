"""The §一 summary after its speed-up equals the computation it replaced: assisted recipients
found by walking every agreement's governed spans in Python, and ``standard_result`` with
``catalogue.for_type`` per hospital (kept below as the reference), on the demo data for every
scope and year, and on boundary agreements; its query count does not grow with the data."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

import pytest
from django.db.models import Q
from django.utils import timezone

from bangfu.capability.domain.standard import StandardResult, standard_result
from bangfu.capability.models import IndicatorValue
from bangfu.capability.selectors import (
    FIRST_YEAR,
    _decoded,
    assisted_recipient_ids,
    capability_catalogue,
    capability_summary,
    recipients_for_user,
    standard_trend_for_user,
)
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
        values = _decoded(catalogue, rows[hospital.pk])
        result = standard_result(catalogue, hospital.institution_type, values)
        standings.append((hospital.pk, result, len(values)))
    return standings


@pytest.mark.parametrize(
    "persona", ["province_officer", "prefecture_officer", "county_officer", "helper_user", None]
)
def test_summary_equals_the_python_walk_on_the_demo_data(request, persona):
    user = request.getfixturevalue(persona) if persona else None
    recipients = Q(category=InstitutionCategory.RECIPIENT)
    if user is not None:
        recipients &= recipients_for_user(user)
    today = timezone.localdate()
    compared = 0
    for year in range(FIRST_YEAR - 1, today.year + 2):
        summary = capability_summary(year=year, user=user)
        expected = _reference_standings(year, recipients)
        got = [(s.institution.pk, s.result, s.entered) for s in summary.standings]
        assert got == expected, year
        compared += len(got)
    if persona in ("province_officer", None):
        assert compared >= 10  # the demo has assisted hospitals to compare
    if user is not None:
        trend = standard_trend_for_user(user=user, today=today)
        for point in trend:
            summary = capability_summary(year=point.year, user=user)
            assert (point.assisted, point.meeting_standard, point.share) == (
                summary.assisted,
                summary.meeting_standard,
                summary.share,
            )


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


def test_summary_queries_do_not_grow_with_the_assisted_hospitals(
    province_officer, django_assert_num_queries
):
    year = timezone.localdate().year - 1
    before = capability_summary(year=year, user=province_officer)
    assert before.assisted
    with django_assert_num_queries(3) as captured:
        capability_summary(year=year, user=province_officer)
    # more assisted hospitals, with values: the same number of queries
    helper = Institution.objects.create(
        name="测试增量帮扶", category=InstitutionCategory.HELPER, province="广东省", grade="三甲"
    )
    source = before.standings[0].institution
    copied = IndicatorValue.objects.filter(institution=source, year=year)
    for county in County.objects.order_by("code")[:5]:
        recipient = Institution.objects.create(
            name=f"测试增量{county.code}",
            category=InstitutionCategory.RECIPIENT,
            institution_type=source.institution_type,
            county=county,
            prefecture=county.prefecture,
        )
        partnership = Partnership.objects.create(helper=helper, recipient=recipient)
        Agreement.objects.create(
            partnership=partnership,
            party_c="县人民政府",
            start=dt.date(year, 3, 1),
            end=dt.date(year + 2, 2, 28),
            signed_on=dt.date(year, 2, 1),
        )
        IndicatorValue.objects.bulk_create(
            IndicatorValue(
                institution=recipient,
                year=year,
                code=v.code,
                value=v.value,
                catalogue_version=v.catalogue_version,
                entered_at=v.entered_at,
            )
            for v in copied
        )
    with django_assert_num_queries(len(captured.captured_queries)):
        after = capability_summary(year=year, user=province_officer)
    assert after.assisted == before.assisted + 5
