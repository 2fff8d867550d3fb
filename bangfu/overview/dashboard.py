"""The home page's one read: what needs attention today, scoped to the user.

Officers (province, prefecture, county, observers) see coverage of the target counties (§一),
agreements about to expire and 断档 gaps (§七); hospital users see their own partnerships;
every role sees how many experts are on site today and, for an expert, their own record.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.urls import reverse

from bangfu.accounts.models import Role, User
from bangfu.partnerships.coverage_report import CoverageReport, coverage_report_for_user
from bangfu.partnerships.domain.lifecycle import AgreementStatus
from bangfu.partnerships.selectors import PartnershipRow, partnership_list_for_user, today_local
from bangfu.people.models import Expert
from bangfu.people.selectors import DeploymentFilters, deployment_list_for_user
from bangfu.registry.selectors import RegistrySummary, registry_summary_for_user

OFFICER_ROLES = frozenset({Role.PROVINCE, Role.PREFECTURE, Role.COUNTY, Role.OBSERVER})


@dataclass(frozen=True)
class StatusCount:
    status: AgreementStatus
    count: int


@dataclass(frozen=True)
class Dashboard:
    day: date
    summary: RegistrySummary
    coverage: CoverageReport | None
    partnerships: list[PartnershipRow]
    status_counts: list[StatusCount]
    on_site_today: int
    expert: Expert | None

    @property
    def is_officer(self) -> bool:
        return self.coverage is not None

    @property
    def expiring(self) -> int:
        return sum(c.count for c in self.status_counts if c.status == AgreementStatus.EXPIRING)

    def chart_data(self) -> dict[str, object]:
        """Covered and uncovered target counties per prefecture, for the ECharts bar chart."""
        prefectures = self.coverage.prefectures if self.coverage else []
        return {
            "names": [p.name for p in prefectures],
            "codes": [p.code for p in prefectures],
            "covered": [p.covered for p in prefectures],
            "uncovered": [p.target - p.covered for p in prefectures],
            "list_url": reverse("registry:county_list"),
        }


def dashboard_for_user(*, user: User, day: date | None = None) -> Dashboard:
    day = day or today_local()
    officer = user.role in OFFICER_ROLES
    # Officers get the coverage report (which lists the partnerships itself); hospital users,
    # whose scope is a handful of pairs, get the pairs.
    rows = [] if officer else list(partnership_list_for_user(user=user, today=day))
    counts = Counter(r.status for r in rows if r.status is not None)
    expert = Expert.objects.filter(user=user).first() if user.role == Role.EXPERT else None
    return Dashboard(
        day=day,
        summary=registry_summary_for_user(user=user),
        coverage=coverage_report_for_user(user=user, day=day) if officer else None,
        partnerships=rows,
        status_counts=[StatusCount(s, counts[s]) for s in AgreementStatus if counts[s]],
        on_site_today=deployment_list_for_user(
            user=user, filters=DeploymentFilters(on_site_on=day)
        ).count(),
        expert=expert,
    )
