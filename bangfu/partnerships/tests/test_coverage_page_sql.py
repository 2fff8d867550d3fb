"""The coverage page at national scale (issue #13): its figures equal the domain's computation
over every agreement, its two unpaired lists read their first pages in one query, and its
query count does not grow with the data, for every persona that sees it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangfu.partnerships import selectors
from bangfu.partnerships.coverage_report import coverage_report_for_user
from bangfu.partnerships.domain.coverage import (
    CountyFacts,
    CoverageAgreement,
    ProgramGroup,
    county_coverage,
)
from bangfu.partnerships.domain.lifecycle import agreement_status, in_force_on
from bangfu.partnerships.gap_store import gaps_refresh_partnerships
from bangfu.partnerships.models import Agreement, Partnership
from bangfu.partnerships.selectors import (
    agreement_facts,
    coverage_on,
    gap_report_for_user,
    partnership_filter_for_user,
    partnership_list_for_user,
    unpaired_for_user,
)
from bangfu.policy.loader import load_policy
from bangfu.registry.models import County, Institution
from bangfu.registry.scope import scope_for_user

pytestmark = pytest.mark.django_db

ONE = timedelta(days=1)
PERSONAS = ["province_officer", "prefecture_officer", "county_officer", "helper_user"]


def _days() -> list[date]:
    """Today and the days around the demo agreements' starts, ends, signatures and
    terminations (the day before, on and after), thinned to about a dozen."""
    edges: set[date] = set()
    for a in Agreement.objects.all():
        edges.update(d for d in (a.start, a.end, a.signed_on, a.terminated_on) if d is not None)
    around = sorted({d + k * ONE for d in edges for k in (-1, 0, 1)})
    return [*around[:: max(1, len(around) // 12)], date.today()]


def _coverage_in_python(user, day: date):
    """`county_coverage` over every agreement in scope, judged one by one by the domain
    (`in_force_on`, `agreement_status`): the computation the SQL grouping replaces."""
    policy = load_policy()
    counties = scope_for_user(user).counties(County.objects.select_related("prefecture"))
    successors = set(Agreement.objects.values_list("previous_id", flat=True))
    agreements = Agreement.objects.filter(
        partnership__in=Partnership.objects.filter(partnership_filter_for_user(user)),
        partnership__recipient__county__isnull=False,
    ).select_related("partnership__helper", "partnership__recipient__county")
    in_force = []
    for a in agreements:
        facts = agreement_facts(a, has_next_cycle=a.pk in successors)
        county = a.partnership.recipient.county
        if county is not None and in_force_on(facts, day):
            in_force.append(
                CoverageAgreement(
                    agreement_id=a.pk,
                    recipient_county_code=county.code,
                    helper_province=a.partnership.helper.province,
                    helper_grade=a.partnership.helper.grade,
                    status=agreement_status(facts, day, policy.cycle.expiring_window_days).status,
                )
            )
    return county_coverage(
        [CountyFacts(c.code, c.prefecture.code, ProgramGroup(c.programme_group)) for c in counties],
        in_force,
        policy.helper_eligibility,
    )


@pytest.mark.parametrize("persona_name", PERSONAS)
def test_coverage_figures_equal_the_domain_over_every_agreement(request, persona_name):
    user = request.getfixturevalue(persona_name)
    for day in _days():
        assert coverage_on(on=day, user=user) == _coverage_in_python(user, day), day


def _unpaired_in_python(user, day: date):
    """`recipients_without_helper` over every partnership row (`gap_report_for_user`), split
    and ordered as the page shows them: lapsed longest without a helper first, then by county
    code, name and id; never paired by county code, name and id."""
    items = gap_report_for_user(user=user, today=day).unpaired
    recipients = Institution.objects.select_related("county").in_bulk([u.recipient for u in items])

    def place(pk: int) -> tuple[str, str, int]:
        r = recipients[pk]
        return (r.county.code if r.county else "", r.name, r.pk)

    lapsed = sorted(
        (u for u in items if u.days_since_last_end is not None),
        key=lambda u: (-(u.days_since_last_end or 0), *place(u.recipient)),
    )
    never = sorted(
        (u for u in items if u.days_since_last_end is None), key=lambda u: place(u.recipient)
    )
    return lapsed, never


@pytest.mark.parametrize("persona_name", PERSONAS)
@pytest.mark.parametrize("first_page", [50, 3])
def test_both_unpaired_lists_equal_the_domain_in_order_on_every_page(
    request, monkeypatch, persona_name, first_page
):
    """With the first page read together (`UnpairedFirstPages`), each list keeps its order,
    its total and its later pages; a first page of 3 makes the demo's lists span pages."""
    monkeypatch.setattr(selectors, "FIRST_PAGE", first_page)
    user = request.getfixturevalue(persona_name)
    for day in _days()[::2]:
        lapsed, never = _unpaired_in_python(user, day)
        unpaired = unpaired_for_user(user=user, today=day)
        for lazy, expected in ((unpaired.lapsed, lapsed), (unpaired.never_paired, never)):
            assert len(lazy) == len(expected), day
            assert lazy[0:first_page] == expected[0:first_page], day
            assert lazy[first_page : first_page + 5] == expected[first_page : first_page + 5]
            assert list(lazy) == expected, day


def test_the_two_unpaired_lists_read_their_first_pages_in_one_query(province_officer, today):
    unpaired = unpaired_for_user(user=province_officer, today=today)
    with CaptureQueriesContext(connection) as ctx:
        counts = len(unpaired.lapsed), len(unpaired.never_paired)
    assert len(ctx.captured_queries) == 1
    assert counts[1] > 0  # the demo has recipients that never had a helper


def test_a_page_of_partnerships_reads_its_cycles_without_joining_the_parties(province_officer):
    rows = partnership_list_for_user(user=province_officer)
    with CaptureQueriesContext(connection) as ctx:
        rows[0:5]
    cycles = ctx.captured_queries[1]["sql"]
    assert "partnerships_agreement" in cycles and "JOIN" not in cycles


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# Offsets (start, end) in days from today: expiring soon, ended (a trailing gap and a lapsed
# recipient), in force for long.
GROWTH = [(-400, 20), (-700, -100), (-100, 600)]


def _grow(helper: Institution, recipients: list[Institution], today: date) -> None:
    """Written as a bulk load is (no services): the stored gaps refreshed after (ADR 0023)."""
    partnerships = []
    for n, recipient in enumerate(recipients):
        start, end = GROWTH[n % 3]
        partnership = Partnership.objects.create(
            helper=helper, recipient=recipient, modes=["east_west"]
        )
        Agreement.objects.create(
            partnership=partnership,
            cycle_number=1,
            party_c="测试县人民政府",
            start=today + start * ONE,
            end=today + end * ONE,
            signed_on=today + (start - 10) * ONE,
        )
        partnerships.append(partnership.pk)
    gaps_refresh_partnerships(partnerships)


def _sizes(user, today: date) -> tuple[int, int]:
    report = coverage_report_for_user(user=user, day=today)
    return len(report.gaps), len(report.expiring)


def assert_same_queries_at_two_sizes(
    request, client, persona_name, eligible_helper, unpaired_recipients, today, urls, queries
) -> None:
    """Partnerships in every list the coverage page shows (expiring, gaps, lapsed, in force), in
    the persona's own scope (for the helper, with its own hospital), then as many again with
    another helper: the lists grow, the query count of each of `urls` (`queries(client, url)`)
    does not. (An empty list costs fewer queries than a filled one: nothing to fetch for its
    rows; so both sizes have them.)"""
    user = request.getfixturevalue(persona_name)
    if persona_name == "helper_user":
        helper, recipients = user.institution, unpaired_recipients[:6]
    else:
        helper = eligible_helper
        recipients = list(
            scope_for_user(user)
            .institutions(Institution.objects.filter(category="recipient"))
            .exclude(partnerships_as_recipient__helper=helper)
            .order_by("pk")[:6]
        )
    assert len(recipients) >= 3  # one of each shape in GROWTH
    _grow(helper, recipients, today)
    client.force_login(user)
    for url in urls:
        queries(client, url)  # warm up: session, caches
    before = {url: queries(client, url) for url in urls}
    shown = _sizes(user, today)
    other = (
        Institution.objects.filter(category="helper", grade="三甲")
        .exclude(province="贵州省")
        .exclude(pk__in=[helper.pk, eligible_helper.pk])
        .order_by("pk")
        .first()
    )
    assert other is not None
    _grow(other, recipients, today)
    if persona_name == "helper_user":  # its scope is its own partnerships
        _grow(helper, unpaired_recipients[6:12], today)
    assert {url: queries(client, url) for url in urls} == before
    grown = _sizes(user, today)
    assert all(g > s for g, s in zip(grown, shown, strict=True)), (shown, grown)


@pytest.mark.parametrize("persona_name", PERSONAS)
def test_the_coverage_page_costs_the_same_queries_at_two_sizes(
    request, client, persona_name, eligible_helper, unpaired_recipients, today
):
    assert_same_queries_at_two_sizes(
        request,
        client,
        persona_name,
        eligible_helper,
        unpaired_recipients,
        today,
        ["/partnerships/coverage/"],
        _queries,
    )
