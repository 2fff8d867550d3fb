"""The stored in-force spans and the counties' covered days (ADR 0022): the rows equal a fresh
computation after every write that changes them, the reads on them equal the former reads over
the agreements (copied below as the oracle) for every role on every boundary day of the demo
data, a full refresh repairs rows edited by hand, and the pages' query counts do not grow."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F, Min, QuerySet, Value
from django.test.utils import CaptureQueriesContext

from bangfu.accounts.models import User
from bangfu.partnerships import coverage_store
from bangfu.partnerships.coverage_store import coverage_refresh_all
from bangfu.partnerships.domain.coverage import (
    CountyFacts,
    CoverageAgreement,
    CoverageResult,
    ProgramGroup,
    agreement_counts_for_coverage,
    county_coverage,
    merged_day_spans,
)
from bangfu.partnerships.domain.lifecycle import AgreementStatus, in_force_span
from bangfu.partnerships.models import Agreement, AgreementSpan, CountyCoverageSpan, Partnership
from bangfu.partnerships.selectors import (
    _in_scope,
    agreement_facts,
    counting_helpers_q,
    coverage_on,
    covered_county_codes_on,
    covered_target_counts_on_days,
    expiring_county_ids_on,
    governing_agreements,
    in_force_during_q,
    in_force_q,
    with_status,
)
from bangfu.partnerships.services import (
    AgreementInput,
    agreement_record_signing,
    agreement_renew,
    agreement_terminate,
    partnership_create,
)
from bangfu.policy.loader import load_policy
from bangfu.registry.models import County, Institution, Prefecture, ProgrammeGroup
from bangfu.registry.scope import scope_for_user
from bangfu.registry.services import institution_update

pytestmark = pytest.mark.django_db

ONE = timedelta(days=1)
Rows = tuple[set[tuple[Any, ...]], set[tuple[int, date, date]]]  # spans, county runs
ROLES = ["province_officer", "prefecture_officer", "county_officer", "helper_user", "expert_user"]


# ---- the oracle: the reads as they were before the stored spans (over the agreements) ----


def _former_coverage_facts(on: date, user: User | None) -> list[CoverageAgreement]:
    agreements = Agreement.objects.all()
    if user is not None:
        agreements = _in_scope(agreements, user)
    grouped = (
        with_status(
            agreements.filter(
                in_force_q(on), partnership__recipient__county__isnull=False
            ).annotate(has_next_cycle=Value(False)),
            on,
        )
        .order_by()
        .values(
            "partnership__recipient__county__code",
            "partnership__helper__province",
            "partnership__helper__grade",
            status=F("sql_status"),
        )
        .annotate(agreement_id=Min("pk"))
    )
    return [
        CoverageAgreement(
            agreement_id=g["agreement_id"],
            recipient_county_code=g["partnership__recipient__county__code"],
            helper_province=g["partnership__helper__province"],
            helper_grade=g["partnership__helper__grade"],
            status=AgreementStatus(g["status"]),
        )
        for g in grouped
    ]


def _former_coverage_on(on: date, user: User | None) -> CoverageResult:
    counties = County.objects.select_related("prefecture")
    if user is not None:
        counties = scope_for_user(user).counties(counties)
    facts = [
        CountyFacts(c.code, c.prefecture.code, ProgramGroup(c.programme_group)) for c in counties
    ]
    return county_coverage(
        facts, _former_coverage_facts(on, user), load_policy().helper_eligibility
    )


def _former_covered_target_counts(days: list[date], user: User | None) -> dict[date, int]:
    counties = County.objects.filter(programme_group=ProgrammeGroup.TARGET)
    agreements = Agreement.objects.all()
    if user is not None:
        counties = scope_for_user(user).counties(counties)
        agreements = _in_scope(agreements, user)
    agreements = agreements.filter(
        in_force_during_q(min(days), max(days)),
        counting_helpers_q(),
        partnership__recipient__county__in=counties,
    )
    counts = agreements.aggregate(
        **{
            f"day{i}": Count(
                "partnership__recipient__county", distinct=True, filter=in_force_q(day)
            )
            for i, day in enumerate(days)
        }
    )
    return {day: counts[f"day{i}"] for i, day in enumerate(days)}


def _former_covered_codes(on: date, user: User) -> set[str]:
    eligibility = load_policy().helper_eligibility
    return {
        f.recipient_county_code
        for f in _former_coverage_facts(on, user)
        if agreement_counts_for_coverage(f, eligibility)
    }


def _former_expiring(on: date, user: User) -> QuerySet[Agreement, int]:
    window = load_policy().cycle.expiring_window_days
    return (
        _in_scope(governing_agreements(on), user)
        .filter(end__lt=on + timedelta(days=window))
        .values_list("partnership__recipient__county_id", flat=True)
    )


# ---- the rows a fresh computation gives (day by day, independent of the writer) ----


def _fresh() -> Rows:
    """Every agreement's span row, and each county's covered days as maximal runs, computed
    from the agreements day by day with the domain's rules."""
    eligibility = load_policy().helper_eligibility
    spans: set[tuple[Any, ...]] = set()
    covered_days: dict[int, set[date]] = defaultdict(set)
    for a in Agreement.objects.select_related(
        "partnership__helper", "partnership__recipient__county"
    ):
        span = in_force_span(agreement_facts(a, has_next_cycle=False))
        if span is None:
            continue
        helper, county = a.partnership.helper, a.partnership.recipient.county
        counts = agreement_counts_for_coverage(
            CoverageAgreement(a.pk, "", helper.province, helper.grade, AgreementStatus.ACTIVE),
            eligibility,
        )
        spans.add(
            (
                a.pk,
                a.partnership_id,
                county.pk if county else None,
                county.prefecture_id if county else None,
                counts,
                span[0],
                span[1],
                a.start,
                a.end,
            )
        )
        if counts and county is not None:
            day = span[0]
            while day <= span[1]:
                covered_days[county.pk].add(day)
                day += ONE
    runs = set()
    for county_id, days in covered_days.items():
        ordered = sorted(days)
        first = previous = ordered[0]
        for day in ordered[1:]:
            if day != previous + ONE:
                runs.add((county_id, first, previous))
                first = day
            previous = day
        runs.add((county_id, first, previous))
    return spans, runs


def _stored() -> Rows:
    spans: set[tuple[Any, ...]] = set(
        AgreementSpan.objects.values_list(
            "agreement_id",
            "partnership_id",
            "county_id",
            "prefecture_id",
            "counts",
            "first_day",
            "last_day",
            "start",
            "end",
        )
    )
    runs = set(CountyCoverageSpan.objects.values_list("county_id", "first_day", "last_day"))
    return spans, runs


def _boundary_days() -> list[date]:
    """Every day the rules turn on in the demo data, and the day on either side: starts,
    signatures, ends, terminations, and the first and last day of each expiring window."""
    window = load_policy().cycle.expiring_window_days
    edges: set[date] = set()
    for a in Agreement.objects.all():
        for day in (a.start, a.end, a.signed_on, a.terminated_on):
            if day is not None:
                edges.add(day)
        edges.add(a.end - timedelta(days=window - 1))
        edges.add(a.end - timedelta(days=window))
    return sorted({d + k * ONE for d in edges for k in (-1, 0, 1)})


# ---- the domain's merge ----


def test_merged_day_spans_joins_overlapping_and_adjacent_ranges_only():
    d = date(2026, 1, 1)
    spans = [(d + 10 * ONE, d + 20 * ONE), (d, d + 4 * ONE), (d + 5 * ONE, d + 6 * ONE)]
    spans += [(d + 12 * ONE, d + 30 * ONE), (d + 32 * ONE, d + 32 * ONE)]
    assert merged_day_spans(spans) == [
        (d, d + 6 * ONE),  # adjacent: 4 then 5
        (d + 10 * ONE, d + 30 * ONE),  # overlapping
        (d + 32 * ONE, d + 32 * ONE),  # a gap of one day (31) keeps them apart
    ]
    assert merged_day_spans([]) == []


# ---- the rows follow every write ----


def test_the_demo_rows_equal_a_fresh_computation():
    stored = _stored()
    assert stored == _fresh()
    spans, runs = stored
    assert len(spans) > 20 and runs
    assert any(not s[4] for s in spans)  # the demo has an exception helper that does not count


@pytest.fixture
def counting_helper() -> Institution:
    return Institution.objects.get(name="上海演示第7医院")


@pytest.fixture
def recipient() -> Institution:
    """A recipient in a target county no partnership covers."""
    paired = Partnership.objects.values("recipient__county_id")
    return (
        Institution.objects.filter(category="recipient", county__programme_group="target")
        .exclude(county_id__in=paired)
        .order_by("county__code", "pk")[0]
    )


def _assert_changed_to_fresh(before: Rows) -> Rows:
    """The write changed the stored rows (so without the receivers they would be stale) and
    they equal a fresh computation."""
    after = _stored()
    assert after != before
    assert after == _fresh()
    return after


def test_create_sign_renew_and_terminate_rewrite_the_rows(
    province_officer, counting_helper, recipient, today
):
    from bangfu.partnerships.demo import demo_measures

    start = today - timedelta(days=200)
    rows = _stored()
    partnership = partnership_create(
        actor=province_officer,
        helper=counting_helper,
        recipient=recipient,
        modes=["east_west"],
        agreement=AgreementInput(start=start, measures=demo_measures()),  # unsigned
    )
    assert _stored() == rows == _fresh()  # never in force: no row
    first = Agreement.objects.get(partnership=partnership)
    agreement_record_signing(actor=province_officer, agreement=first, signed_on=start - 5 * ONE)
    rows = _assert_changed_to_fresh(rows)
    assert recipient.county.code in covered_county_codes_on(on=today, user=province_officer)

    first.refresh_from_db()
    second = agreement_renew(actor=province_officer, previous=first)
    assert _stored() == rows  # the next cycle is not signed: no row yet
    agreement_record_signing(actor=province_officer, agreement=second, signed_on=today)
    rows = _assert_changed_to_fresh(rows)

    agreement_terminate(actor=province_officer, agreement=first, on=today, reason="测试终止")
    rows = _assert_changed_to_fresh(rows)
    # terminated today: not covered today, covered yesterday
    assert recipient.county.code not in covered_county_codes_on(on=today, user=province_officer)
    assert recipient.county.code in covered_county_codes_on(on=today - ONE, user=province_officer)

    # a signed first agreement with a new partnership, in another county
    other = (
        Institution.objects.filter(category="recipient")
        .exclude(county=recipient.county)
        .exclude(partnerships_as_recipient__helper=counting_helper)
        .order_by("pk")[0]
    )
    partnership_create(
        actor=province_officer,
        helper=counting_helper,
        recipient=other,
        modes=["east_west"],
        agreement=AgreementInput(start=start, signed_on=start, measures=demo_measures()),
    )
    rows = _assert_changed_to_fresh(rows)
    assert second.pk  # renewed above


def _helper_with_counting_spans() -> Institution:
    span = AgreementSpan.objects.filter(counts=True).order_by("agreement_id")[0]
    return span.partnership.helper


@pytest.mark.parametrize(
    ("field", "value"), [("grade", "三乙"), ("province", "贵州")]
)  # "贵州": an alias of the home province, which the registry's form lets through
def test_a_helpers_grade_or_province_change_and_back_rewrite_counts(province_officer, field, value):
    helper = _helper_with_counting_spans()
    before = _stored()
    institution_update(actor=province_officer, institution=helper, **{field: value})
    _assert_changed_to_fresh(before)
    assert not AgreementSpan.objects.filter(partnership__helper=helper, counts=True).exists()
    institution_update(
        actor=province_officer, institution=helper, **{field: getattr(helper, field)}
    )
    assert _stored() == before == _fresh()


def test_a_recipient_moved_to_another_county_moves_its_rows_and_both_counties(
    province_officer, counting_helper, recipient, today
):
    from bangfu.partnerships.demo import demo_measures

    partnership_create(
        actor=province_officer,
        helper=counting_helper,
        recipient=recipient,
        modes=["east_west"],
        agreement=AgreementInput(
            start=today - 30 * ONE, signed_on=today - 40 * ONE, measures=demo_measures()
        ),
    )
    old = recipient.county
    new = County.objects.exclude(prefecture=old.prefecture).order_by("code")[0]
    assert old.code in covered_county_codes_on(on=today, user=province_officer)
    before = _stored()
    institution_update(actor=province_officer, institution=recipient, county=new)
    _assert_changed_to_fresh(before)
    covered = covered_county_codes_on(on=today, user=province_officer)
    assert old.code not in covered and new.code in covered
    assert set(
        AgreementSpan.objects.filter(partnership__recipient=recipient).values_list(
            "county_id", "prefecture_id"
        )
    ) == {(new.pk, new.prefecture_id)}


def test_a_county_moved_to_another_prefecture_by_a_load_moves_its_rows():
    county = County.objects.get(pk=AgreementSpan.objects.values("county_id")[:1])
    official = county.prefecture
    # An older list had put the county in another prefecture, and the rows followed it.
    County.objects.filter(pk=county.pk).update(
        prefecture=Prefecture.objects.exclude(pk=official.pk).order_by("code")[0]
    )
    coverage_refresh_all()
    before = _stored()
    call_command("load_registry", stdout=StringIO())  # the official list moves it back
    assert County.objects.get(pk=county.pk).prefecture == official
    _assert_changed_to_fresh(before)
    assert set(AgreementSpan.objects.filter(county=county).values_list("prefecture_id")) == {
        (official.pk,)
    }


def test_a_change_of_other_fields_writes_no_rows(province_officer):
    helper = _helper_with_counting_spans()
    before = _stored()
    with CaptureQueriesContext(connection) as ctx:
        institution_update(actor=province_officer, institution=helper, city="测试市")
    assert not any("partnerships_agreementspan" in q["sql"] for q in ctx.captured_queries)
    assert _stored() == before


# ---- the reads equal the former ones ----


@pytest.mark.parametrize("persona", ROLES)
def test_the_reads_equal_the_former_reads_on_every_boundary_day(request, persona):
    """Every boundary day for the province officer; every third one for the other roles (the
    rule on the days is the same, their scope filters the rows)."""
    user = request.getfixturevalue(persona)
    days = _boundary_days()
    assert len(days) > 100
    assert covered_target_counts_on_days(days=days, user=user) == _former_covered_target_counts(
        days, user
    )
    seen_covered, seen_expiring = set(), set()
    for day in days if persona == "province_officer" else days[::3]:
        assert coverage_on(on=day, user=user) == _former_coverage_on(day, user), day
        codes = covered_county_codes_on(on=day, user=user)
        assert codes == _former_covered_codes(day, user), day
        expiring = sorted(expiring_county_ids_on(on=day, user=user), key=str)
        assert expiring == sorted(_former_expiring(day, user), key=str), day
        seen_covered.add(len(codes))
        seen_expiring.add(len(expiring))
    if persona == "province_officer":
        # the comparison is not between constants
        assert len(seen_covered) > 1 and len(seen_expiring) > 1


def test_the_province_wide_reads_equal_the_former_reads():
    days = _boundary_days()
    assert covered_target_counts_on_days(days=days) == _former_covered_target_counts(days, None)
    for day in days[::3]:
        assert coverage_on(on=day) == _former_coverage_on(day, None), day


# ---- repair and --if-stale ----


def test_a_full_refresh_repairs_rows_deleted_or_added_by_hand():
    fresh = _fresh()
    AgreementSpan.objects.filter(
        agreement_id__in=AgreementSpan.objects.order_by("agreement_id").values("agreement_id")[:5]
    ).delete()
    AgreementSpan.objects.filter(counts=True).update(counts=False)
    CountyCoverageSpan.objects.order_by("pk")[:1].get().delete()
    unsigned = Agreement.objects.filter(signed_on__isnull=True).order_by("pk")[0]
    AgreementSpan.objects.create(
        agreement=unsigned,
        partnership_id=unsigned.partnership_id,
        counts=True,
        first_day=unsigned.start,
        last_day=unsigned.end,
        start=unsigned.start,
        end=unsigned.end,
    )
    CountyCoverageSpan.objects.create(
        county=County.objects.order_by("code")[0],
        first_day=date(2020, 1, 1),
        last_day=date(2020, 2, 1),
    )
    assert _stored() != fresh
    written = coverage_refresh_all()
    assert _stored() == fresh
    assert (written.spans, written.county_spans) == (len(fresh[0]), len(fresh[1]))


def test_refresh_coverage_if_stale_skips_when_nothing_changed(monkeypatch):
    out = StringIO()
    call_command("refresh_coverage", stdout=out)
    assert "已全部重算覆盖执行期" in out.getvalue()
    AgreementSpan.objects.order_by("agreement_id")[:1].get().delete()  # an edit by hand
    stale = _stored()
    out = StringIO()
    call_command("refresh_coverage", "--if-stale", stdout=out)
    assert "已是最新" in out.getvalue() and "已全部重算" not in out.getvalue()
    assert _stored() == stale  # skipped
    monkeypatch.setattr(coverage_store, "RULE_VERSION", coverage_store.RULE_VERSION + 1)
    out = StringIO()
    call_command("refresh_coverage", "--if-stale", stdout=out)
    assert "输入已变化" in out.getvalue() and "已全部重算" in out.getvalue()
    assert _stored() == _fresh()


# ---- the pages read the same number of queries at two sizes ----


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


class _Pages:
    """The pages through the session, the API through a bearer token."""

    def __init__(self, client: Any, api_client: Any, user: User) -> None:
        client.force_login(user)
        self._client, self._api = client, api_client.login(user)

    def get(self, url: str) -> Any:
        return self._api.get(url) if url.startswith("/api/") else self._client.get(url)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/overview/map/",
        "/api/v1/map/counties?metric=coverage",
        "/api/v1/coverage",
        "/overview/goals/",
    ],
)
@pytest.mark.parametrize("persona", ["province_officer", "county_officer", "helper_user"])
def test_the_coverage_pages_cost_the_same_queries_with_more_agreements(
    client, api_client, request, persona, url, province_officer, counting_helper, today
):
    from bangfu.partnerships.demo import demo_measures

    pages = _Pages(client, api_client, request.getfixturevalue(persona))
    _queries(pages, url)  # warm up: session, caches
    before = _queries(pages, url)
    spans = AgreementSpan.objects.count()
    recipients = Institution.objects.filter(category="recipient").exclude(
        partnerships_as_recipient__helper=counting_helper
    )
    for n, recipient in enumerate(recipients.order_by("pk")[:6]):
        start = today - timedelta(days=300 + 200 * n)
        partnership_create(
            actor=province_officer,
            helper=counting_helper,
            recipient=recipient,
            modes=["east_west"],
            agreement=AgreementInput(start=start, signed_on=start, measures=demo_measures()),
        )
    assert AgreementSpan.objects.count() == spans + 6
    assert _queries(pages, url) == before


def test_the_expiring_read_uses_the_stored_rows_only(province_officer, today):
    sql = str(expiring_county_ids_on(on=today, user=province_officer).query)
    assert "partnerships_agreementspan" in sql and '"partnerships_agreement"' not in sql
