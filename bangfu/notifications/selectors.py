"""Reads of the inbox (a user sees only their own notifications), and the facts and people the
daily reminders are built from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from bangfu.accounts.models import Role, User
from bangfu.coordination.models import FollowUpTask
from bangfu.incentives.models import InsurancePolicy
from bangfu.notifications.domain.kinds import (
    ACTING_SIDES,
    COUNTY_SIDE,
    HELPER_SIDE,
    KIND_LABELS,
    RECIPIENT_SIDE,
    email_wanted,
)
from bangfu.notifications.domain.reminders import (
    INSURANCE_WITHIN_DAYS,
    TASK_DUE_WITHIN_DAYS,
    AgreementReminderFacts,
    InsuranceReminderFacts,
    Span,
)
from bangfu.notifications.models import EmailPreference, Notification
from bangfu.partnerships.models import Agreement
from bangfu.people.models import Deployment


def notification_list_for_user(*, user: User, unread: bool = False) -> QuerySet[Notification, Any]:
    notifications = Notification.objects.filter(recipient=user)
    if unread:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-pk")


def notification_get_for_user(*, user: User, notification_id: int) -> Notification:
    notification: Notification | None = (
        notification_list_for_user(user=user).filter(pk=notification_id).first()
    )
    if notification is None:
        raise Http404("未找到该通知")
    return notification


def notification_unread_count(*, user: User) -> int:
    """The menu's badge: one query."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def email_choices_for_user(*, user: User) -> dict[str, bool]:
    """Every kind with whether it goes out by e-mail to `user` (own choice or the default)."""
    chosen = dict(EmailPreference.objects.filter(user=user).values_list("kind", "by_email"))
    return {kind: email_wanted(kind, chosen) for kind in KIND_LABELS}


@dataclass(frozen=True)
class Parties:
    """The institutions and county an object concerns (ids; None when it has none)."""

    helper_id: int | None
    recipient_id: int | None
    county_id: int | None


def users_acting_on(*, kind: str, parties: Parties) -> list[User]:
    """The active users who act on an object of `kind` concerning `parties` (ACTING_SIDES): the
    recipient's and the helper's hospital users, the county officers of the recipient's county."""
    sides = ACTING_SIDES.get(kind, frozenset())
    q = Q(pk__in=[])
    if RECIPIENT_SIDE in sides and parties.recipient_id is not None:
        q |= Q(role=Role.RECIPIENT, institution_id=parties.recipient_id)
    if HELPER_SIDE in sides and parties.helper_id is not None:
        q |= Q(role=Role.HELPER, institution_id=parties.helper_id)
    if COUNTY_SIDE in sides and parties.county_id is not None:
        q |= Q(role=Role.COUNTY, county_id=parties.county_id)
    return list(User.objects.filter(q, is_active=True).order_by("pk"))


@dataclass(frozen=True)
class AgreementCandidate:
    agreement: Agreement
    facts: AgreementReminderFacts
    parties: Parties
    label: str


def agreement_reminder_candidates(*, on: date) -> list[AgreementCandidate]:
    """Agreements a reminder rule may concern on `on` (not ended, not terminated), with facts."""
    later_cycle = Agreement.objects.filter(
        partnership_id=OuterRef("partnership_id"), cycle_number__gt=OuterRef("cycle_number")
    )
    rows = (
        Agreement.objects.filter(end__gte=on)
        .filter(Q(terminated_on__isnull=True) | Q(terminated_on__gt=on))
        .select_related("partnership__helper", "partnership__recipient")
        .annotate(has_next=Exists(later_cycle))
        .order_by("pk")
    )
    candidates = []
    for agreement in rows:
        partnership = agreement.partnership
        filed = frozenset(
            level
            for level, day in (
                ("province", agreement.filed_province_on),
                ("prefecture", agreement.filed_prefecture_on),
                ("county", agreement.filed_county_on),
            )
            if day is not None
        )
        facts = AgreementReminderFacts(
            id=agreement.pk,
            start=agreement.start,
            end=agreement.end,
            created_on=timezone.localdate(agreement.created_at),
            signed_on=agreement.signed_on,
            terminated_on=agreement.terminated_on,
            has_next_cycle=bool(agreement.has_next),
            filed_levels=filed,
        )
        candidates.append(
            AgreementCandidate(
                agreement=agreement,
                facts=facts,
                parties=Parties(
                    helper_id=partnership.helper_id,
                    recipient_id=partnership.recipient_id,
                    county_id=partnership.recipient.county_id,
                ),
                label=f"{partnership.helper.name} — {partnership.recipient.name}"
                f"（第{agreement.cycle_number}周期）",
            )
        )
    return candidates


@dataclass(frozen=True)
class InsuranceCandidate:
    policy: InsurancePolicy
    facts: InsuranceReminderFacts
    parties: Parties
    label: str


def insurance_reminder_candidates(*, on: date) -> list[InsuranceCandidate]:
    """Insurance policies ending within the reminder window, with the expert's other policies
    and deployments (the parties: the team's partnership of a current deployment)."""
    policies = list(
        InsurancePolicy.objects.filter(
            end__gte=on, end__lte=on + timedelta(days=INSURANCE_WITHIN_DAYS)
        )
        .select_related("expert")
        .order_by("pk")
    )
    expert_ids = {p.expert_id for p in policies}
    others: dict[int, list[InsurancePolicy]] = {}
    for other in InsurancePolicy.objects.filter(expert_id__in=expert_ids):
        others.setdefault(other.expert_id, []).append(other)
    deployments: dict[int, list[Deployment]] = {}
    for deployment in Deployment.objects.filter(expert_id__in=expert_ids).select_related(
        "team__partnership__recipient"
    ):
        deployments.setdefault(deployment.expert_id, []).append(deployment)
    candidates = []
    for policy in policies:
        own = deployments.get(policy.expert_id, [])
        current = [d for d in own if d.start <= on <= d.effective_end]
        partnership = current[0].team.partnership if current else None
        candidates.append(
            InsuranceCandidate(
                policy=policy,
                facts=InsuranceReminderFacts(
                    id=policy.pk,
                    end=policy.end,
                    other_policies=tuple(
                        Span(o.start, o.end)
                        for o in others.get(policy.expert_id, [])
                        if o.pk != policy.pk
                    ),
                    deployments=tuple(Span(d.start, d.effective_end) for d in own),
                ),
                parties=Parties(
                    helper_id=partnership.helper_id if partnership else None,
                    recipient_id=partnership.recipient_id if partnership else None,
                    county_id=partnership.recipient.county_id if partnership else None,
                ),
                label=f"{policy.expert.name} {policy.insurer} {policy.policy_number}",
            )
        )
    return candidates


@dataclass(frozen=True)
class TaskCandidate:
    task: FollowUpTask
    recipients: list[User]
    label: str


def task_reminder_candidates(*, on: date) -> list[TaskCandidate]:
    """Follow-up tasks not done and due by `on` + the reminder window, with their owners: the
    owning user, or the hospital users of the owning institution."""
    tasks = list(
        FollowUpTask.objects.filter(
            done_on__isnull=True, due__lte=on + timedelta(days=TASK_DUE_WITHIN_DAYS)
        )
        .select_related("meeting", "owner_user")
        .order_by("pk")
    )
    institution_ids = {t.owner_institution_id for t in tasks if t.owner_institution_id}
    by_institution: dict[int, list[User]] = {}
    for user in User.objects.filter(
        institution_id__in=institution_ids,
        role__in=(Role.RECIPIENT, Role.HELPER),
        is_active=True,
    ).order_by("pk"):
        assert user.institution_id is not None
        by_institution.setdefault(user.institution_id, []).append(user)
    return [
        TaskCandidate(
            task=task,
            recipients=[task.owner_user]
            if task.owner_user is not None
            else by_institution.get(task.owner_institution_id or 0, []),
            label=f"{task.text[:80]}（{task.meeting.title}）",
        )
        for task in tasks
    ]
