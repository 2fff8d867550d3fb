"""What partnerships add to the registry's pages (`registry.extensions`; the registry, a lower
layer, does not import partnerships):

- the county list's 覆盖 filter — 已覆盖 / 未覆盖 (§一, the coverage rule of `coverage_on`),
  帮扶断档 (`gaps_for_user`) and 协议即将到期 (`governing_agreements`, ADR 0012) — applied to the
  scoped county queryset, so the list counts, pages and exports in the database;
- the county page's and the hospital page's partnerships, scoped to the reader, each with its
  current cycle's status and a link; on the county page, whether each agreement in force counts
  toward §一 and why not. A constant number of queries, whatever the number of partnerships.

Registered by `PartnershipsConfig.ready()`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import QuerySet

from bangfu.accounts.models import User
from bangfu.partnerships.selectors import (
    PartnershipFilters,
    coverage_explanations_on,
    covered_county_codes_on,
    expiring_county_ids_on,
    gap_county_ids,
    partnership_list_for_user,
    today_local,
)
from bangfu.registry.extensions import (
    CountyFilter,
    Section,
    register_county_filter,
    register_county_section,
    register_institution_section,
)
from bangfu.registry.models import County, Institution, InstitutionCategory

# More partnerships than this on one page link to the filtered partnership list instead.
SHOWN = 50


def _covered(user: User, counties: QuerySet[County]) -> QuerySet[County]:
    return counties.filter(code__in=covered_county_codes_on(on=today_local(), user=user))


def _uncovered(user: User, counties: QuerySet[County]) -> QuerySet[County]:
    return counties.exclude(code__in=covered_county_codes_on(on=today_local(), user=user))


def _gap(user: User, counties: QuerySet[County]) -> QuerySet[County]:
    return counties.filter(pk__in=gap_county_ids(user=user, today=today_local()))


def _expiring(user: User, counties: QuerySet[County]) -> QuerySet[County]:
    return counties.filter(pk__in=expiring_county_ids_on(on=today_local(), user=user))


COUNTY_FILTERS = (
    CountyFilter("covered", "已覆盖（省外三甲协议执行中）", _covered),
    CountyFilter("uncovered", "未覆盖", _uncovered),
    CountyFilter("gap", "有帮扶断档", _gap),
    CountyFilter("expiring", "有协议即将到期", _expiring),
)


def county_partnerships(user: User, county: County) -> Section:
    today = today_local()
    rows = partnership_list_for_user(
        user=user, today=today, filters=PartnershipFilters(county=county.code)
    )
    explanations = coverage_explanations_on(on=today, user=user, county_codes=[county.code])
    return Section(
        "partnerships/_registry_partnerships.html",
        {
            "rows": rows[:SHOWN],
            "count": len(rows),
            "more_url_query": urlencode({"county": county.code}),
            "explanations": explanations,
            "covered": any(e.counts for e in explanations),
            "county": county,
        },
    )


def institution_partnerships(user: User, institution: Institution) -> Section | None:
    if institution.category not in (InstitutionCategory.HELPER, InstitutionCategory.RECIPIENT):
        return None
    rows = partnership_list_for_user(
        user=user, filters=PartnershipFilters(institution=institution.pk)
    )
    return Section(
        "partnerships/_registry_partnerships.html",
        {
            "rows": rows[:SHOWN],
            "count": len(rows),
            "more_url_query": urlencode({"q": institution.name}),
            "institution": institution,
        },
    )


def register() -> None:
    for county_filter in COUNTY_FILTERS:
        register_county_filter(county_filter)
    register_county_section(county_partnerships)
    register_institution_section(institution_partnerships)
