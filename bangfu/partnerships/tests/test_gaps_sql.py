"""Gaps (断档) and unpaired recipients found in SQL (`SqlGaps`, `SqlUnpaired`, ADR 0012) equal
the domain's `find_gaps` and `recipients_without_helper`: on the demo data around every
boundary day, on a table of hand-made cycle chains, and on generated ones (hypothesis) with
starts, ends, signatures and terminations a day apart."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bangfu.partnerships import selectors
from bangfu.partnerships.domain.lifecycle import (
    AgreementFacts,
    find_gaps,
    recipients_without_helper,
)
from bangfu.partnerships.models import Agreement, Partnership
from bangfu.partnerships.selectors import (
    SqlGaps,
    agreement_facts,
    gaps_for_user,
    unpaired_for_user,
)
from bangfu.partnerships.tests.test_status_sql import _days
from bangfu.registry.models import Institution

pytestmark = pytest.mark.django_db

ONE = timedelta(days=1)
DAY = date(2026, 6, 15)

# A cycle relative to DAY: (start, end, signed, terminated) as day offsets; None = not set.
Cycle = tuple[int, int, int | None, int | None]


def _facts_by_partnership(partnerships) -> dict[int, list[AgreementFacts]]:
    by_pair: dict[int, list[AgreementFacts]] = defaultdict(list)
    for a in Agreement.objects.filter(partnership__in=partnerships):
        by_pair[a.partnership_id].append(agreement_facts(a, has_next_cycle=False))
    return dict(by_pair)


def _make(helper: Institution, recipients: list[Institution], chains: list[list[Cycle]]):
    partnerships = []
    for recipient, chain in zip(recipients, chains, strict=False):
        p = Partnership.objects.create(helper=helper, recipient=recipient, modes=["east_west"])
        for number, (start, end, signed, terminated) in enumerate(chain, start=1):
            Agreement.objects.create(
                partnership=p,
                cycle_number=number,
                party_c="测试县人民政府",
                start=DAY + start * ONE,
                end=DAY + end * ONE,
                signed_on=None if signed is None else DAY + signed * ONE,
                terminated_on=None if terminated is None else DAY + terminated * ONE,
            )
        partnerships.append(p)
    return partnerships


def _assert_sql_gaps_equal_the_domain(partnerships, today: date) -> None:
    expected = find_gaps(_facts_by_partnership(partnerships), today)
    gaps = SqlGaps(Agreement.objects.filter(partnership__in=partnerships), today)
    assert len(gaps) == len(expected)
    assert list(gaps) == expected
    assert gaps[0:2] == expected[0:2]
    assert gaps[1:] == expected[1:]
    if expected:
        assert gaps[-1] == expected[-1]
    counties = {p.pk: p.recipient.county_id for p in partnerships}
    assert gaps.county_ids() == {counties[g.pair] for g in expected} - {None}


@pytest.fixture
def parties(eligible_helper, unpaired_recipients):
    return eligible_helper, unpaired_recipients[:3]


# Each row: one partnership's cycles. Offsets are days from DAY (today in these cases).
CHAINS: dict[str, list[Cycle]] = {
    "adjacent cycles: no gap": [(-100, -50, -110, None), (-49, 30, -60, None)],
    "one uncovered day": [(-100, -50, -110, None), (-48, 30, -60, None)],
    "overlapping cycles": [(-100, -40, -110, None), (-60, 30, -70, None)],
    "a long cycle covers a shorter later one, then a gap": [
        (-100, -10, -110, None),
        (-90, -50, -95, None),
        (-5, 30, -20, None),
    ],
    "same start, the larger id covers longer": [(-100, -60, -110, None), (-100, -20, -110, None)],
    "same start, the smaller id covers longer": [(-100, -20, -110, None), (-100, -60, -110, None)],
    "terminated early: the gap starts on the termination day": [
        (-100, 100, -110, -40),
        (-10, 200, -20, None),
    ],
    "terminated on its start: does not count": [(-100, -50, -110, -100), (-30, 30, -40, None)],
    "terminated the day after its start: one day counts": [
        (-100, -50, -110, -99),
        (-30, 30, -40, None),
    ],
    "terminated after its end: the end counts": [(-100, -50, -110, -10), (-49, 30, -60, None)],
    "an unsigned middle cycle does not close the gap": [
        (-100, -50, -110, None),
        (-49, -20, None, None),
        (-19, 30, -25, None),
    ],
    "signed after today: does not count yet": [(-100, -50, -110, None), (-49, 30, 5, None)],
    "signed today: counts": [(-100, -50, -110, None), (-49, 30, 0, None)],
    "trailing gap from yesterday": [(-100, -2, -110, None)],
    "ended yesterday: trailing gap of one day": [(-100, -1, -110, None)],
    "ends today: no trailing gap": [(-100, 0, -110, None)],
    "only a future cycle": [(10, 100, -5, None)],
    "gap before a future cycle and trailing": [(-100, -30, -110, None), (10, 100, -5, None)],
    "nothing signed": [(-100, 30, None, None)],
}


@pytest.mark.parametrize("name", list(CHAINS))
def test_sql_gaps_equal_find_gaps_on_a_table_of_chains(parties, name):
    helper, recipients = parties
    partnerships = _make(helper, recipients, [CHAINS[name]])
    for today in (DAY - ONE, DAY, DAY + ONE, DAY + 31 * ONE):
        _assert_sql_gaps_equal_the_domain(partnerships, today)


def test_sql_gaps_of_several_partnerships_keep_the_domain_order(parties, monkeypatch):
    """Gaps of several partnerships on the same first day are ordered like `find_gaps` (by the
    cycle they follow); slices past the first page are read with an offset."""
    helper, recipients = parties
    partnerships = _make(
        helper,
        recipients,
        [
            [(-100, -50, -110, None), (-30, 30, -40, None)],
            [(-100, -50, -110, None), (-20, 30, -40, None)],
            [(-90, -50, -110, None), (-45, -40, -50, None), (-10, 30, -20, None)],
        ],
    )
    _assert_sql_gaps_equal_the_domain(partnerships, DAY)
    monkeypatch.setattr(selectors, "FIRST_PAGE", 1)
    _assert_sql_gaps_equal_the_domain(partnerships, DAY)


def test_demo_gaps_in_sql_equal_find_gaps_on_every_boundary_day(province_officer):
    every = Partnership.objects.all()
    for day in _days():
        expected = find_gaps(_facts_by_partnership(every), day)
        gaps = gaps_for_user(user=province_officer, today=day)
        assert len(gaps) == len(expected), day
        assert list(gaps) == expected, day
        assert gaps[:3] == expected[:3], day


def _unpaired_in_python(day: date):
    """`recipients_without_helper` over every recipient, in the lists' order (county, name)."""
    by_recipient: dict[int, list[AgreementFacts]] = defaultdict(list)
    for a in Agreement.objects.select_related("partnership"):
        by_recipient[a.partnership.recipient_id].append(agreement_facts(a, has_next_cycle=False))
    recipients = Institution.objects.filter(category="recipient").order_by(
        "county__code", "name", "pk"
    )
    return recipients_without_helper(
        {pk: by_recipient.get(pk, []) for pk in recipients.values_list("pk", flat=True)}, day
    )


def test_demo_unpaired_in_sql_equal_the_domain_on_boundary_days(province_officer, monkeypatch):
    """Order and count of both lists equal `recipients_without_helper` over every recipient,
    read as a first page (with its count) or past it."""
    monkeypatch.setattr(selectors, "FIRST_PAGE", 3)
    for day in _days()[::4]:
        python = _unpaired_in_python(day)
        unpaired = unpaired_for_user(user=province_officer, today=day)
        lapsed = [u for u in python if u.days_since_last_end is not None]
        never = [u for u in python if u.days_since_last_end is None]
        assert (len(unpaired.lapsed), len(unpaired.never_paired)) == (len(lapsed), len(never))
        assert list(unpaired.lapsed) == lapsed, day
        assert unpaired.lapsed[1:5] == lapsed[1:5], day
        assert unpaired.never_paired[2:4] == never[2:4], day
        assert list(unpaired.never_paired) == never, day


offsets = st.integers(min_value=-12, max_value=12)
cycles = st.tuples(
    offsets,
    st.integers(min_value=1, max_value=10),
    st.one_of(st.none(), st.integers(min_value=-14, max_value=3)),
    st.one_of(st.none(), st.integers(min_value=-1, max_value=11)),
).map(
    # (start, length, signed relative to today, terminated relative to start)
    lambda c: (
        c[0],
        c[0] + c[1],
        c[2],
        None if c[3] is None else c[0] + c[3],
    )
)
chains = st.lists(st.lists(cycles, min_size=0, max_size=4), min_size=1, max_size=3)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chains=chains, today_offset=st.integers(min_value=-3, max_value=14))
def test_sql_gaps_and_unpaired_equal_the_domain_on_generated_chains(
    parties, province_officer, chains, today_offset
):
    helper, recipients = parties
    today = DAY + today_offset * ONE
    with transaction.atomic():
        partnerships = _make(helper, recipients, chains)
        _assert_sql_gaps_equal_the_domain(partnerships, today)
        python = _unpaired_in_python(today)
        unpaired = unpaired_for_user(user=province_officer, today=today)
        assert [*unpaired.lapsed, *unpaired.never_paired] == [
            *(u for u in python if u.days_since_last_end is not None),
            *(u for u in python if u.days_since_last_end is None),
        ]
        transaction.set_rollback(True)
