"""Who may write what in incentives: record or correct a ledger row, approve a statement.
The pages, the API and the services ask these same functions (STYLE: one rule)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from bangfu.accounts.models import Role, User
from bangfu.incentives.ledger_selectors import LEDGER_MODELS, LedgerKind, ledger_row_get_for_user
from bangfu.incentives.models import (
    Payment,
)
from bangfu.people.models import Deployment, Expert, deployments_with_days_in
from bangfu.policy.domain.periods import Period
from bangfu.registry.models import Institution
from bangfu.registry.scope import scope_for_user


def experts_payable_by_user(*, user: User) -> QuerySet[Expert]:
    """Experts whose ledger the user may record: all (province), those it serves (recipient),
    self (expert)."""
    scope = scope_for_user(user)
    qs = Expert.objects.select_related("home_institution").order_by("name", "pk")
    if scope.role == Role.PROVINCE:
        return qs
    if scope.role == Role.RECIPIENT:
        return qs.filter(
            pk__in=Deployment.objects.filter(
                team__partnership__recipient_id=scope.institution_id
            ).values("expert_id")
        )
    return qs.none()


def deployments_claimable_by_user(
    *, user: User, expert_id: int | None = None
) -> QuerySet[Deployment]:
    """Deployments on which the user may record travel claims (optionally one expert's)."""
    scope = scope_for_user(user)
    qs = Deployment.objects.select_related("expert", "team__partnership__recipient").order_by(
        "expert__name", "-start"
    )
    if expert_id is not None:
        qs = qs.filter(expert_id=expert_id)
    if scope.role == Role.PROVINCE:
        return qs
    if scope.role == Role.RECIPIENT:
        return qs.filter(team__partnership__recipient_id=scope.institution_id)
    if scope.role == Role.EXPERT:
        return qs.filter(expert__user_id=user.pk)
    return qs.none()


def recipients_fundable_by_user(*, user: User) -> QuerySet[Institution]:
    scope = scope_for_user(user)
    qs = Institution.objects.filter(category="recipient").order_by("county__code", "name")
    if scope.role == Role.PROVINCE:
        return qs
    if scope.role == Role.RECIPIENT and scope.institution_id is not None:
        return qs.filter(pk=scope.institution_id)
    return qs.none()


LEDGER_WRITERS = {
    LedgerKind.TRAVEL: "只有专家本人、受扶医院或省卫健委可以修改或删除交通费记录",
    LedgerKind.INSURANCE: "只有专家服务的受扶医院或省卫健委可以修改或删除意外伤害保险",
    LedgerKind.HEALTH: "只有专家服务的受扶医院或省卫健委可以修改或删除健康体检",
    LedgerKind.TOURISM: "只有专家服务的受扶医院或省卫健委可以修改或删除旅游优惠证",
    LedgerKind.WORK_FUND: "只有受扶医院本院或省卫健委可以修改或删除工作经费",
}


def _ledger_writable_filter(user: User, kind: str) -> Q:
    """The rows a user may correct or remove: those it may record (the create forms' choices)."""
    if kind == LedgerKind.TRAVEL:
        return Q(deployment__in=deployments_claimable_by_user(user=user).values("pk"))
    if kind == LedgerKind.WORK_FUND:
        return Q(recipient__in=recipients_fundable_by_user(user=user).values("pk"))
    return Q(expert__in=experts_payable_by_user(user=user).values("pk"))


def ledger_writable_ids_for_user(*, user: User, kind: str, rows: Iterable[Any]) -> set[int]:
    """Which of `rows` (of the ledger `kind`) the user may correct or remove; one query."""
    ids = [row.pk for row in rows]
    if not ids or kind not in LEDGER_MODELS:
        return set()
    writable = LEDGER_MODELS[kind].objects.filter(_ledger_writable_filter(user, kind), pk__in=ids)
    return set(writable.values_list("pk", flat=True))


def ledger_row_get_for_writer(*, user: User, kind: str, pk: int) -> Any:
    """A ledger row to correct or remove: Http404 outside what the user may read,
    PermissionDenied when the user may read it but not record it (as the services refuse)."""
    row = ledger_row_get_for_user(user=user, kind=kind, pk=pk)
    if not ledger_writable_ids_for_user(user=user, kind=kind, rows=[row]):
        raise PermissionDenied(LEDGER_WRITERS[kind])
    return row


def statement_approval_recipient(user: User, expert: Expert, period: Period) -> int | None:
    """Who approves a statement, the one rule used by the page, the API and the service: the
    recipient hospital the expert serves in the period (a deployment on one of its
    partnerships overlapping it), which pays (§六; A2-四(三)), through one of its users. Returns
    that hospital's id; None when the user may not approve (helper, county, prefecture,
    observer, the expert, another hospital — and the province, which oversees but does not
    pay)."""
    scope = scope_for_user(user)
    if scope.role != Role.RECIPIENT or scope.institution_id is None:
        return None
    serves = Deployment.objects.filter(
        deployments_with_days_in(period.start, period.end),
        expert=expert,
        team__partnership__recipient_id=scope.institution_id,
    ).exists()
    # A hospital that paid the expert before also approves a later period with no stay left in
    # it: that statement may still carry adjustments of what it paid.
    paid_before = Payment.objects.filter(
        expert=expert, recipient_id=scope.institution_id, period_end__lt=period.start
    ).exists()
    return scope.institution_id if serves or paid_before else None
