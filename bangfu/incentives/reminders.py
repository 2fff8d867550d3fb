"""incentives' reminders (F11), registered with notifications in `IncentivesConfig.ready()`;
the rules are the pure table in `notifications.domain.reminders`.

- Insurance (§六, 附件2 四(三)3): an on-site expert's policy ending soon, to the parties of the
  expert's current team.
- Statements waiting for approval (§六; 附件2 四(三)): from the 5th of a month, once per recipient
  hospital for the previous month, to that hospital's users, when some expert with deployment
  days there that month has no payment of that hospital overlapping the month."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.urls import reverse

from bangfu.incentives.models import InsurancePolicy, Payment
from bangfu.notifications.domain.kinds import STATEMENTS_PENDING
from bangfu.notifications.domain.reminders import (
    INSURANCE_WITHIN_DAYS,
    InsuranceReminderFacts,
    Span,
    StatementReminderFacts,
    insurance_reminders,
    month_last_day,
    statement_reminder_month,
    statement_reminders,
)
from bangfu.notifications.reminder_sources import DueReminder
from bangfu.notifications.selectors import Parties, users_acting_on, users_acting_on_each
from bangfu.people.models import Deployment, Expert, deployments_with_days_in
from bangfu.policy.domain.periods import Period
from bangfu.registry.models import Institution


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


NAMES_SHOWN = 10  # waiting experts named in the reminder, the rest as 等


@dataclass(frozen=True)
class StatementCandidate:
    hospital: Institution
    facts: StatementReminderFacts
    waiting: list[Expert]


def statement_reminder_candidates(*, on: date) -> list[StatementCandidate]:
    """Each recipient hospital with experts deployed there in the month reminded about on `on`
    (`statement_reminder_month`), with the experts it served (a deployment on one of its
    partnerships overlapping the month, the rule of `statement_approval_recipient`) and those
    with a payment of that hospital overlapping the month. Three queries whatever the size."""
    first = statement_reminder_month(on)
    if first is None:
        return []
    last = month_last_day(first)
    period = Period(first, last)
    hospitals: dict[int, Institution] = {}
    served: dict[int, dict[int, Expert]] = {}
    for deployment in (
        Deployment.objects.filter(deployments_with_days_in(period.start, period.end))
        .select_related("expert", "team__partnership__recipient")
        .order_by("pk")
    ):
        hospital = deployment.team.partnership.recipient
        hospitals[hospital.pk] = hospital
        served.setdefault(hospital.pk, {})[deployment.expert_id] = deployment.expert
    approved: dict[int, set[int]] = {}
    for recipient_id, expert_id in Payment.objects.filter(
        recipient_id__in=hospitals, period_start__lte=last, period_end__gte=first
    ).values_list("recipient_id", "expert_id"):
        approved.setdefault(recipient_id, set()).add(expert_id)
    candidates = []
    for hospital_id in sorted(hospitals):
        experts = served[hospital_id]
        facts = StatementReminderFacts(
            recipient_id=hospital_id,
            month=first,
            served=frozenset(experts),
            approved=frozenset(approved.get(hospital_id, ())),
        )
        waiting = sorted((experts[pk] for pk in facts.waiting), key=lambda e: (e.name, e.pk))
        candidates.append(StatementCandidate(hospitals[hospital_id], facts, waiting))
    return candidates


def statements_reminders_due(*, on: date) -> Iterator[DueReminder]:
    """The reminder source for statements waiting for approval: one per hospital and month, to
    the hospital's users, naming the waiting experts and linking to the first one's statement of
    the month, where the hospital approves it (`incentives:statement_approve` is its form)."""
    candidates = [c for c in statement_reminder_candidates(on=on) if c.waiting]
    parties = {
        c.hospital.pk: Parties(helper_id=None, recipient_id=c.hospital.pk, county_id=None)
        for c in candidates
    }
    users = users_acting_on_each(kind=STATEMENTS_PENDING, parties=parties.values())
    for candidate in candidates:
        month = candidate.facts.month
        last = month_last_day(month)
        first_waiting = candidate.waiting[0]
        link = (
            f"{reverse('incentives:statement', args=[first_waiting.pk])}"
            f"?start={month.isoformat()}&end={last.isoformat()}"
        )
        names = "、".join(e.name for e in candidate.waiting[:NAMES_SHOWN])
        more = "等" if len(candidate.waiting) > NAMES_SHOWN else ""
        for reminder in statement_reminders(candidate.facts, on):
            yield DueReminder(
                reminder=replace(reminder, reason=f"{reminder.reason} 待核定：{names}{more}。"),
                obj=candidate.hospital,
                recipients=users[parties[candidate.hospital.pk]],
                link=link,
                label=f"{candidate.hospital.name} {month.year}年{month.month}月",
            )
