"""The coverage page's four lists as paged sections of their own (issue #13): the page shows
each list's heading and total and htmx fetches the section (`coverage_list`), which reads only
its own list — its count and the rows of one page — in the user's scope, in the domain's order,
for the page's day, at a constant number of queries."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangfu.partnerships import coverage_report, selectors
from bangfu.partnerships.domain.lifecycle import AgreementStatus
from bangfu.partnerships.selectors import gap_report_for_user, partnership_list_for_user
from bangfu.partnerships.tests.conftest import BIJIE, WEINING
from bangfu.partnerships.tests.test_coverage_page_sql import (
    _grow,
    _unpaired_in_python,
    assert_same_queries_at_two_sizes,
)
from bangfu.partnerships.tests.test_views_scope import expected_partnerships
from bangfu.partnerships.views import COVERAGE_LIST_PAGE_SIZE
from bangfu.registry.models import Institution
from bangfu.registry.scope import scope_for_user

pytestmark = pytest.mark.django_db

URL = "/partnerships/coverage/list/"
LISTS = ["expiring", "gaps", "lapsed", "never_paired"]
SIZE = COVERAGE_LIST_PAGE_SIZE
ROW = {"expiring": "data-pk", "gaps": "data-pk", "lapsed": "data-recipient"}


def _section(client, which: str, **params: object):
    return client.get(URL, {"list": which, **params}, HTTP_HX_REQUEST="true")


def _shown(response, which: str) -> list[int]:
    """The rows' ids as the section renders them, in order."""
    attribute = ROW.get(which, "data-recipient")
    return [int(pk) for pk in re.findall(rf'<tr {attribute}="(\d+)"', response.content.decode())]


def _expected(user, day: date, which: str) -> list[int]:
    """Each list as the domain computes it over every row in scope (no SQL paging)."""
    if which == "expiring":
        rows = partnership_list_for_user(user=user, today=day)
        return [r.partnership.pk for r in rows if r.status == AgreementStatus.EXPIRING]
    if which == "gaps":
        return [g.pair for g in gap_report_for_user(user=user, today=day).gaps]
    lapsed, never = _unpaired_in_python(user, day)
    return [u.recipient for u in (lapsed if which == "lapsed" else never)]


def _in_scope_recipients(user) -> list[Institution]:
    return list(
        scope_for_user(user)
        .institutions(Institution.objects.filter(category="recipient"))
        .order_by("pk")
    )


@pytest.fixture
def grown(province_officer, eligible_helper, today):
    """Every list longer than two pages province-wide: 130 partnerships of the three shapes of
    `_grow` (expiring; ended: a gap and a lapsed recipient; in force) for recipients that had
    none, which leaves more than 40 that never had one."""
    recipients = [
        r
        for r in _in_scope_recipients(province_officer)
        if not r.partnerships_as_recipient.exists()
    ][:130]
    _grow(eligible_helper, recipients, today)
    return recipients


def _page_of(expected: list[int], number: int) -> list[int]:
    """Page `number` of a list, past the last page the last (`Paginator.get_page`)."""
    pages = max(1, -(-len(expected) // SIZE))
    number = min(number, pages)
    return expected[(number - 1) * SIZE : number * SIZE]


def _recipient_county(pk: int) -> tuple[str, str]:
    county = Institution.objects.select_related("county__prefecture").get(pk=pk).county
    assert county is not None  # a recipient hospital lies in a county
    return county.code, county.prefecture.code


@pytest.mark.parametrize(
    "persona_name", ["province_officer", "prefecture_officer", "county_officer"]
)
@pytest.mark.parametrize("which", LISTS)
def test_each_section_pages_its_list_in_the_domains_order_in_scope(
    request, client, grown, persona_name, which, today
):
    user = request.getfixturevalue(persona_name)
    client.force_login(user)
    expected = _expected(user, today, which)
    if persona_name == "province_officer":
        assert len(expected) > 2 * SIZE, which  # page 2 is a full page
    first = _section(client, which)
    assert first.status_code == 200
    assert _shown(first, which) == _page_of(expected, 1)
    assert first.context["page"].paginator.count == len(expected)
    second = _section(client, which, page=2)
    assert _shown(second, which) == _page_of(expected, 2)
    last = _section(client, which, page=10_000)  # past the end: the last page
    assert last.context["page"].number == first.context["page"].paginator.num_pages
    assert _shown(last, which) == _page_of(expected, 10_000)
    shown = _shown(first, which) + _shown(second, which) + _shown(last, which)
    if which in ("expiring", "gaps"):
        assert set(shown) <= expected_partnerships(user)
    else:
        places = {_recipient_county(pk) for pk in shown}
        if persona_name == "county_officer":
            assert {county for county, _ in places} <= {WEINING}
        if persona_name == "prefecture_officer":
            assert {prefecture for _, prefecture in places} <= {BIJIE}


def test_a_section_reads_the_day_the_page_shows(client, province_officer, grown, today):
    client.force_login(province_officer)
    day = today - timedelta(days=200)
    response = _section(client, "gaps", on=day.isoformat())
    assert response.context["day"] == day
    assert _shown(response, "gaps") == _expected(province_officer, day, "gaps")[:SIZE]
    assert _shown(response, "gaps") != _shown(_section(client, "gaps"), "gaps")
    # a date the form refuses: today, as on the page
    for refused in ("2026-02-30", "9999-12-31", "-2.2e-264", "x" * 5000):
        response = _section(client, "gaps", on=refused)
        assert response.status_code == 200 and response.context["day"] == today


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"list": ""},
        {"list": "everything"},
        {"list": "<script>"},
        {"list": ["gaps", "lapsed"], "page": "x"},
    ],
)
def test_an_unknown_list_is_not_found(client, province_officer, params):
    client.force_login(province_officer)
    response = client.get(URL, params, HTTP_HX_REQUEST="true")
    if isinstance(params.get("list"), list):  # the last value counts, as for every form
        assert response.status_code == 200
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("page", ["", "x", "0", "-1", "1.5", "99999999999999999999999", "1e3"])
@pytest.mark.parametrize("which", LISTS)
def test_a_bad_page_number_shows_the_first_or_the_last_page(client, province_officer, which, page):
    client.force_login(province_officer)
    response = _section(client, which, page=page)
    assert response.status_code == 200
    shown = response.context["page"]
    assert shown.number in (1, shown.paginator.num_pages)


def test_without_htmx_a_section_is_a_page_of_its_own_with_its_pager(client, province_officer):
    client.force_login(province_officer)
    response = client.get(URL, {"list": "never_paired", "page": 2})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert 'data-testid="never-paired-list"' in html
    assert "list=never_paired&amp;on=" in html and "page=3" in html
    assert "返回覆盖与断档" in html
    fragment = _section(client, "never_paired", page=2)
    assert "<html" not in fragment.content.decode()
    assert _shown(fragment, "never_paired") == _shown(response, "never_paired")
    assert "HX-Request" in response["Vary"] and "HX-Request" in fragment["Vary"]


def test_the_page_shows_totals_and_fetches_each_list_without_reading_rows(
    client, province_officer, grown, monkeypatch
):
    """The page counts the lists (for their headings) and builds none of their rows."""

    def refuse(*args, **kwargs):
        raise AssertionError("the coverage page built a list's rows")

    monkeypatch.setattr(coverage_report, "_gap_views", refuse)
    monkeypatch.setattr(coverage_report, "_unpaired", refuse)
    monkeypatch.setattr(selectors, "_rows", refuse)
    client.force_login(province_officer)
    response = client.get("/partnerships/coverage/")
    html = response.content.decode()
    report = response.context["report"]
    assert f'data-testid="gaps-count">共 {len(report.gaps)} 处' in html
    assert f'data-testid="lapsed-count">共 {len(report.lapsed)} 家' in html
    assert f'data-testid="never-paired-count">{len(report.never_paired)}<' in html
    for which in ("expiring", "gaps", "lapsed"):
        assert f'hx-get="{URL}?list={which}&amp;on=' in html
        assert 'hx-trigger="load"' in html
    assert f'hx-get="{URL}?list=never_paired&amp;on=' in html and "toggle once" in html


@pytest.mark.parametrize("which", LISTS)
def test_a_section_reads_only_its_own_list(client, province_officer, grown, monkeypatch, which):
    """No coverage counting and no other list made, counted or built: their selectors fail if
    called (the two unpaired lists share one selector and the query of their first pages and
    totals, by design, but only the section's own items are built)."""
    built: list[int] = []

    def refuse(*args, **kwargs):
        raise AssertionError("another list was read")

    def unpaired(items):
        built.extend(u.recipient for u in items)
        return original_unpaired(items)

    original_unpaired = coverage_report._unpaired
    monkeypatch.setattr(coverage_report, "coverage_on", refuse)
    monkeypatch.setattr(coverage_report, "county_list_for_user", refuse)
    if which != "expiring":
        monkeypatch.setattr(coverage_report, "partnership_list_for_user", refuse)
    if which != "gaps":
        monkeypatch.setattr(coverage_report, "gaps_for_user", refuse)
    if which not in ("lapsed", "never_paired"):
        monkeypatch.setattr(coverage_report, "unpaired_for_user", refuse)
    monkeypatch.setattr(coverage_report, "_unpaired", unpaired)
    client.force_login(province_officer)
    response = _section(client, which)
    assert response.status_code == 200
    shown = _shown(response, which)
    assert len(shown) == SIZE
    if which in ("lapsed", "never_paired"):
        assert built == shown  # the other unpaired list's items are not built
    else:
        assert built == []


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "persona_name", ["province_officer", "prefecture_officer", "county_officer", "helper_user"]
)
def test_each_section_costs_the_same_queries_at_two_sizes(
    request, client, persona_name, eligible_helper, unpaired_recipients, today
):
    """As for the whole page (`test_coverage_page_sql`): each section's first page (and the
    page) costs the same queries, however long its list."""
    assert_same_queries_at_two_sizes(
        request,
        client,
        persona_name,
        eligible_helper,
        unpaired_recipients,
        today,
        ["/partnerships/coverage/", *(f"{URL}?list={which}" for which in LISTS)],
        _queries,
    )
