"""The SQL statuses (ADR 0012) equal the domain's, for every agreement and partnership of the
demo data, on days chosen around every date the rule turns on (boundary days included)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangfu.partnerships.coverage_report import coverage_report_for_user
from bangfu.partnerships.domain.lifecycle import agreement_status
from bangfu.partnerships.models import Agreement, Partnership
from bangfu.partnerships.selectors import (
    PartnershipFilters,
    agreement_facts,
    gap_report_for_user,
    governing_agreement_of,
    governing_agreements,
    partnership_list_for_user,
    with_current_status,
    with_status,
)
from bangfu.policy.loader import load_policy

pytestmark = pytest.mark.django_db

ONE = timedelta(days=1)


def _days() -> list[date]:
    """Each boundary of the rule, the day before and after it: starts, ends, signatures,
    terminations and the first expiring day (end - window + 1) of every demo agreement,
    thinned to at most 40 days so the test stays quick, plus today."""
    window = load_policy().cycle.expiring_window_days
    edges: set[date] = set()
    for a in Agreement.objects.all():
        for day in (a.start, a.end, a.signed_on, a.terminated_on):
            if day is not None:
                edges.add(day)
        edges.add(a.end - timedelta(days=window - 1))
    around = sorted({d + k * ONE for d in edges for k in (-1, 0, 1)})
    step = max(1, len(around) // 40)
    return [*around[::step], date.today()]


def test_every_agreement_status_in_sql_equals_the_domain():
    window = load_policy().cycle.expiring_window_days
    successors = set(Agreement.objects.values_list("previous_id", flat=True))
    agreements = list(Agreement.objects.all())
    assert len(agreements) > 20
    seen: set[str] = set()
    for day in _days():
        sql = dict(with_status(Agreement.objects.all(), day).values_list("pk", "sql_status"))
        for a in agreements:
            facts = agreement_facts(a, has_next_cycle=a.pk in successors)
            expected = agreement_status(facts, day, window).status.value
            assert sql[a.pk] == expected, (a.pk, day)
            seen.add(expected)
    # The days cover every status the demo data can take.
    assert {"draft", "active", "expiring", "expired", "renewed", "terminated"} <= seen


def test_every_partnership_current_cycle_and_status_in_sql_equal_the_rows(province_officer):
    for day in _days()[::4]:
        rows = list(partnership_list_for_user(user=province_officer, today=day))
        sql = {
            p.pk: (p.current_agreement_id, p.current_status, p.current_end)
            for p in with_current_status(Partnership.objects.all(), day)
        }
        for row in rows:
            current = row.current
            expected = (
                (current.agreement.pk, current.status.status.value, current.agreement.end)
                if current
                else (None, None, None)
            )
            assert sql[row.partnership.pk] == expected, (row.partnership.pk, day)


@pytest.mark.parametrize("status", ["active", "expiring", "expired", "renewed", "draft"])
def test_status_filter_counts_and_pages_in_the_database(province_officer, status):
    for day in _days()[::8]:
        everything = list(partnership_list_for_user(user=province_officer, today=day))
        expected = [r.partnership.pk for r in everything if r.status == status]
        filtered = partnership_list_for_user(
            user=province_officer, today=day, filters=PartnershipFilters(status=status)
        )
        assert len(filtered) == len(expected)
        assert [r.partnership.pk for r in filtered[0:3]] == expected[:3]
        assert [r.partnership.pk for r in filtered] == expected


@pytest.mark.parametrize(
    "persona_name", ["province_officer", "county_officer", "helper_user", "recipient_user"]
)
def test_coverage_lists_equal_the_python_gap_report(request, persona_name):
    """Gaps and unpaired recipients read from plain dates (and SQL candidates) equal
    `gap_report_for_user`, which builds every partnership row; the expiring list equals the
    rows whose domain status is expiring."""
    user = request.getfixturevalue(persona_name)
    for day in _days()[::10]:
        report = coverage_report_for_user(user=user, day=day)
        python = gap_report_for_user(user=user, today=day)
        assert [g.gap for g in report.gaps] == python.gaps, day
        unpaired = sorted(
            (u.item.recipient, u.item.days_since_last_end, u.item.next_start, u.item.reasons)
            for u in [*report.lapsed, *report.never_paired]
        )
        assert unpaired == sorted(
            (u.recipient, u.days_since_last_end, u.next_start, u.reasons) for u in python.unpaired
        ), day
        assert len(report.gaps[0:2]) == min(2, len(python.gaps))
        expected = [
            r.partnership.pk
            for r in partnership_list_for_user(user=user, today=day)
            if r.status == "expiring"
        ]
        assert [r.partnership.pk for r in report.expiring] == expected
        assert len(report.expiring) == len(expected)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/partnerships/?status=expiring",
        "/partnerships/?status=active&mode=east_west",
        "/partnerships/?expiring_within_days=400",
        "/partnerships/export.xlsx?status=active",
        "/partnerships/coverage/export.xlsx",
        "/partnerships/coverage/",
        "/",
    ],
)
def test_filtered_lists_and_coverage_cost_the_same_queries_at_two_sizes(
    client, province_officer, make_partnership, unpaired_recipients, today, url
):
    client.force_login(province_officer)
    _queries(client, url)  # warm up: session, caches
    before = _queries(client, url)
    for n, recipient in enumerate(unpaired_recipients[:6]):
        # active, expiring (ends within the window) and a gap (ended, not renewed)
        start = today - timedelta(days=400 + 300 * (n % 3))
        make_partnership(recipient, start=start, end=start + timedelta(days=420 + 200 * (n % 2)))
    assert _queries(client, url) == before


def test_governing_agreements_in_sql_equal_the_domain(province_officer):
    for day in _days()[::3]:
        rows = partnership_list_for_user(user=province_officer, today=day)
        expected = {
            r.partnership.pk: governing.pk
            for r in rows
            if (governing := governing_agreement_of([c.agreement for c in r.cycles], day))
        }
        sql = dict(governing_agreements(day).values_list("partnership_id", "pk"))
        assert sql == expected, day


@pytest.mark.parametrize("within", [0, 30, 89, 90, 400])
def test_expiring_within_days_filter_equals_the_rows(province_officer, within):
    for day in _days()[::8]:
        horizon = day + timedelta(days=within)
        rows = list(partnership_list_for_user(user=province_officer, today=day))
        within_rows = [
            r
            for r in rows
            if r.current is not None
            and r.current.status.status.in_force
            and r.current.agreement.end <= horizon
        ]
        for status in ("", "expiring"):
            wanted = [r.partnership.pk for r in within_rows if not status or r.status == status]
            filtered = partnership_list_for_user(
                user=province_officer,
                today=day,
                filters=PartnershipFilters(status=status, expiring_within_days=within),
            )
            assert [r.partnership.pk for r in filtered] == wanted, (day, status)
            assert len(filtered) == len(wanted)
