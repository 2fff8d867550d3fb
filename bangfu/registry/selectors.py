"""Reads of the registry, always through the user's scope (F1, F12).

Out-of-scope objects are simply not found (404), never "forbidden".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from bangfu.accounts.models import User
from bangfu.registry.extensions import county_filter
from bangfu.registry.models import County, Institution, Prefecture
from bangfu.registry.scope import scope_for_user


@dataclass(frozen=True)
class CountyFilters:
    prefecture: str = ""  # prefecture code
    programme_group: str = ""  # target / other
    national_key_county: bool | None = None
    q: str = ""  # name, short name or code
    coverage: str = ""  # a value registered in `registry.extensions` (covered, uncovered, …)


@dataclass(frozen=True)
class InstitutionFilters:
    category: str = ""
    county: str = ""  # county code
    prefecture: str = ""  # prefecture code
    q: str = ""


def prefecture_list_for_user(*, user: User) -> QuerySet[Prefecture]:
    scope = scope_for_user(user)
    county_q = scope.county_filter()
    return scope.prefectures(Prefecture.objects.all()).annotate(
        county_count=Count("counties", filter=_prefix(county_q, "counties"), distinct=True),
        target_count=Count(
            "counties",
            filter=_prefix(county_q, "counties") & Q(counties__programme_group="target"),
            distinct=True,
        ),
        key_county_count=Count(
            "counties",
            filter=_prefix(county_q, "counties") & Q(counties__national_key_county=True),
            distinct=True,
        ),
    )


def _prefix(q: Q, relation: str) -> Q:
    """Re-root a filter written for County so it applies through `relation` from Prefecture."""
    if not q.children:
        return Q()
    return Q(**{f"{relation}__in": County.objects.filter(q)})


def prefecture_get_for_user(*, user: User, code: str) -> Prefecture:
    try:
        return prefecture_list_for_user(user=user).get(code=code)
    except Prefecture.DoesNotExist as exc:
        raise Http404("未找到该市州") from exc


def county_list_for_user(*, user: User, filters: CountyFilters | None = None) -> QuerySet[County]:
    filters = filters or CountyFilters()
    qs = scope_for_user(user).counties(County.objects.select_related("prefecture"))
    if filters.prefecture:
        qs = qs.filter(prefecture__code=filters.prefecture)
    if filters.programme_group:
        qs = qs.filter(programme_group=filters.programme_group)
    if filters.national_key_county is not None:
        qs = qs.filter(national_key_county=filters.national_key_county)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(Q(name__contains=q) | Q(short_name__contains=q) | Q(code__startswith=q))
    if filters.coverage and (coverage := county_filter(filters.coverage)) is not None:
        qs = coverage.apply(user, qs)
    return qs.order_by("code")


def county_get_for_user(*, user: User, code: str) -> County:
    try:
        return county_list_for_user(user=user).get(code=code)
    except County.DoesNotExist as exc:
        raise Http404("未找到该县") from exc


def institution_list_for_user(
    *, user: User, filters: InstitutionFilters | None = None
) -> QuerySet[Institution]:
    filters = filters or InstitutionFilters()
    qs = scope_for_user(user).institutions(
        Institution.objects.select_related("county", "prefecture")
    )
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.county:
        qs = qs.filter(county__code=filters.county)
    if filters.prefecture:
        qs = qs.filter(
            Q(county__prefecture__code=filters.prefecture) | Q(prefecture__code=filters.prefecture)
        )
    if filters.q:
        qs = qs.filter(Q(name__contains=filters.q.strip()) | Q(city__contains=filters.q.strip()))
    return qs.order_by("category", "county__code", "name")


def institution_get_for_user(*, user: User, pk: int) -> Institution:
    try:
        return (
            institution_list_for_user(user=user)
            .prefetch_related("strong_specialties", "departments__specialty")
            .get(pk=pk)
        )
    except Institution.DoesNotExist as exc:
        raise Http404("未找到该机构") from exc


@dataclass(frozen=True)
class RegistrySummary:
    prefectures: int
    counties: int
    target_counties: int
    key_counties: int
    recipients: int
    helpers: int


def registry_summary_for_user(*, user: User) -> RegistrySummary:
    """Head counts for the home page, in two queries."""
    counties = county_list_for_user(user=user).aggregate(
        total=Count("pk"),
        target=Count("pk", filter=Q(programme_group="target")),
        key=Count("pk", filter=Q(national_key_county=True)),
        prefectures=Count("prefecture", distinct=True),
    )
    institutions = institution_list_for_user(user=user).aggregate(
        recipients=Count("pk", filter=Q(category="recipient")),
        helpers=Count("pk", filter=Q(category="helper")),
    )
    return RegistrySummary(
        prefectures=counties["prefectures"],
        counties=counties["total"],
        target_counties=counties["target"],
        key_counties=counties["key"],
        recipients=institutions["recipients"],
        helpers=institutions["helpers"],
    )
