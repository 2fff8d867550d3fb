"""The stored yearly forecasts of the budget (ADR 0018): written here, and only here.

`DeploymentForecast` holds one deployment's forecast per calendar year it touches
(`domain.budget.deployment_year`, with the rates of the agreement governing its partnership
first in that year, as the budget's per-expert lines use); `HospitalForecast` one recipient
hospital per year it is in the budget (a signed agreement or a deployment in the year), with
its work fund and the sums of its deployments' rows.

The services that change an input tell so by a signal sent inside their own transaction
(people and partnerships may not call incentives): `people.signals.deployment_changed`
(deployment create, update, end), `people.signals.expert_changed` (pay, title, degree,
leadership; recognitions created or withdrawn) and `partnerships.signals.agreement_changed`
(agreement create or renew, sign, terminate); the receivers below (connected in
`IncentivesConfig.ready`) call one of the `forecasts_refresh_*` functions. Changes that
bypass the services (the admin, a policy file edit, a bulk load) are repaired by
`manage.py refresh_forecasts`. The rows are derived data, so writing them adds no audit row:
the change that caused them has its own.

A full rebuild stamps the rows with `forecasts_fingerprint()` (the policy file and
`RULE_VERSION`, `core.derived_rows`); `refresh_forecasts --if-stale` (`scripts/serve`, at each
start) rebuilds only when that changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum

from bangfu.core.derived_rows import derived_rows_stamp_write, inputs_fingerprint
from bangfu.incentives.agreement_terms import policy_rates
from bangfu.incentives.budget_selectors import hospital_rates_for_year, partnership_year_rates
from bangfu.incentives.domain.budget import deployment_year, work_fund_line
from bangfu.incentives.domain.rates import IncentiveRates
from bangfu.incentives.models import DeploymentForecast, HospitalForecast
from bangfu.partnerships.models import Agreement, Partnership
from bangfu.people.models import Deployment, deployments_with_days_in
from bangfu.people.selectors import domain_deployment, domain_expert
from bangfu.policy.loader import policy_file
from bangfu.registry.models import Institution

BATCH = 500

RULE_VERSION = 1
"""The version of the code that computes the rows: bump it when the computation changes (a rule,
a column, a migration of the tables), so that `refresh_forecasts --if-stale` rebuilds them at
the next start."""

STAMP = "forecasts"  # the rows' `DerivedRowsStamp` name


def forecasts_fingerprint() -> str:
    """What the stored forecasts are computed from besides the data: the policy file (its
    rates) and `RULE_VERSION`."""
    return inputs_fingerprint(RULE_VERSION, policy_file())


def deployment_years(deployment: Deployment) -> range:
    """The calendar years a deployment touches: one forecast row each."""
    return range(deployment.start.year, deployment.effective_end.year + 1)


def agreement_budget_years(agreement: Agreement) -> range:
    """The years a signed agreement puts its recipient hospital in the budget: those it
    overlaps, up to the year it was terminated in (`budget_selectors` selected the same)."""
    if agreement.signed_on is None:
        return range(0)
    last = agreement.end.year
    if agreement.terminated_on is not None:
        last = min(last, agreement.terminated_on.year)
    return range(agreement.start.year, last + 1)


def _cycles_by_partnership(partnership_ids: Iterable[int]) -> dict[int, list[Agreement]]:
    cycles: dict[int, list[Agreement]] = defaultdict(list)
    for agreement in Agreement.objects.filter(partnership_id__in=list(partnership_ids)).order_by(
        "cycle_number"
    ):
        cycles[agreement.partnership_id].append(agreement)
    return cycles


def _deployment_rows(
    deployments: Sequence[Deployment], year: int | None, base: IncentiveRates
) -> list[DeploymentForecast]:
    cycles = _cycles_by_partnership({d.team.partnership_id for d in deployments})
    rates: dict[tuple[int, int], IncentiveRates] = {}
    rows = []
    for d in deployments:
        expert = domain_expert(d.expert)
        stay = domain_deployment(d)
        partnership_id = d.team.partnership_id
        for y in deployment_years(d):
            if year is not None and y != year:
                continue
            key = (partnership_id, y)
            if key not in rates:
                rates[key] = partnership_year_rates(cycles.get(partnership_id, []), y, base)
            forecast = deployment_year(expert, stay, y, rates[key])
            rows.append(
                DeploymentForecast(
                    deployment_id=d.pk,
                    year=y,
                    recipient_id=d.team.partnership.recipient_id,
                    expert_id=d.expert_id,
                    salary_top_up=forecast.salary_top_up,
                    monthly_subsidy=forecast.monthly_subsidy,
                    settling_in=forecast.settling_in,
                    round_trips=forecast.round_trips,
                )
            )
    return rows


def _refresh_deployments(deployments: QuerySet[Deployment], year: int | None) -> set[int]:
    """Rewrite the forecast rows of `deployments` (of `year`, or every year); returns the
    recipient hospitals whose rows must follow."""
    base = policy_rates()
    recipients: set[int] = set()
    ids = list(deployments.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = (
            Deployment.objects.filter(pk__in=ids[start : start + BATCH])
            .select_related("expert", "team__partnership")
            .prefetch_related("expert__recognitions")
            .order_by("pk")
        )
        batch = list(chunk)
        old = DeploymentForecast.objects.filter(deployment__in=[d.pk for d in batch])
        if year is not None:
            old = old.filter(year=year)
        recipients |= set(old.values_list("recipient_id", flat=True))
        old.delete()
        rows = _deployment_rows(batch, year, base)
        DeploymentForecast.objects.bulk_create(rows, batch_size=BATCH)
        recipients |= {d.team.partnership.recipient_id for d in batch}
    return recipients


def _refresh_hospitals(recipient_ids: Iterable[int], year: int | None) -> None:
    """Rewrite the hospital rows of `recipient_ids` (of `year`, or every year) from their
    deployments' rows and their agreements."""
    ids = sorted(set(recipient_ids))
    if not ids:
        return
    base = policy_rates()
    # One writer per hospital at a time (PostgreSQL): two transactions rewriting the same
    # hospital's rows would otherwise both insert them.
    list(Institution.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
    sums = DeploymentForecast.objects.filter(recipient_id__in=ids)
    if year is not None:
        sums = sums.filter(year=year)
    by_key = {
        (row["recipient_id"], row["year"]): row
        for row in sums.values("recipient_id", "year").annotate(
            deployments=Count("pk"),
            top_up=Sum("salary_top_up"),
            subsidy=Sum("monthly_subsidy"),
            settling=Sum("settling_in"),
            trips=Sum("round_trips"),
            pay_people=Count("expert_id", distinct=True, filter=Q(salary_top_up__gt=0)),
        )
    }
    agreements: dict[int, list[Agreement]] = defaultdict(list)
    keys = set(by_key)
    for agreement in (
        Agreement.objects.filter(partnership__recipient_id__in=ids)
        .select_related("partnership")
        .order_by("cycle_number")
    ):
        recipient_id = agreement.partnership.recipient_id
        agreements[recipient_id].append(agreement)
        keys |= {
            (recipient_id, y)
            for y in agreement_budget_years(agreement)
            if year is None or y == year
        }
    zero = Decimal("0.00")
    rows = []
    for recipient_id, y in sorted(keys):
        row: dict[str, Any] = dict(by_key.get((recipient_id, y)) or {})
        rates = hospital_rates_for_year(agreements.get(recipient_id, []), y, base)
        rows.append(
            HospitalForecast(
                recipient_id=recipient_id,
                year=y,
                deployments=row.get("deployments", 0),
                salary_top_up=row.get("top_up") or zero,
                monthly_subsidy=row.get("subsidy") or zero,
                settling_in=row.get("settling") or zero,
                round_trips=row.get("trips") or 0,
                work_fund=work_fund_line(str(recipient_id), rates).amount,
                pay_people=row.get("pay_people", 0),
            )
        )
    old = HospitalForecast.objects.filter(recipient_id__in=ids)
    if year is not None:
        old = old.filter(year=year)
    old.delete()
    HospitalForecast.objects.bulk_create(rows, batch_size=BATCH)


@transaction.atomic
def forecasts_refresh_deployment(deployment: Deployment) -> None:
    """After a deployment is created, ended or otherwise changed."""
    recipients = _refresh_deployments(Deployment.objects.filter(pk=deployment.pk), None)
    _refresh_hospitals(recipients, None)


@transaction.atomic
def forecasts_refresh_expert(expert_id: int) -> None:
    """After an expert's pay, title, degree, leadership or recognitions change."""
    deployments = Deployment.objects.filter(expert_id=expert_id)
    _refresh_hospitals(_refresh_deployments(deployments, None), None)


@transaction.atomic
def forecasts_refresh_partnership(partnership_id: int) -> None:
    """After an agreement of the partnership is created, renewed, signed or terminated: the
    rates of its deployments and its hospital's membership and work fund may change."""
    deployments = Deployment.objects.filter(team__partnership_id=partnership_id)
    recipients = _refresh_deployments(deployments, None)
    recipients |= set(
        Partnership.objects.filter(pk=partnership_id).values_list("recipient_id", flat=True)
    )
    _refresh_hospitals(recipients, None)


@transaction.atomic
def forecasts_refresh_all(year: int | None = None) -> tuple[int, int]:
    """Recompute every forecast (of `year`, or of every year): the repair after a change that
    bypassed the services, and the load of existing data; a rebuild of every year stamps the
    rows with `forecasts_fingerprint()`. Returns (deployment rows, hospital rows) written."""
    fingerprint = forecasts_fingerprint() if year is None else None
    deployment_rows = DeploymentForecast.objects.all()
    hospital_rows = HospitalForecast.objects.all()
    deployments = Deployment.objects.all()
    if year is not None:
        deployment_rows = deployment_rows.filter(year=year)
        hospital_rows = hospital_rows.filter(year=year)
        first, last = date(year, 1, 1), date(year, 12, 31)
        deployments = deployments.filter(deployments_with_days_in(first, last))
    # Start empty: rows of deployments or hospitals that left the year go too.
    deployment_rows.delete()
    hospital_rows.delete()
    _refresh_deployments(deployments, year)
    recipients = sorted(
        set(
            Agreement.objects.filter(signed_on__isnull=False).values_list(
                "partnership__recipient_id", flat=True
            )
        )
        | set(DeploymentForecast.objects.values_list("recipient_id", flat=True).distinct())
    )
    for start in range(0, len(recipients), BATCH):
        _refresh_hospitals(recipients[start : start + BATCH], year)
    if fingerprint is not None:
        derived_rows_stamp_write(STAMP, fingerprint)
    return deployment_rows.count(), hospital_rows.count()


# ---- receivers of people's and partnerships' signals (connected in `IncentivesConfig.ready`) ----


def on_deployment_changed(*, deployment: Deployment, **_: object) -> None:
    forecasts_refresh_deployment(deployment)


def on_expert_changed(*, expert_id: int, **_: object) -> None:
    forecasts_refresh_expert(expert_id)


def on_agreement_changed(*, agreement: Agreement, **_: object) -> None:
    forecasts_refresh_partnership(agreement.partnership_id)
