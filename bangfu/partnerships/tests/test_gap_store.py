"""The stored 断档 (ADR 0023): the rows equal `domain.lifecycle.find_gaps` on every day on or after
their partnership's latest signature (every boundary day of the demo data); the reader over them
(`StoredGaps`) equals `find_gaps` for every persona, and `gaps_for_user` falls back to the CTE
(`SqlGaps`) on a day before a later signature, still equal to `find_gaps`; the services and a
recipient's move keep the rows equal to a fresh computation; `refresh_gaps` repairs rows edited
by hand and `--if-stale` skips when nothing changed; the coverage section pages the stored rows
(page 2 = rows 21–40) at a constant number of queries."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangfu.core.models import DerivedRowsStamp
from bangfu.partnerships import gap_store, selectors
from bangfu.partnerships.demo import demo_measures
from bangfu.partnerships.domain.lifecycle import AgreementFacts, find_gaps
from bangfu.partnerships.gap_store import gaps_refresh_all, gaps_refresh_partnerships
from bangfu.partnerships.models import Agreement, Partnership, PartnershipGap
from bangfu.partnerships.selectors import (
    SqlGaps,
    StoredGaps,
    agreement_facts,
    gaps_for_user,
    partnership_filter_for_user,
)
from bangfu.partnerships.services import (
    AgreementInput,
    agreement_create,
    agreement_record_signing,
    agreement_renew,
    agreement_terminate,
    partnership_create,
)
from bangfu.partnerships.tests.test_coverage_page_sql import _grow
from bangfu.registry.models import County, Institution
from bangfu.registry.services import institution_update

pytestmark = pytest.mark.django_db

ONE = timedelta(days=1)
PERSONAS = ["province_officer", "prefecture_officer", "county_officer", "helper_user"]

# (pair, after, before, first day, last day): a gap as `find_gaps` gives it on a day.
Key = tuple[int, int, int | None, date, date]


def _facts(partnerships=None) -> dict[int, list[AgreementFacts]]:
    agreements = Agreement.objects.all()
    if partnerships is not None:
        agreements = agreements.filter(partnership__in=partnerships)
    by_pair: dict[int, list[AgreementFacts]] = defaultdict(list)
    for a in agreements:
        by_pair[a.partnership_id].append(agreement_facts(a, has_next_cycle=False))
    return dict(by_pair)


def _keys(gaps) -> list[Key]:
    return [
        (g.pair, g.after_agreement_id, g.before_agreement_id, g.first_day, g.last_day) for g in gaps
    ]


def _boundary_days() -> list[date]:
    """Every start, signature, end and termination of the demo agreements, the day before and
    the day after, and today: every day on which `find_gaps` can change."""
    edges: set[date] = set()
    for a in Agreement.objects.all():
        edges.update(d for d in (a.start, a.end, a.signed_on, a.terminated_on) if d is not None)
    return sorted({d + k * ONE for d in edges for k in (-1, 0, 1)} | {date.today()})


def _stored() -> set[tuple[object, ...]]:
    return set(
        PartnershipGap.objects.values_list(
            "partnership_id", "after_id", "before_id", "first_day", "last_day", "county_id"
        )
    )


def _fresh() -> set[tuple[object, ...]]:
    """The rows a full computation gives now, without writing them."""
    counties = dict(Partnership.objects.values_list("pk", "recipient__county_id"))
    return {
        (r.partnership_id, r.after_id, r.before_id, r.first_day, r.last_day, r.county_id)
        for r in gap_store.partnership_gaps(_facts(), counties)
    }


def test_the_stored_rows_equal_find_gaps_on_every_boundary_day_of_the_demo():
    """On each boundary day, for each partnership whose agreements were all signed by then,
    the rows (a trailing one from its first day, through the day) are `find_gaps`'s gaps."""
    facts = _facts()
    latest = {
        pair: max((c.signed_on for c in cycles if c.signed_on is not None), default=None)
        for pair, cycles in facts.items()
    }
    rows = list(
        PartnershipGap.objects.values_list(
            "partnership_id", "after_id", "before_id", "first_day", "last_day"
        )
    )
    days = _boundary_days()
    assert len(days) > 100
    inner = trailing = 0
    for day in days:
        settled = {p for p, signed in latest.items() if signed is None or signed <= day}
        expected = _keys(find_gaps({p: facts[p] for p in settled}, day))
        stored = sorted(
            (
                (pair, after, before, first, last or day)
                for pair, after, before, first, last in rows
                if pair in settled and (before is not None or first <= day)
            ),
            key=lambda k: (k[3], k[1]),
        )
        assert stored == expected, day
        inner += sum(1 for k in expected if k[2] is not None)
        trailing += sum(1 for k in expected if k[2] is None)
    assert inner and trailing  # the demo has both kinds


@pytest.mark.parametrize("persona_name", PERSONAS)
def test_the_reader_equals_find_gaps_for_every_persona_on_boundary_days(
    request, monkeypatch, persona_name
):
    """`gaps_for_user` reads the stored rows on every day on or after the latest signature in
    scope, the CTE before it; either equals `find_gaps` over the partnerships in scope: the
    count, every row, slices across a first page of 3, and the gaps' counties."""
    monkeypatch.setattr(selectors, "FIRST_PAGE", 3)
    user = request.getfixturevalue(persona_name)
    in_scope = Partnership.objects.filter(partnership_filter_for_user(user))
    facts = _facts(in_scope)
    counties = dict(in_scope.values_list("pk", "recipient__county_id"))
    latest = max(c.signed_on for cycles in facts.values() for c in cycles if c.signed_on)
    days = _boundary_days()
    days = [*days[:: max(1, len(days) // 30)], latest - ONE, latest, latest + ONE, date.today()]
    readers, seen = set(), 0
    for day in days:
        expected = find_gaps(facts, day)
        seen += len(expected)
        gaps = gaps_for_user(user=user, today=day)
        assert isinstance(gaps, StoredGaps if day >= latest else SqlGaps), day
        readers.add(type(gaps))
        assert len(gaps) == len(expected), day
        assert gaps[1:5] == expected[1:5], day
        assert gaps[0:3] == expected[0:3], day
        assert list(gaps) == expected, day
        assert gaps.county_ids() == {counties[g.pair] for g in expected} - {None}, day
    assert readers == {StoredGaps, SqlGaps}
    assert seen  # the persona sees gaps on some days


def test_a_day_before_a_later_signature_reads_the_agreements(
    province_officer, eligible_helper, unpaired_recipients, today
):
    """A renewal signed after its start: between its start and its signature the previous
    cycle's trailing gap is open, which the stored rows (written after the signature) no
    longer hold; `gaps_for_user` then reads the CTE, equal to `find_gaps`."""
    recipient = unpaired_recipients[0]
    partnership = partnership_create(
        actor=province_officer,
        helper=eligible_helper,
        recipient=recipient,
        modes=["east_west"],
        agreement=AgreementInput(
            start=today - 1200 * ONE, signed_on=today - 1210 * ONE, measures=demo_measures()
        ),
    )
    first = Agreement.objects.get(partnership=partnership)
    renewal = agreement_renew(actor=province_officer, previous=first)  # starts the day after
    assert renewal.start <= today - 10 * ONE
    agreement_record_signing(actor=province_officer, agreement=renewal, signed_on=today)
    facts = _facts()
    for day in (renewal.start, today - ONE, today, today + ONE):
        gaps = gaps_for_user(user=province_officer, today=day)
        assert isinstance(gaps, SqlGaps if day < today else StoredGaps), day
        assert list(gaps) == find_gaps(facts, day), day
    before = [g for g in gaps_for_user(user=province_officer, today=today - ONE)]
    assert (partnership.pk, renewal.start) in {(g.pair, g.first_day) for g in before}
    now = gaps_for_user(user=province_officer, today=today)
    assert partnership.pk not in {g.pair for g in now}


def test_the_services_and_a_recipients_move_keep_the_rows(
    province_officer, eligible_helper, unpaired_recipients, today
):
    """After each change through the services the rows equal a fresh computation, and the
    partnership's rows changed (so without the receivers the check fails)."""
    recipient = unpaired_recipients[1]

    def rows() -> set[tuple[object, ...]]:
        return {r for r in _stored() if r[0] == partnership.pk}

    partnership = partnership_create(
        actor=province_officer,
        helper=eligible_helper,
        recipient=recipient,
        modes=["east_west"],
        agreement=None,
    )
    # created unsigned: no gap
    first = agreement_create(
        actor=province_officer,
        partnership=partnership,
        data=AgreementInput(start=today - 800 * ONE, measures=demo_measures()),
    )
    assert rows() == set() and _stored() == _fresh()
    # signed: its trailing gap (from the day after its end)
    agreement_record_signing(actor=province_officer, agreement=first, signed_on=today - 810 * ONE)
    first.refresh_from_db()
    assert rows() == {(partnership.pk, first.pk, None, first.end + ONE, None, recipient.county_id)}
    assert _stored() == _fresh()
    # renewed after 30 days: an inner gap, and the trailing gap after the new cycle
    second = agreement_create(
        actor=province_officer,
        partnership=partnership,
        previous=first,
        data=AgreementInput(start=first.end + 31 * ONE, signed_on=today, measures=demo_measures()),
    )
    assert rows() == {
        (partnership.pk, first.pk, second.pk, first.end + ONE, first.end + 30 * ONE,
         recipient.county_id),
        (partnership.pk, second.pk, None, second.end + ONE, None, recipient.county_id),
    }  # fmt: skip
    assert _stored() == _fresh()
    # the first terminated early: the inner gap starts on its termination day
    agreement_terminate(
        actor=province_officer, agreement=first, on=today - 100 * ONE, reason="测试终止"
    )
    assert (partnership.pk, first.pk, second.pk, today - 100 * ONE) in {r[:4] for r in rows()}
    assert _stored() == _fresh()
    # the recipient moved: its rows carry the new county
    county = County.objects.exclude(pk=recipient.county_id).order_by("code").first()
    assert county is not None
    institution_update(actor=province_officer, institution=recipient, county=county)
    assert {r[5] for r in rows()} == {county.pk}
    assert _stored() == _fresh()
    # another field: nothing rewritten
    ids = set(PartnershipGap.objects.filter(partnership=partnership).values_list("pk", flat=True))
    institution_update(actor=province_officer, institution=recipient, city="测试市")
    assert (
        set(PartnershipGap.objects.filter(partnership=partnership).values_list("pk", flat=True))
        == ids
    )


def test_the_demo_rows_are_a_fresh_computation():
    assert _stored() == _fresh()
    assert len(_stored()) > 10


def test_refresh_gaps_repairs_rows_edited_by_hand():
    expected = _stored()
    gone = list(PartnershipGap.objects.order_by("pk")[:3])
    PartnershipGap.objects.filter(pk__in=[r.pk for r in gone]).delete()
    stray = Agreement.objects.filter(signed_on__isnull=False).order_by("pk").first()
    assert stray is not None
    PartnershipGap.objects.create(
        partnership_id=stray.partnership_id, after=stray, first_day=date(2090, 1, 1)
    )
    assert _stored() != expected
    out = StringIO()
    call_command("refresh_gaps", stdout=out)
    assert _stored() == expected
    assert f"{len(expected)} 行" in out.getvalue()


def test_refresh_gaps_if_stale_skips_when_nothing_changed(monkeypatch):
    """The demo load stamped the rows: `--if-stale` does nothing (a stray row stays); with no
    stamp, or another RULE_VERSION, it rebuilds."""
    stray = Agreement.objects.filter(signed_on__isnull=False).order_by("pk").first()
    assert stray is not None
    PartnershipGap.objects.create(
        partnership_id=stray.partnership_id, after=stray, first_day=date(2090, 1, 1)
    )
    out = StringIO()
    call_command("refresh_gaps", "--if-stale", stdout=out)
    assert "未重算" in out.getvalue()
    assert PartnershipGap.objects.filter(first_day=date(2090, 1, 1)).exists()

    monkeypatch.setattr(gap_store, "RULE_VERSION", gap_store.RULE_VERSION + 1)
    call_command("refresh_gaps", "--if-stale", stdout=StringIO())
    assert not PartnershipGap.objects.filter(first_day=date(2090, 1, 1)).exists()
    assert _stored() == _fresh()

    DerivedRowsStamp.objects.filter(name=gap_store.STAMP).delete()
    out = StringIO()
    call_command("refresh_gaps", "--if-stale", stdout=out)
    assert "尚无全部重算记录" in out.getvalue()
    out = StringIO()
    call_command("refresh_gaps", "--if-stale", stdout=out)
    assert "未重算" in out.getvalue()


def _section_ids(client, page: int) -> list[int]:
    response = client.get(
        "/partnerships/coverage/list/", {"list": "gaps", "page": page}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'<tr data-pk="(\d+)"', response.content.decode())]


def test_the_coverage_section_pages_the_stored_rows_at_constant_queries(
    client, province_officer, eligible_helper, today
):
    """Page 2 of the section is rows 21–40 of `find_gaps`; each page costs the same queries
    with a third more gaps; the first page counts and reads in one query over the rows, and no
    query reads the agreements' windows (the CTE)."""
    client.force_login(province_officer)
    recipients = list(
        Institution.objects.filter(category="recipient", partnerships_as_recipient=None).order_by(
            "pk"
        )[:126]
    )
    _grow(eligible_helper, recipients, today)  # a third ended: 42 trailing gaps
    expected = [g.pair for g in find_gaps(_facts(), today)]
    assert len(expected) > 40
    assert _section_ids(client, 1) == expected[:20]
    assert _section_ids(client, 2) == expected[20:40]

    def queries(page: int) -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            _section_ids(client, page)
        return [q["sql"] for q in ctx.captured_queries]

    before = {page: len(queries(page)) for page in (1, 2)}
    other = Institution.objects.filter(category="helper").exclude(pk=eligible_helper.pk)[0]
    _grow(other, recipients[:60], today)
    assert len(find_gaps(_facts(), today)) == len(expected) + 20
    assert {page: len(queries(page)) for page in (1, 2)} == before
    first = queries(1)
    assert not any("OVER (PARTITION BY" in sql for sql in first)
    assert sum(PartnershipGap._meta.db_table in sql for sql in first) == 1


def test_a_bulk_load_is_stored_after_gaps_refresh_partnerships(
    eligible_helper, unpaired_recipients, today, province_officer
):
    before = len(gaps_for_user(user=province_officer, today=today))
    _grow(eligible_helper, unpaired_recipients[:6], today)  # refreshes what it wrote
    assert len(gaps_for_user(user=province_officer, today=today)) == before + 2
    PartnershipGap.objects.filter(partnership__recipient__in=unpaired_recipients[:6]).delete()
    assert len(gaps_for_user(user=province_officer, today=today)) == before  # rows as stored
    gaps_refresh_partnerships(
        Partnership.objects.filter(recipient__in=unpaired_recipients[:6]).values_list(
            "pk", flat=True
        )
    )
    assert len(gaps_for_user(user=province_officer, today=today)) == before + 2
    assert gaps_refresh_all() == len(_stored())
