"""What apps above people add to people's pages and checks (the app-layers rule: incentives
imports people, never the reverse).

people sits below incentives, so it never reads incentive models. An app that records facts
people's pages show registers a provider in its `AppConfig.ready()`:

- a *team care source* gives, for experts and a year, the accident-insurance cover and the
  health-check dates the team composition check reads (§六; A2-四(三)3; `people.domain.team`);
  incentives registers one reading its insurance policies and health checks;
- an *expert section* renders a part of the expert page (e.g. incentives' 待遇台账) from its own
  scoped reads, given the reader and what the reader may do.

Registering twice under one name replaces the provider (`ready()` may run more than once).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from bangfu.accounts.models import User
from bangfu.people.models import Expert


@dataclass(frozen=True)
class MemberCare:
    """What the team check reads about one expert in a year."""

    insurance_coverage: Decimal | None = None
    """The largest accident-insurance cover in force at some point of the year; None: none."""
    health_check_dates: tuple[date, ...] = ()


NO_CARE = MemberCare()


class TeamCareSource(Protocol):
    def __call__(self, *, expert_ids: Collection[int], year: int) -> Mapping[int, MemberCare]: ...


@dataclass(frozen=True)
class ExpertSection:
    """A part of the expert page: a template included with its own context."""

    template: str
    context: Mapping[str, object]


@dataclass(frozen=True)
class ExpertPageReader:
    """Who reads the expert page and what the page offers them (`people.access`)."""

    user: User
    can_pay: bool
    is_self: bool


class ExpertSectionSource(Protocol):
    def __call__(self, *, reader: ExpertPageReader, expert: Expert) -> ExpertSection | None: ...


_CARE_SOURCES: dict[str, TeamCareSource] = {}
_EXPERT_SECTIONS: dict[str, ExpertSectionSource] = {}


def team_care_source_register(name: str, source: TeamCareSource) -> None:
    _CARE_SOURCES[name] = source


def expert_section_register(name: str, source: ExpertSectionSource) -> None:
    _EXPERT_SECTIONS[name] = source


def member_care(*, expert_ids: Collection[int], year: int) -> dict[int, MemberCare]:
    """Each expert's care facts from the registered sources (larger cover, all checks);
    `NO_CARE` for an expert no source knows. One call per page, not per team."""
    facts: dict[int, MemberCare] = {}
    if not expert_ids:
        return facts
    for source in _CARE_SOURCES.values():
        for expert_id, care in source(expert_ids=expert_ids, year=year).items():
            known = facts.get(expert_id, NO_CARE)
            covers = [
                c for c in (known.insurance_coverage, care.insurance_coverage) if c is not None
            ]
            facts[expert_id] = MemberCare(
                insurance_coverage=max(covers) if covers else None,
                health_check_dates=known.health_check_dates + care.health_check_dates,
            )
    return facts


def expert_sections(*, reader: ExpertPageReader, expert: Expert) -> list[ExpertSection]:
    """The registered sections of the expert page, in registration order."""
    sections = (source(reader=reader, expert=expert) for source in _EXPERT_SECTIONS.values())
    return [s for s in sections if s is not None]
