"""The insurance reminder (F11; §六, 附件2 四(三)3): an on-site expert's policy ending soon.

Registered with notifications in `IncentivesConfig.ready()`; the rule is the pure table in
`notifications.domain.reminders`, the recipients the parties of the expert's current team."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.urls import reverse

from bangfu.incentives.models import InsurancePolicy
from bangfu.notifications.domain.reminders import (
    INSURANCE_WITHIN_DAYS,
    InsuranceReminderFacts,
    Span,
    insurance_reminders,
)
from bangfu.notifications.reminder_sources import DueReminder
from bangfu.notifications.selectors import Parties, users_acting_on
from bangfu.people.models import Deployment


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


def insurance_reminders_due(*, on: date) -> Iterator[DueReminder]:
    """The reminder source for insurance policies, linking to the expert's page."""
    for candidate in insurance_reminder_candidates(on=on):
        policy = candidate.policy
        link = reverse("people:expert_detail", args=[policy.expert_id])
        for reminder in insurance_reminders(candidate.facts, on):
            yield DueReminder(
                reminder=reminder,
                obj=policy,
                recipients=users_acting_on(kind=reminder.kind, parties=candidate.parties),
                link=link,
                label=candidate.label,
            )
