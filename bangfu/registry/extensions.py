"""What the apps above the registry add to its pages, without the registry importing them.

The registry is a lower layer (apps above it read it, never the reverse), yet its county list
filters by coverage and its county and hospital pages list their partnerships — facts the
partnerships app owns (`in_force_q`, `governing_agreements`, the coverage rule; ADR 0012). An app
above registers here, in its `AppConfig.ready()`:

- a `CountyFilter`: a value of the county list's 覆盖 filter (`?coverage=`) and the function
  that narrows a scoped county queryset to it (the page, its count, its pages and the export);
- a section builder for the county or the institution page: given the user and the object, a
  `Section` (a template and its context, scoped to the user) or None to show nothing.

The registry's own views stay thin: they ask here what to add and render it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from bangfu.accounts.models import User
from bangfu.registry.models import County, Institution


@dataclass(frozen=True)
class CountyFilter:
    value: str
    label: str
    apply: Callable[[User, QuerySet[County]], QuerySet[County]]


@dataclass(frozen=True)
class Section:
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


CountySection = Callable[[User, County], Section | None]
InstitutionSection = Callable[[User, Institution], Section | None]

_county_filters: dict[str, CountyFilter] = {}
_county_sections: list[CountySection] = []
_institution_sections: list[InstitutionSection] = []


def register_county_filter(county_filter: CountyFilter) -> None:
    _county_filters[county_filter.value] = county_filter


def register_county_section(build: CountySection) -> None:
    if build not in _county_sections:
        _county_sections.append(build)


def register_institution_section(build: InstitutionSection) -> None:
    if build not in _institution_sections:
        _institution_sections.append(build)


def county_filter_choices() -> list[tuple[str, str]]:
    return [(f.value, f.label) for f in _county_filters.values()]


def county_filter(value: str) -> CountyFilter | None:
    return _county_filters.get(value)


def county_sections(user: User, county: County) -> list[Section]:
    return [s for build in _county_sections if (s := build(user, county)) is not None]


def institution_sections(user: User, institution: Institution) -> list[Section]:
    return [s for build in _institution_sections if (s := build(user, institution)) is not None]
