"""Page and API response times and query counts, at the demo size and at a national size
(DESIGN.md §5: page cost does not grow with data).

    .venv/bin/python bench/bench_pages.py                      # SQLite in /tmp, scale 10, 5 runs
    .venv/bin/python bench/bench_pages.py --scale 20 --runs 9
    .venv/bin/python bench/bench_pages.py \\
        --database-url postgres://postgres@127.0.0.1:5432/bangfu_bench

Sets up its own database: a temporary SQLite file by default, or the PostgreSQL database named
in `--database-url`, which must not exist yet; it is created and dropped afterwards (`--keep`
keeps it, and keeps the SQLite file). Runs `migrate`, `load_registry` and `demo_data`, measures,
then inflates the data with `bulk_create` (≈ 300 × scale partnerships, 2 agreement cycles each,
≈ 1,500 × scale experts and deployments, travel claims, insurance, work funds, matching rounds)
and measures again, at `--mid-scale` (default 1) and at `--scale`; a table of rows and one of
queries and median milliseconds per size goes to stdout (progress to stderr). Each page and API list is requested as `demo_province`, `demo_county` and
`demo_helper` through `django.test.Client` (pages: `force_login`; API: a token from
POST /api/v1/auth/token): one warm-up request, one request under `CaptureQueriesContext` for
the query count, then `--runs` timed requests (median wall time). Timed requests run with
`settings.DEBUG = False` (no query log), as in production. Writes only under /tmp (and the
scratch PostgreSQL database); never touches var/ or the project's database.

Interleaved (the default; issue #13): on a shared machine the background load changes in the
minutes between two sizes, so measuring each size once, right after building it, can turn a
flat page's ×10 ÷ ×1 into 1.9×. So the bench keeps a copy of the database at every size — after
loading the demo and after each inflation (and its `VACUUM (ANALYZE)`): on PostgreSQL
`CREATE DATABASE <name>_demo / <name>_x1 / <name>_x10 … TEMPLATE <name>` (the copy keeps the
planner statistics, the visibility map and the hint bits: it is a copy of the files), on SQLite
a copy of the file next to it — and then measures in rounds: in each of the `--runs` rounds it
switches Django's default connection to each size's copy in turn (the order rotates by one size
per round, so no size is always first), and requests every page once as a warm-up and once
timed. A page's median at a size is over the rounds, so every size's requests are spread over
the same minutes. Query counts and statuses are taken once per size, before the rounds (the
users log in and fetch their API token in each copy: sessions and tokens live in the
database). The copies are dropped at the end (`--keep` keeps them and prints their URLs); the
run stops before any work if a copy's name is taken (it never drops a database it did not
create). `--sequential` measures the old way (each size once, right after building it, with
`--runs` timed requests per page), without copies.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEMO_USERS = ("demo_province", "demo_county", "demo_helper")
DEMO_HELPER = "广州市番禺区中心医院"
TAG = "压测"  # marks every generated row's name or note


@dataclass(frozen=True)
class Page:
    label: str
    url: str
    api: bool = False
    # Fetched by htmx (a section of a page): sent with HX-Request, answered with the fragment.
    htmx: bool = False


PAGES = (
    Page("home", "/"),
    Page("partnership list", "/partnerships/"),
    Page("coverage", "/partnerships/coverage/"),
    # its four lists, each a section fetched by htmx (#13)
    Page("coverage expiring list", "/partnerships/coverage/list/?list=expiring", htmx=True),
    Page("coverage gaps list", "/partnerships/coverage/list/?list=gaps", htmx=True),
    Page("coverage gaps list p3", "/partnerships/coverage/list/?list=gaps&page=3", htmx=True),
    Page("coverage lapsed list", "/partnerships/coverage/list/?list=lapsed", htmx=True),
    Page("coverage never-paired list", "/partnerships/coverage/list/?list=never_paired", htmx=True),
    Page("expert list", "/people/experts/"),
    Page("team list", "/people/teams/"),
    Page("deployment list", "/people/deployments/"),
    Page("ledger", "/incentives/ledger/"),
    Page("budget", "/incentives/budget/"),
    Page("matching rounds", "/matching/"),
    Page("county list", "/registry/counties/"),
    # activities (#8), self-assessments and capability (#9), coordination, overview (#13)
    Page("activity list", "/activities/"),
    Page("activity progress", "/activities/progress/"),
    Page("assessment board", "/assessments/"),
    Page("capability summary", "/capability/"),
    Page("capability plan gaps", "/capability/plans/gaps/"),
    Page("meetings", "/coordination/"),
    Page("problems", "/coordination/problems/"),
    Page("tasks", "/coordination/tasks/"),
    Page("map", "/overview/map/"),
    Page("map standard", "/overview/map/?metric=standard"),
    Page("goals panel", "/overview/goals/"),
    Page("report page", "/overview/reports/"),
    Page("API partnerships", "/api/v1/partnerships", api=True),
    Page("API experts", "/api/v1/experts", api=True),
    Page("API deployments", "/api/v1/deployments", api=True),
    Page("API teams", "/api/v1/teams", api=True),
    Page("API agreements", "/api/v1/agreements", api=True),
    Page("API coverage", "/api/v1/coverage", api=True),
    Page("API map", "/api/v1/map/counties?metric=coverage", api=True),
    Page("API activities", "/api/v1/activities", api=True),
    Page("API assessments", "/api/v1/assessments", api=True),
    Page(
        "API capability summary",
        f"/api/v1/capability/summary?year={date.today().year - 1}",
        api=True,
    ),
    Page("API meetings", "/api/v1/meetings", api=True),
    Page("API tasks", "/api/v1/tasks", api=True),
)


@dataclass(frozen=True)
class Measure:
    status: int
    queries: int
    median_ms: float


def say(text: str) -> None:
    """Progress, on stderr (the table goes to stdout)."""
    sys.stderr.write(text + "\n")


# ---- database set-up ----


def configure_environment(database_url: str | None, workdir: Path) -> str:
    """Point the settings at a scratch database before Django is imported."""
    url = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_DEBUG"] = "1"
    os.environ["BANGFU_VAR_DIR"] = str(workdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bangfu.settings"
    os.environ.pop("CONN_MAX_AGE", None)
    return url


def _postgres_admin(url: str) -> tuple[str, str]:
    """The maintenance database's URL and the scratch database's name."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name in {"postgres", "template0", "template1"}:
        raise SystemExit(f"--database-url must name a scratch database, not {name or '(none)'}")
    return urlunsplit(parts._replace(path="/postgres")), name


def postgres_create(url: str) -> None:
    import psycopg
    from psycopg import sql

    admin, name = _postgres_admin(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            raise SystemExit(f"database {name} already exists; drop it or choose another name")
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def postgres_drop(url: str) -> None:
    import psycopg
    from psycopg import sql

    admin, name = _postgres_admin(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def load_demo() -> None:
    """What `make demo` does, minus runserver."""
    from django.core.management import call_command

    out = io.StringIO()
    call_command("migrate", interactive=False, verbosity=0, stdout=out)
    call_command("load_registry", stdout=out)
    call_command("demo_data", stdout=out)


def table_sizes() -> dict[str, int]:
    from bangfu.activities.models import Activity
    from bangfu.capability.models import IndicatorValue
    from bangfu.incentives.models import InsurancePolicy, TravelClaim
    from bangfu.matching.models import MatchingProposal, MatchingRound
    from bangfu.partnerships.models import Agreement, AgreementMeasure, Partnership
    from bangfu.people.models import Deployment, Expert, Team
    from bangfu.registry.models import Institution

    models: dict[str, Any] = {
        "institutions": Institution,
        "partnerships": Partnership,
        "agreements": Agreement,
        "agreement measures": AgreementMeasure,
        "teams": Team,
        "experts": Expert,
        "deployments": Deployment,
        "travel claims": TravelClaim,
        "insurance policies": InsurancePolicy,
        "matching rounds": MatchingRound,
        "matching proposals": MatchingProposal,
        "activities": Activity,
        "capability values": IndicatorValue,
    }
    return {label: model.objects.count() for label, model in models.items()}


# ---- inflating to a national size ----


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def months_later(day: date, months: int) -> date:
    return day + timedelta(days=round(months * 365 / 12) - 1)


@dataclass
class Cycle:
    start: date
    end: date
    signed_on: date | None
    terminated_on: date | None = None


CURRENT_KINDS = ("active", "expiring", "expired", "terminated", "draft", "signed")
CURRENT_WEIGHTS = (50, 12, 12, 6, 10, 10)
MODES = ("east_west", "group", "specialty_alliance", "telemedicine", "region_field")
RECIPIENT_KINDS = (
    ("第二人民医院", "general", "二甲"),
    ("中医医院分院", "tcm", "二乙"),
    ("妇幼保健院分院", "maternal_child", "二乙"),
    ("骨科医院", "specialist", "二级"),
    ("精神病医院", "specialist", "二级"),
)
# (title, job title, degree, pay, leadership-qualified share)
EXPERT_PROFILES = (
    ("正高", "主任医师", "博士", Decimal("330000"), 0.5),
    ("副高", "副主任医师", "硕士", Decimal("240000"), 0.2),
    ("中级", "主治医师", "学士", Decimal("175000"), 0.0),
)
# (kind, planned months, share)
DEPLOYMENT_KINDS = (
    ("resident", 12, 40),
    ("short_term", 3, 20),
    ("flexible", 6, 20),
    ("silver_age", 12, 5),
    ("remote", 12, 15),
)


def _cycles(rng: random.Random, today: date) -> list[Cycle]:
    """The cycles of one partnership, oldest first: 0–2 renewed cycles, then the current one."""
    from bangfu.partnerships.domain.lifecycle import cycle_default_end

    kind = rng.choices(CURRENT_KINDS, weights=CURRENT_WEIGHTS)[0]
    three_years = 3 * 365
    terminated_on = None
    signed_on: date | None
    if kind == "active":
        start = today - timedelta(days=rng.randint(30, three_years - 120))
    elif kind == "expiring":
        start = today - timedelta(days=three_years - rng.randint(5, 80))
    elif kind == "expired":
        start = today - timedelta(days=three_years + rng.randint(10, 400))
    elif kind == "terminated":
        start = today - timedelta(days=rng.randint(150, 800))
        terminated_on = today - timedelta(days=rng.randint(1, 120))
    else:  # draft or signed, not started yet
        start = today + timedelta(days=rng.randint(10, 90))
    signed_on = None if kind == "draft" else min(start, today) - timedelta(days=rng.randint(3, 30))
    cycles = [Cycle(start, cycle_default_end(start, 3), signed_on, terminated_on)]
    for _ in range(rng.choices((0, 1, 2), weights=(30, 40, 30))[0]):
        gap = rng.randint(20, 200) if rng.random() < 0.2 else 0
        prev_start = years_before(cycles[0].start - timedelta(days=gap), 3)
        cycles.insert(
            0,
            Cycle(
                prev_start,
                cycle_default_end(prev_start, 3),
                prev_start - timedelta(days=rng.randint(3, 30)),
            ),
        )
    return cycles


def inflate(units: int, seed: int, done: int = 0) -> None:
    """Add `units` × (100 recipients, 50 helpers, ≈ 300 partnerships with their cycles, teams,
    experts, deployments and ledger rows, 5 matching rounds) with bulk_create: no audit
    entries, no validation beyond the database's. `done` is how many units exist already
    (it keeps names and identity numbers unique)."""
    from django.db import transaction
    from django.utils import timezone

    from bangfu.accounts.models import User
    from bangfu.incentives.models import HealthCheck, InsurancePolicy, TravelClaim, WorkFund
    from bangfu.matching.models import MatchingProposal, MatchingRound
    from bangfu.overview.demo import GENERATED_HELPER_CITIES, helper_regions
    from bangfu.partnerships.demo import demo_measures
    from bangfu.partnerships.models import Agreement, AgreementMeasure, Partnership
    from bangfu.partnerships.services import partnership_sort_keys_write
    from bangfu.people.demo import GIVEN, SURNAMES
    from bangfu.people.domain.identity import id_number_check_char
    from bangfu.people.models import Deployment, Expert, Team
    from bangfu.registry.models import County, Institution, InstitutionCategory, Specialty

    EXPERT_HAS_OUTSTANDING = any(f.name == "outstanding" for f in Expert._meta.concrete_fields)

    rng = random.Random(f"{seed}:{done}")
    today = timezone.localdate()
    counties = list(County.objects.select_related("prefecture").order_by("code"))
    specialties = list(Specialty.objects.order_by("code"))
    leading = {
        i.prefecture_id: i for i in Institution.objects.filter(category=InstitutionCategory.LEADING)
    }
    province = User.objects.get(username="demo_province")
    demo_helper = Institution.objects.get(name=DEMO_HELPER)

    with transaction.atomic():
        # -- registry: recipients spread over every county, out-of-province 三甲 helpers --
        recipients = []
        for n in range(100 * done, 100 * (done + units)):
            county = counties[n % len(counties)]
            suffix, kind, grade = RECIPIENT_KINDS[(n // len(counties)) % len(RECIPIENT_KINDS)]
            recipients.append(
                Institution(
                    name=f"{county.name}{suffix}（{TAG}{n:05d}）",
                    category=InstitutionCategory.RECIPIENT,
                    institution_type=kind,
                    county=county,
                    prefecture=county.prefecture,
                    city=county.prefecture.name,
                    grade=grade,
                    is_demo=True,
                    source_note=f"{TAG}数据：bench/bench_pages.py",
                )
            )
        recipients = Institution.objects.bulk_create(recipients, batch_size=500)
        helpers = []
        for n in range(50 * done, 50 * (done + units)):
            prov, city = GENERATED_HELPER_CITIES[n % len(GENERATED_HELPER_CITIES)]
            helpers.append(
                Institution(
                    name=f"{city.removesuffix('市')}{TAG}第{n + 1}医院",
                    category=InstitutionCategory.HELPER,
                    province=prov,
                    city=city,
                    grade="三甲",
                    capacity=rng.randint(1, 3),
                    regions=helper_regions(prov, city),
                    is_demo=True,
                    source_note=f"{TAG}数据：虚构的省外三甲医院",
                )
            )
        helpers = Institution.objects.bulk_create(helpers, batch_size=500)
        strong = Institution.strong_specialties.through
        strong.objects.bulk_create(
            [
                strong(institution_id=h.pk, specialty_id=s.pk)
                for h in helpers
                for s in rng.sample(specialties, k=min(3, len(specialties)))
            ],
            batch_size=1000,
        )

        # -- partnerships: 3 helpers per new recipient; every 100th with the demo helper --
        partnerships: list[Partnership] = []
        for recipient in recipients:
            for helper in rng.sample(helpers, k=3):
                chosen = demo_helper if len(partnerships) % 100 == 99 else helper
                partnerships.append(
                    Partnership(
                        helper=chosen,
                        recipient=recipient,
                        modes=rng.sample(MODES, k=rng.randint(1, 2)),
                        helper_liaison=f"甲方联络员（{TAG}）",
                        recipient_liaison=f"乙方联络员（{TAG}）",
                        is_demo=True,
                    )
                )
        # A helper drawn twice for one recipient (demo helper substitution) would break the
        # unique pair: keep the first.
        seen: set[tuple[int, int]] = set()
        unique = []
        for p in partnerships:
            if (p.helper.pk, p.recipient.pk) not in seen:
                seen.add((p.helper.pk, p.recipient.pk))
                unique.append(p)
        partnerships = Partnership.objects.bulk_create(unique, batch_size=500)
        # bulk_create bypasses the services: the new partnerships (those of the new recipients)
        # get their stored sort key here (ADR 0024).
        partnership_sort_keys_write(Partnership.objects.filter(recipient__in=recipients))
        through = Partnership.leading_institutions.through
        through.objects.bulk_create(
            [
                through(partnership_id=p.pk, institution_id=leading[p.recipient.prefecture_id].pk)
                for p in partnerships
                if rng.random() < 0.2 and p.recipient.prefecture_id in leading
            ],
            batch_size=1000,
        )

        # -- agreements, cycle by cycle so each links to the one before --
        plans = [(p, _cycles(rng, today)) for p in partnerships]
        agreements_by_plan: list[list[Agreement]] = [[] for _ in plans]
        for level in range(max(len(c) for _, c in plans)):
            batch = []
            owners = []
            for index, (p, cycles) in enumerate(plans):
                if level >= len(cycles):
                    continue
                cycle = cycles[level]
                previous = agreements_by_plan[index][-1] if level else None
                batch.append(
                    Agreement(
                        partnership=p,
                        cycle_number=level + 1,
                        previous=previous,
                        party_c=f"{p.recipient.county.name}人民政府",  # type: ignore[union-attr]
                        start=cycle.start,
                        end=cycle.end,
                        signed_on=cycle.signed_on,
                        terminated_on=cycle.terminated_on,
                        termination_reason=f"帮扶医院调整援派计划（{TAG}）"
                        if cycle.terminated_on
                        else "",
                        filed_province_on=cycle.signed_on,
                    )
                )
                owners.append(index)
            for index, agreement in zip(
                owners, Agreement.objects.bulk_create(batch, batch_size=500), strict=True
            ):
                agreements_by_plan[index].append(agreement)
        AgreementMeasure.objects.bulk_create(
            [
                AgreementMeasure(agreement=a, code=code, targets=targets)
                for agreements in agreements_by_plan
                for a in agreements
                for code, targets in demo_measures(rng.randint(3, 5)).items()
            ],
            batch_size=1000,
        )

        # -- teams (one per started, signed cycle; the last two), experts, deployments --
        team_specs: list[tuple[Partnership, int, Cycle, list[Expert]]] = []
        experts: list[Expert] = []
        serial = 10_000 * done  # ≈ 1,500 experts a unit
        for p, cycles in plans:
            started = [c for c in cycles if c.signed_on and c.start <= today][-2:]
            if len(started) == 2 and rng.random() < 0.5:
                started = started[1:]
            for batch_no, cycle in enumerate(started, start=1):
                members = []
                for position in range(rng.randint(3, 5)):
                    serial += 1
                    title, job, degree, pay, lead = EXPERT_PROFILES[min(position, 2)]
                    birth = date(rng.randint(1966, 1990), 1, 1) + timedelta(days=rng.randrange(365))
                    # Invented, unique: the serial spread over the area and order codes.
                    body = f"{330000 + serial // 1000:06d}{birth:%Y%m%d}{serial % 1000:03d}"
                    # `outstanding` was a column; when it is not (a recognition record instead),
                    # the draw is still made so the rest of the data stays the same.
                    outstanding = rng.random() < 0.05
                    extra = {"outstanding": outstanding} if EXPERT_HAS_OUTSTANDING else {}
                    expert = Expert(
                        **extra,
                        name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                        sex=rng.choice("MF"),
                        title=title,
                        job_title=job,
                        degree=degree,
                        specialty=rng.choice(specialties),
                        home_institution=p.helper,
                        prior_year_pay=pay + rng.randint(-30, 30) * 1000,
                        leadership_qualified=rng.random() < lead,
                        phone=f"139{rng.randrange(10**8):08d}",
                        id_number=body + id_number_check_char(body),
                        is_demo=True,
                    )
                    members.append(expert)
                    experts.append(expert)
                team_specs.append((p, batch_no, cycle, members))
        experts = Expert.objects.bulk_create(experts, batch_size=500)
        teams = Team.objects.bulk_create(
            [
                Team(partnership=p, batch=b, captain=m[0], note=f"{TAG}数据", is_demo=True)
                for p, b, _, m in team_specs
            ],
            batch_size=500,
        )
        kinds = [k for k, _, _ in DEPLOYMENT_KINDS]
        kind_weights = [w for _, _, w in DEPLOYMENT_KINDS]
        months = {k: m for k, m, _ in DEPLOYMENT_KINDS}
        deployments = []
        for team, (_, _, cycle, members) in zip(teams, team_specs, strict=True):
            for expert in members:
                kind = rng.choices(kinds, weights=kind_weights)[0]
                latest = min(today, cycle.end, cycle.terminated_on or cycle.end)
                start = min(cycle.start + timedelta(days=rng.randint(0, 90)), latest)
                planned_end = months_later(start, months[kind])
                actual_end = None
                if planned_end < today and rng.random() < 0.7:
                    actual_end = max(start, planned_end - timedelta(days=rng.randint(0, 20)))
                deployments.append(
                    Deployment(
                        expert=expert,
                        team=team,
                        kind=kind,
                        start=start,
                        planned_end=planned_end,
                        actual_end=actual_end,
                    )
                )
        deployments = Deployment.objects.bulk_create(deployments, batch_size=500)

        # -- the ledger: travel claims every ~2 months on site, insurance and check-ups --
        claims = []
        policies = []
        checks = []
        for d in deployments:
            until = min(today, d.effective_end)
            on_site = (until - d.start).days
            if d.kind != "remote":
                for _ in range(min(4, max(0, on_site) // 60)):
                    claims.append(
                        TravelClaim(
                            deployment=d,
                            date=d.start + timedelta(days=rng.randint(0, max(0, on_site))),
                            amount=Decimal(rng.randint(600, 2500)),
                            note=f"往返交通（{TAG}）",
                        )
                    )
            if d.kind in ("resident", "silver_age"):
                policies.append(
                    InsurancePolicy(
                        expert=d.expert,
                        insurer="中国人民财产保险股份有限公司（压测）",
                        policy_number=f"BENCH-{d.pk:07d}",
                        coverage=Decimal("1000000"),
                        start=d.start,
                        end=months_later(d.start, 12),
                    )
                )
                checks.append(HealthCheck(expert=d.expert, checked_on=d.start, provider=TAG))
        # A drawn trip may repeat an earlier one (same deployment, date, amount): the platform
        # refuses such a duplicate (travel_claim_unique_trip), so it is skipped here too.
        TravelClaim.objects.bulk_create(claims, batch_size=1000, ignore_conflicts=True)
        InsurancePolicy.objects.bulk_create(policies, batch_size=1000)
        HealthCheck.objects.bulk_create(checks, batch_size=1000)
        in_force = {p.recipient.pk for p, cycles in plans if cycles[-1].start <= today}
        WorkFund.objects.bulk_create(
            [
                WorkFund(recipient_id=pk, year=today.year, amount=Decimal("200000"), note=TAG)
                for pk in sorted(in_force)
            ],
            batch_size=1000,
        )

        # -- matching rounds with their proposals --
        all_recipients = list(
            Institution.objects.filter(category=InstitutionCategory.RECIPIENT).values_list(
                "pk", flat=True
            )
        )
        all_helpers = [h.pk for h in helpers]
        rounds = MatchingRound.objects.bulk_create(
            [
                MatchingRound(
                    method=rng.choice(("stable", "optimal")),
                    prefecture=None,
                    parameters={"note": TAG},
                    instance={"recipients": [], "helpers": []},
                    result={"reasons": [], "unmatched": []},
                    recipient_count=60,
                    helper_count=60,
                    matched_count=60,
                    objective=Decimal(rng.randint(1000, 5000)),
                    solve_seconds=rng.random() / 10,
                    created_by=province,
                )
                for _ in range(5 * units)
            ]
        )
        proposals = []
        for matching_round in rounds:
            for recipient_pk in rng.sample(all_recipients, k=min(60, len(all_recipients))):
                proposals.append(
                    MatchingProposal(
                        round=matching_round,
                        recipient_id=recipient_pk,
                        helper_id=rng.choice(all_helpers),
                        fit_total=Decimal(rng.randint(1000, 9999)) / 100,
                        parts={},
                        reason=f"专科契合（{TAG}）",
                        status=rng.choices(
                            ("proposed", "accepted", "excluded"), weights=(60, 30, 10)
                        )[0],
                    )
                )
        MatchingProposal.objects.bulk_create(proposals, batch_size=1000)

        # -- activities and capability values, copied from the demo's (#8, #9) --
        clone_activities_and_values(rng, [p for p, cycles in plans if cycles[-1].start <= today])

    # The budget's stored yearly forecasts are written by the services, which bulk_create
    # bypasses: recompute them as `manage.py refresh_forecasts` does (ADR 0018). Each full
    # rebuild below stamps its rows (`core.derived_rows`), as the command does.
    from bangfu.incentives.forecasts import forecasts_refresh_all

    started = time.perf_counter()
    rows = forecasts_refresh_all()
    say(
        f"refresh_forecasts: {rows[0]:,} deployment and {rows[1]:,} hospital rows in "
        f"{time.perf_counter() - started:.1f} s"
    )
    # Likewise the stored progress of agreement-years (ADR 0020).
    from bangfu.activities.progress_store import progress_refresh_all

    started = time.perf_counter()
    written = progress_refresh_all()
    say(
        f"refresh_progress: {written:,} agreement-year rows in "
        f"{time.perf_counter() - started:.1f} s"
    )

    # Likewise the hospitals' stored yearly standard results (ADR 0021).
    from bangfu.capability.standings import standings_refresh_all

    started = time.perf_counter()
    written = standings_refresh_all()
    say(
        f"refresh_standings: {written.standings:,} hospital-year rows and {written.assisted:,} "
        f"assisted years in {time.perf_counter() - started:.1f} s"
    )

    # Likewise the partnerships' stored 断档 (ADR 0023).
    from bangfu.partnerships.gap_store import gaps_refresh_all

    started = time.perf_counter()
    written = gaps_refresh_all()
    say(f"refresh_gaps: {written:,} gap rows in {time.perf_counter() - started:.1f} s")

    # Likewise the agreements' stored in-force spans and the counties' covered days (ADR 0022).
    from bangfu.partnerships.coverage_store import coverage_refresh_all

    started = time.perf_counter()
    spans = coverage_refresh_all()
    say(
        f"refresh_coverage: {spans.spans:,} agreement spans and {spans.county_spans:,} county "
        f"spans in {time.perf_counter() - started:.1f} s"
    )


def _copy(row: Any, **changes: Any) -> Any:
    """An unsaved copy of a model row with some fields changed (every concrete field kept,
    so the copy follows the model as it changes)."""
    skip = {"id", "created_at", "updated_at"}
    fields = {
        f.attname: getattr(row, f.attname)
        for f in type(row)._meta.concrete_fields
        if f.attname not in skip
    }
    return type(row)(**{**fields, **changes})


def clone_activities_and_values(rng: random.Random, started: list[Any]) -> None:
    """Half of the new partnerships whose current cycle has started get the activity record
    of one demo partnership (≈ 43 activities each, confirmed or not as the demo's), and their
    recipients the capability values of a demo hospital of the same type (all its years)."""
    from bangfu.activities.models import Activity
    from bangfu.capability.models import IndicatorValue
    from bangfu.registry.models import Institution

    demo_activities: dict[int, list[Activity]] = {}
    demo_only = Activity.objects.exclude(partnership__helper_liaison__contains=TAG)
    for activity in demo_only.filter(external_id="").order_by("pk"):
        demo_activities.setdefault(activity.partnership_id, []).append(activity)
    sources = list(demo_activities.values())
    if sources:
        Activity.objects.bulk_create(
            [
                _copy(a, partnership_id=p.pk, is_demo=True)
                for n, p in enumerate(started)
                if rng.random() < 0.5
                for a in sources[n % len(sources)]
            ],
            batch_size=1000,
        )
    demo_values: dict[tuple[str, int], list[IndicatorValue]] = {}
    demo_values_only = IndicatorValue.objects.exclude(institution__name__contains=TAG)
    for value in demo_values_only.select_related("institution"):
        key = (value.institution.institution_type, value.institution_id)
        demo_values.setdefault(key, []).append(value)
    by_type: dict[str, list[list[IndicatorValue]]] = {}
    for (kind, _), values in sorted(demo_values.items()):
        by_type.setdefault(kind, []).append(values)
    recipients = {p.recipient_id for p in started}
    rows = []
    for n, recipient in enumerate(
        Institution.objects.filter(pk__in=recipients).order_by("pk").only("pk", "institution_type")
    ):
        choices = by_type.get(recipient.institution_type) or by_type.get("general") or []
        if choices:
            rows.extend(_copy(v, institution_id=recipient.pk) for v in choices[n % len(choices)])
    IndicatorValue.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


# ---- measuring ----


def code_label() -> str:
    """The commit measured, and whether the working tree differs from it."""
    import subprocess

    def git(*args: str) -> str:
        run = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)
        return run.stdout.strip() if run.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown commit"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "bangfu")
    return f"code {commit}" + (" + uncommitted changes in bangfu/" if dirty else "")


def vacuum_analyze() -> None:
    """The steady state autovacuum keeps a loaded PostgreSQL database in: statistics for the
    planner, and the visibility map and hint bits set, so that the first reads after a bulk load
    do not measure the load's aftermath (rewriting the pages they read)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        version = connection.pg_version  # type: ignore[attr-defined]
        return f"PostgreSQL {version // 10000}.{version % 10000}"
    return f"{connection.vendor} {connection.Database.sqlite_version}"  # type: ignore[attr-defined]


def api_token(username: str, password: str) -> str:
    from django.test import Client

    response = Client(HTTP_HOST="localhost").post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )
    if response.status_code != 200:
        raise SystemExit(f"no API token for {username}: {response.status_code}")
    return str(response.json()["token"])


def measure_all(
    runs: int, pages: Sequence[Page] = PAGES, users: Sequence[str] = DEMO_USERS
) -> dict[tuple[str, str], Measure]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bangfu.accounts.models import User
    from bangfu.overview.demo import DEMO_PASSWORD

    results: dict[tuple[str, str], Measure] = {}
    for username in users:
        user = User.objects.get(username=username)
        client = Client(HTTP_HOST="localhost")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        token = api_token(username, DEMO_PASSWORD)
        for page in pages:
            headers = {"Authorization": f"Bearer {token}"} if page.api else {}
            if page.htmx:
                headers["HX-Request"] = "true"

            def get(
                url: str = page.url, headers: dict[str, str] = headers, client: Client = client
            ) -> int:
                response = client.get(url, headers=headers)
                _ = response.content
                return int(response.status_code)

            settings.DEBUG = False
            get()  # warm-up
            # The log is a bounded deque (9,000): once full its length no longer grows.
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as captured:
                status = get()
            queries = len(captured.captured_queries)  # before the next request clears the log
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                get()
                times.append(time.perf_counter() - started)
            measure = Measure(status, queries, statistics.median(times) * 1000)
            results[(page.label, username)] = measure
            say(
                f"  {username:<14} {page.label:<18} {status} {queries:>4} q {measure.median_ms:>9.1f} ms"
            )
    return results


@dataclass(frozen=True)
class Step:
    label: str
    sizes: dict[str, int]
    results: dict[tuple[str, str], Measure]


def step_key(label: str) -> str:
    """A step's key in the JSON: "demo", "x1", "x10", …"""
    return label.replace("×", "x")


# ---- interleaved sizes: a copy of the database per size, measured in rounds ----


@dataclass(frozen=True)
class Snapshot:
    """One size kept for the rounds: its step label ("demo", "×10"), its row counts, and the
    `NAME` Django's default connection takes to reach its copy (a PostgreSQL database name, or
    a SQLite file's path)."""

    label: str
    sizes: dict[str, int]
    database: str


def copy_database_name(name: str, label: str) -> str:
    """The PostgreSQL copy of database `name` at step `label`: bench_x10 for ("bench", "×10")."""
    return f"{name}_{step_key(label)}"


def postgres_copies_free(url: str, labels: Sequence[str]) -> None:
    """Stops before any work if a copy's name is taken: the run would fail at that size, and
    it must never drop a database it did not create (others use bench_x10, bench_x50, …)."""
    import psycopg

    admin, name = _postgres_admin(url)
    names = [copy_database_name(name, label) for label in labels]
    if too_long := [n for n in names if len(n.encode()) > 63]:
        raise SystemExit(f"copy names longer than PostgreSQL's 63 bytes: {', '.join(too_long)}")
    with psycopg.connect(admin, autocommit=True) as conn:
        taken = conn.execute(
            "SELECT datname FROM pg_database WHERE datname = ANY(%s) ORDER BY datname", [names]
        ).fetchall()
    if taken:
        raise SystemExit(
            "the copies' databases exist already: "
            + ", ".join(row[0] for row in taken)
            + "; drop them (if they are yours) or choose another --database-url name"
        )


def postgres_copy(url: str, copy: str) -> None:
    """`CREATE DATABASE copy TEMPLATE <url's database>`. The template must have no other
    connection: the caller closes Django's; an autovacuum worker is asked to leave by the server,
    and a moment's wait covers the rest."""
    import psycopg
    from psycopg import sql

    admin, name = _postgres_admin(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        # FILE_COPY (PostgreSQL 15+; the only way before): copies the files after a checkpoint,
        # instead of writing the whole database to the WAL.
        strategy = sql.SQL(" STRATEGY FILE_COPY" if conn.info.server_version >= 150000 else "")
        statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(copy), sql.Identifier(name)
        )
        for attempt in range(10):
            try:
                conn.execute(statement + strategy)
                return
            except psycopg.errors.ObjectInUse:
                if attempt == 9:
                    raise
                time.sleep(3)


def postgres_drop_copy(url: str, copy: str) -> None:
    """Drops a copy this run created (the caller only passes those)."""
    import psycopg
    from psycopg import sql

    admin, _ = _postgres_admin(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(copy)))


def sqlite_copy(source: str, target: str) -> None:
    """A consistent copy of a SQLite database file (the backup API: whatever the journal mode)."""
    import sqlite3

    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def current_database() -> str:
    """The database Django's default connection reaches (asked of the server, not the settings)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT current_database()")
            return str(cursor.fetchone()[0])
        cursor.execute("PRAGMA database_list")
        return str(next(row[2] for row in cursor.fetchall() if row[1] == "main"))


def use_database(name: str) -> None:
    """Points Django's default connection at database `name` (a PostgreSQL name or a SQLite
    path). The open connection is closed, so the next query connects anew with the new
    settings; the connection's `settings_dict` is the dict in `settings.DATABASES` when the
    settings come from the environment, but both are set so that a copy would not hide it."""
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    settings.DATABASES["default"]["NAME"] = name
    connections["default"].settings_dict["NAME"] = name
    reached = current_database()
    if reached != name and Path(reached).resolve() != Path(name).resolve():
        raise SystemExit(f"switched to {name} but connected to {reached}")


def snapshot(url: str, label: str, workdir: Path) -> Snapshot:
    """Keeps the database at its present size as step `label`'s copy (after the load's or the
    inflation's VACUUM (ANALYZE), which the copy keeps: its statistics and visibility map are
    files of the template)."""
    from django.conf import settings
    from django.db import connections

    sizes = table_sizes()
    started = time.perf_counter()
    connections.close_all()
    if url.startswith(("postgres://", "postgresql://")):
        _, name = _postgres_admin(url)
        copy = copy_database_name(name, label)
        postgres_copy(url, copy)
    else:
        source = str(settings.DATABASES["default"]["NAME"])
        copy = str(workdir / f"bench_{step_key(label)}.sqlite3")
        sqlite_copy(source, copy)
    say(f"copied the database at {label} to {copy} in {time.perf_counter() - started:.1f} s")
    return Snapshot(label, sizes, copy)


def copy_url(url: str, snap: Snapshot) -> str:
    """The URL of a size's copy (printed by --keep)."""
    if url.startswith(("postgres://", "postgresql://")):
        return urlunsplit(urlsplit(url)._replace(path=f"/{snap.database}"))
    return f"sqlite:///{snap.database}"


def round_order(labels: Sequence[str], round_no: int) -> list[str]:
    """The sizes in the order round `round_no` (from 0) measures them: rotated by one per round,
    so that no size is always measured first after the switch, or always last."""
    shift = round_no % len(labels)
    return [*labels[shift:], *labels[:shift]]


Key = tuple[str, str]  # (page label, username)


def measure_rounds(
    labels: Sequence[str],
    keys: Sequence[Key],
    rounds: int,
    switch: Callable[[str], None],
    request: Callable[[str, Key], object],
    clock: Callable[[], float] = time.perf_counter,
) -> dict[tuple[str, Key], list[float]]:
    """The timing loop of the interleaved mode, apart from Django (so a test can drive it): in
    each round, for each size in `round_order`, `switch(size)`, then for each page and user one
    warm-up `request(size, key)` and one timed. Returns the seconds per (size, key), one per
    round."""
    times: dict[tuple[str, Key], list[float]] = {(s, k): [] for s in labels for k in keys}
    for round_no in range(rounds):
        started = clock()
        for label in round_order(labels, round_no):
            switch(label)
            for key in keys:
                request(label, key)  # warm-up: this page's rows into this copy's cache
                before = clock()
                request(label, key)
                times[(label, key)].append(clock() - before)
        say(f"round {round_no + 1}/{rounds} in {clock() - started:.1f} s")
    return times


def measure_interleaved(
    snapshots: Sequence[Snapshot],
    rounds: int,
    pages: Sequence[Page] = PAGES,
    users: Sequence[str] = DEMO_USERS,
) -> list[Step]:
    """Every size's copy measured in `rounds` rounds (`measure_rounds`); the query count and
    status of each page once per size before them. Each user logs in and fetches an API token
    in every copy (the session and the token are rows of that database), with one client per
    size and user."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bangfu.accounts.models import User
    from bangfu.overview.demo import DEMO_PASSWORD

    by_label = {s.label: s for s in snapshots}
    keys = [(page.label, username) for username in users for page in pages]
    requests: dict[tuple[str, Key], tuple[Client, str, dict[str, str]]] = {}

    def switch(label: str) -> None:
        use_database(by_label[label].database)

    def request(label: str, key: Key) -> int:
        client, url, headers = requests[(label, key)]
        response = client.get(url, headers=headers)
        _ = response.content
        return int(response.status_code)

    settings.DEBUG = False
    counted: dict[tuple[str, Key], tuple[int, int]] = {}
    for snap in snapshots:
        switch(snap.label)
        for username in users:
            client = Client(HTTP_HOST="localhost")
            client.force_login(
                User.objects.get(username=username),
                backend="django.contrib.auth.backends.ModelBackend",
            )
            token = api_token(username, DEMO_PASSWORD)
            for page in pages:
                headers = {"Authorization": f"Bearer {token}"} if page.api else {}
                if page.htmx:
                    headers["HX-Request"] = "true"
                requests[(snap.label, (page.label, username))] = (client, page.url, headers)
        for key in keys:
            request(snap.label, key)  # warm-up
            # The log is a bounded deque (9,000): once full its length no longer grows.
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as captured:
                status = request(snap.label, key)
            counted[(snap.label, key)] = (status, len(captured.captured_queries))
        say(f"{snap.label}: logged in, queries counted")

    times = measure_rounds([s.label for s in snapshots], keys, rounds, switch, request)
    steps = []
    for snap in snapshots:
        results = {}
        for key in keys:
            status, queries = counted[(snap.label, key)]
            results[key] = Measure(
                status, queries, statistics.median(times[(snap.label, key)]) * 1000
            )
        steps.append(Step(snap.label, snap.sizes, results))
    # on stderr, each size's rounds too: how far apart they are shows how much a median says
    for step in steps:
        for key, measure in step.results.items():
            rounds_ms = " ".join(f"{t * 1000:.0f}" for t in times[(step.label, key)])
            say(
                f"  {step.label:<5} {key[1]:<14} {key[0]:<18} {measure.status} "
                f"{measure.queries:>4} q {measure.median_ms:>9.1f} ms  (rounds: {rounds_ms})"
            )
    return steps


def json_report(
    steps: Sequence[Step], database: str, pages: Sequence[Page], users: Sequence[str]
) -> dict[str, Any]:
    """`{"rows": {table: {step: n}}, "pages": [{"page", "user", "database", "queries",
    "ms": {step: median}}]}`; `queries` is one number when it is the same at every size, else
    one per step."""
    out_pages = []
    for page in pages:
        for username in users:
            measures = {step_key(s.label): s.results[(page.label, username)] for s in steps}
            counts = {k: m.queries for k, m in measures.items()}
            out_pages.append(
                {
                    "page": page.label,
                    "user": username,
                    "database": database,
                    "status": sorted({m.status for m in measures.values()}),
                    "queries": next(iter(counts.values()))
                    if len(set(counts.values())) == 1
                    else counts,
                    "ms": {k: round(m.median_ms, 1) for k, m in measures.items()},
                }
            )
    return {
        "rows": {
            table: {step_key(s.label): s.sizes[table] for s in steps} for table in steps[0].sizes
        },
        "pages": out_pages,
    }


def report(
    steps: Sequence[Step], pages: Sequence[Page] = PAGES, users: Sequence[str] = DEMO_USERS
) -> str:
    """Row counts per step, then one line per page and user: the query count (one figure when
    it is the same at every size), the median milliseconds per step, and the growth of the last
    step over the first inflated one (the demo's lists are shorter than a page; from ×1 on the
    province's pages are full, so the ratio shows what grows with the data, not with the page)."""
    header = " | ".join(s.label for s in steps)
    lines = [
        f"| rows | {header} |",
        "|---|" + "---:|" * len(steps),
        *(
            f"| {k} | " + " | ".join(f"{s.sizes[k]:,}" for s in steps) + " |"
            for k in steps[0].sizes
        ),
        "",
        "| page | user | queries | " + " | ".join(f"ms {s.label}" for s in steps) + " | growth |",
        "|---|---|---:|" + "---:|" * (len(steps) + 1),
    ]
    base, last = steps[min(1, len(steps) - 1)], steps[-1]
    for page in pages:
        for username in users:
            measures = [s.results[(page.label, username)] for s in steps]
            counts = [str(m.queries) for m in measures]
            queries = counts[0] if len(set(counts)) == 1 else " / ".join(counts)
            statuses = {m.status for m in measures}
            label = page.label if statuses == {200} else f"{page.label} (HTTP {statuses})"
            first = base.results[(page.label, username)].median_ms
            growth = last.results[(page.label, username)].median_ms / first if first else 0.0
            times = " | ".join(f"{m.median_ms:,.0f}" for m in measures)
            lines.append(f"| {label} | {username} | {queries} | {times} | {growth:.1f}× |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=10, help="≈ 300 × scale partnerships")
    parser.add_argument(
        "--mid-scale",
        type=int,
        default=1,
        help="also measure at this scale on the way (0: only demo and --scale)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=5,
        help="rounds (interleaved), or timed requests per page and size (--sequential); "
        "the median is over them",
    )
    parser.add_argument(
        "--sequential",
        action="store_true",
        help="measure each size once, right after building it (no copies; sizes minutes apart)",
    )
    parser.add_argument("--seed", type=int, default=20260, help="seed of the generated data")
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL URL naming a scratch database that does not exist yet "
        "(created, then dropped); default: a temporary SQLite file",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database (and the copies) afterwards"
    )
    parser.add_argument(
        "--scales",
        default="",
        help="comma-separated increasing scales to measure at, e.g. 1,10,50 "
        "(instead of --mid-scale and --scale)",
    )
    parser.add_argument(
        "--pages",
        default="",
        help="comma-separated page labels to measure (default: all), e.g. 'home,coverage'",
    )
    parser.add_argument(
        "--users", default="", help="comma-separated demo users (default: all three)"
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        metavar="FILE",
        help='also write {"rows": {...}, "pages": [{"page", "user", "database", "queries", '
        '"ms": {"demo", "x1", "x10"}}]} to FILE',
    )
    args = parser.parse_args(argv)
    if args.scale < 1 or args.runs < 1:
        parser.error("--scale and --runs must be at least 1")
    if not 0 <= args.mid_scale < args.scale:
        parser.error("--mid-scale must be between 0 and --scale − 1")
    scales = [n for n in (args.mid_scale, args.scale) if n]
    if args.scales:
        try:
            scales = [int(n) for n in args.scales.split(",")]
        except ValueError:
            parser.error("--scales takes whole numbers, e.g. 1,10,50")
        if any(n < 1 for n in scales) or scales != sorted(set(scales)):
            parser.error("--scales must be increasing and at least 1")
    pages = [p for p in PAGES if not args.pages or p.label in args.pages.split(",")]
    users = [u for u in DEMO_USERS if not args.users or u in args.users.split(",")]
    if not pages or not users:
        parser.error(f"no page or user chosen; pages: {', '.join(p.label for p in PAGES)}")

    workdir = Path(tempfile.mkdtemp(prefix="bangfu-bench-pages-"))
    url = configure_environment(args.database_url, workdir)
    postgres = url.startswith(("postgres://", "postgresql://"))
    interleaved = not args.sequential
    labels = ["demo", *(f"×{n}" for n in scales)]
    if postgres:
        try:
            if interleaved:
                postgres_copies_free(url, labels)
            postgres_create(url)
        except BaseException:  # a name taken: nothing was created but the temporary directory
            shutil.rmtree(workdir, ignore_errors=True)
            raise
    snapshots: list[Snapshot] = []  # the copies this run created (and only those are dropped)
    try:
        import django

        django.setup()

        started = time.perf_counter()
        load_demo()
        if postgres:
            vacuum_analyze()
        say(f"demo data loaded in {time.perf_counter() - started:.1f} s")
        if interleaved:
            snapshots.append(snapshot(url, "demo", workdir))
        else:
            steps = [Step("demo", table_sizes(), measure_all(args.runs, pages, users))]
        done = 0
        for scale in scales:
            started = time.perf_counter()
            inflate(scale - done, args.seed, done)
            done = scale
            if postgres:
                vacuum_analyze()
            say(f"inflated to scale {scale} in {time.perf_counter() - started:.1f} s")
            if interleaved:
                snapshots.append(snapshot(url, f"×{scale}", workdir))
            else:
                steps.append(Step(f"×{scale}", table_sizes(), measure_all(args.runs, pages, users)))
        if interleaved:
            say(f"measuring {', '.join(labels)} interleaved, {args.runs} rounds")
            steps = measure_interleaved(snapshots, args.runs, pages, users)
        medians = f"median of {args.runs} rounds" if interleaved else f"median of {args.runs} runs"
        sys.stdout.write(
            f"\n{database_label()}, {code_label()}, {medians}, "
            f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {date.today():%Y-%m-%d}\n"
        )
        if interleaved:
            sys.stdout.write(
                f"Sizes measured interleaved in {args.runs} rounds: each round requests every "
                f"page at {', '.join(labels)} in turn (a copy of the database per size; one "
                "warm-up and one timed request per page; the order rotates each round).\n"
            )
        else:
            sys.stdout.write(
                "Sizes measured sequentially: each size once, right after building it.\n"
            )
        sys.stdout.write("\n" + report(steps, pages, users) + "\n")
        if args.json is not None:
            data = json_report(steps, database_label(), pages, users)
            args.json.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
            say(f"wrote {args.json}")
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            say(f"kept: {url}")
            for snap in snapshots:
                say(f"kept: {copy_url(url, snap)} ({snap.label})")
        else:
            if postgres:
                for snap in snapshots:
                    postgres_drop_copy(url, snap.database)
                postgres_drop(url)
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
