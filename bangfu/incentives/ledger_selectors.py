"""Reads of the ledger (travel claims, insurance, health checks, tourism cards, work funds),
scoped to the user (F5)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from bangfu.accounts.models import Role, User
from bangfu.incentives.models import (
    HealthCheck,
    InsurancePolicy,
    TourismCard,
    TravelClaim,
    WorkFund,
)
from bangfu.people import access
from bangfu.people.contributions import MemberCare
from bangfu.people.models import Deployment, Expert
from bangfu.registry.models import Institution
from bangfu.registry.scope import NOTHING, related_in, scope_for_user

# ---- ledger ----


class LedgerKind:
    TRAVEL = "travel"
    INSURANCE = "insurance"
    HEALTH = "health"
    TOURISM = "tourism"
    WORK_FUND = "work_fund"
    CHOICES = (
        ("travel", "交通费报销"),
        ("insurance", "意外伤害保险"),
        ("health", "健康体检"),
        ("tourism", "旅游优惠证"),
        ("work_fund", "工作经费"),
    )


def work_fund_filter_for_user(user: User) -> Q:
    scope = scope_for_user(user)
    if scope.whole_province:
        return Q()
    if scope.role in (Role.PREFECTURE, Role.COUNTY, Role.RECIPIENT, Role.HELPER):
        return Q(recipient__in=access.recipients_in_scope(user))
    return NOTHING


def _experts_in_scope(user: User) -> QuerySet[Expert]:
    return Expert.objects.filter(access.expert_filter_for_user(user))


def travel_claim_list_for_user(*, user: User, q: str = "") -> QuerySet[TravelClaim]:
    qs = TravelClaim.objects.filter(
        related_in("deployment", Deployment.objects.filter(access.deployment_filter_for_user(user)))
    ).select_related("deployment__expert", "deployment__team__partnership__recipient")
    if q:
        qs = qs.filter(deployment__expert__name__contains=q.strip())
    return qs.order_by("-date", "-pk")


def insurance_policy_list_for_user(*, user: User, q: str = "") -> QuerySet[InsurancePolicy]:
    qs = InsurancePolicy.objects.filter(
        related_in("expert", _experts_in_scope(user))
    ).select_related("expert")
    if q:
        qs = qs.filter(expert__name__contains=q.strip())
    return qs.order_by("-start", "-pk")


def health_check_list_for_user(*, user: User, q: str = "") -> QuerySet[HealthCheck]:
    qs = HealthCheck.objects.filter(related_in("expert", _experts_in_scope(user))).select_related(
        "expert"
    )
    if q:
        qs = qs.filter(expert__name__contains=q.strip())
    return qs.order_by("-checked_on", "-pk")


def tourism_card_list_for_user(*, user: User, q: str = "") -> QuerySet[TourismCard]:
    qs = TourismCard.objects.filter(related_in("expert", _experts_in_scope(user))).select_related(
        "expert"
    )
    if q:
        qs = qs.filter(expert__name__contains=q.strip())
    return qs.order_by("-issued_on", "-pk")


def work_fund_list_for_user(*, user: User, q: str = "") -> QuerySet[WorkFund]:
    qs = WorkFund.objects.filter(work_fund_filter_for_user(user)).select_related("recipient")
    if q:
        qs = qs.filter(recipient__name__contains=q.strip())
    return qs.order_by("-year", "recipient__name")


def ledger_list_for_user(*, user: User, kind: str, q: str = "") -> QuerySet[Any]:
    """One ledger, by kind (travel, insurance, health, tourism, work_fund)."""
    if kind == LedgerKind.TRAVEL:
        return travel_claim_list_for_user(user=user, q=q)
    if kind == LedgerKind.INSURANCE:
        return insurance_policy_list_for_user(user=user, q=q)
    if kind == LedgerKind.HEALTH:
        return health_check_list_for_user(user=user, q=q)
    if kind == LedgerKind.TOURISM:
        return tourism_card_list_for_user(user=user, q=q)
    if kind == LedgerKind.WORK_FUND:
        return work_fund_list_for_user(user=user, q=q)
    raise ValidationError({"kind": "台账类别应为 travel、insurance、health、tourism 或 work_fund"})


def travel_claim_get_for_user(*, user: User, pk: int) -> TravelClaim:
    try:
        return travel_claim_list_for_user(user=user).get(pk=pk)
    except TravelClaim.DoesNotExist as exc:
        raise Http404("未找到该交通费记录") from exc


# ---- ledger lists narrowed for the API (scope from the page's selectors above) ----


def travel_claim_search_for_user(
    *,
    user: User,
    q: str = "",
    expert: int | None = None,
    recipient: int | None = None,
    year: int | None = None,
) -> QuerySet[TravelClaim]:
    """`travel_claim_list_for_user`, narrowed to one expert, recipient or trip year."""
    qs = travel_claim_list_for_user(user=user, q=q)
    if expert is not None:
        qs = qs.filter(deployment__expert_id=expert)
    if recipient is not None:
        qs = qs.filter(deployment__team__partnership__recipient_id=recipient)
    if year is not None:
        qs = qs.filter(date__year=year)
    return qs


def insurance_policy_search_for_user(
    *, user: User, q: str = "", expert: int | None = None, year: int | None = None
) -> QuerySet[InsurancePolicy]:
    """`insurance_policy_list_for_user`, narrowed to one expert or the policies in force at some
    point of `year`."""
    qs = insurance_policy_list_for_user(user=user, q=q)
    if expert is not None:
        qs = qs.filter(expert_id=expert)
    if year is not None:
        qs = qs.filter(start__lte=date(year, 12, 31), end__gte=date(year, 1, 1))
    return qs


def health_check_search_for_user(
    *, user: User, q: str = "", expert: int | None = None, year: int | None = None
) -> QuerySet[HealthCheck]:
    qs = health_check_list_for_user(user=user, q=q)
    if expert is not None:
        qs = qs.filter(expert_id=expert)
    if year is not None:
        qs = qs.filter(checked_on__year=year)
    return qs


def tourism_card_search_for_user(
    *, user: User, q: str = "", expert: int | None = None, year: int | None = None
) -> QuerySet[TourismCard]:
    """`tourism_card_list_for_user`, narrowed to one expert or the cards issued in `year`."""
    qs = tourism_card_list_for_user(user=user, q=q)
    if expert is not None:
        qs = qs.filter(expert_id=expert)
    if year is not None:
        qs = qs.filter(issued_on__year=year)
    return qs


def work_fund_search_for_user(
    *, user: User, q: str = "", recipient: int | None = None, year: int | None = None
) -> QuerySet[WorkFund]:
    qs = work_fund_list_for_user(user=user, q=q)
    if recipient is not None:
        qs = qs.filter(recipient_id=recipient)
    if year is not None:
        qs = qs.filter(year=year)
    return qs


def work_fund_recipient_get_for_user(*, user: User, pk: int) -> Institution:
    """A recipient hospital the user may read, as the subject of a work fund; else 404."""
    try:
        return access.recipients_in_scope(user).get(pk=pk)
    except Institution.DoesNotExist as exc:
        raise Http404("未找到该受扶医院") from exc


LedgerRow = TravelClaim | InsurancePolicy | HealthCheck | TourismCard | WorkFund
LEDGER_MODELS: dict[str, type[LedgerRow]] = {
    LedgerKind.TRAVEL: TravelClaim,
    LedgerKind.INSURANCE: InsurancePolicy,
    LedgerKind.HEALTH: HealthCheck,
    LedgerKind.TOURISM: TourismCard,
    LedgerKind.WORK_FUND: WorkFund,
}


def ledger_row_get_for_user(*, user: User, kind: str, pk: int) -> Any:
    """One row of the ledger `kind` that the user may read; Http404 otherwise."""
    if kind not in LEDGER_MODELS:
        raise Http404("未知的台账类别")
    model = LEDGER_MODELS[kind]
    try:
        return ledger_list_for_user(user=user, kind=kind).get(pk=pk)
    except model.DoesNotExist as exc:
        raise Http404(f"未找到该{model._meta.verbose_name}记录") from exc


# ---- what the ledger adds to people's pages (`people.contributions`) ----


@dataclass(frozen=True)
class ExpertLedger:
    """The expert page's 待遇台账: travel claims on the deployments the user may read (latest
    deployment first), and the expert's insurance policies, health checks and tourism cards."""

    travel_claims: list[TravelClaim]
    insurance_policies: list[InsurancePolicy]
    health_checks: list[HealthCheck]
    tourism_cards: list[TourismCard]


def expert_ledger_for_user(*, user: User, expert: Expert) -> ExpertLedger:
    """The ledger rows of an expert the user already reads (`people.selectors.expert_get_for_user`)."""
    deployments = Deployment.objects.filter(access.deployment_filter_for_user(user), expert=expert)
    return ExpertLedger(
        travel_claims=list(
            TravelClaim.objects.filter(deployment__in=deployments).order_by(
                "-deployment__start", "deployment__pk", "-date", "-pk"
            )
        ),
        insurance_policies=list(expert.insurance_policies.all()),
        health_checks=list(expert.health_checks.all()),
        tourism_cards=list(expert.tourism_cards.all()),
    )


def member_care_of(*, expert_ids: Collection[int], year: int) -> dict[int, MemberCare]:
    """For the team composition check (`people.domain.team`): each expert's largest accident
    cover in force at some point of `year` and the days of their health checks (two queries)."""
    covers: dict[int, Decimal] = {}
    for expert_id, coverage in InsurancePolicy.objects.filter(
        expert_id__in=expert_ids, start__lte=date(year, 12, 31), end__gte=date(year, 1, 1)
    ).values_list("expert_id", "coverage"):
        covers[expert_id] = max(coverage, covers.get(expert_id, coverage))
    checks: dict[int, list[date]] = {}
    for expert_id, checked_on in HealthCheck.objects.filter(expert_id__in=expert_ids).values_list(
        "expert_id", "checked_on"
    ):
        checks.setdefault(expert_id, []).append(checked_on)
    return {
        expert_id: MemberCare(
            insurance_coverage=covers.get(expert_id),
            health_check_dates=tuple(checks.get(expert_id, ())),
        )
        for expert_id in set(covers) | set(checks)
    }
