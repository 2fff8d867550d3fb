"""The agreements' reminders (F11): expiring, signed but not filed, draft not signed.

Registered with notifications in `PartnershipsConfig.ready()`; the rules are the pure table in
`notifications.domain.reminders`, the recipients the parties acting on the agreement."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from bangfu.notifications.domain.reminders import AgreementReminderFacts, agreement_reminders
from bangfu.notifications.reminder_sources import DueReminder
from bangfu.notifications.selectors import Parties, users_acting_on
from bangfu.partnerships.models import Agreement


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


def agreement_reminders_due(*, on: date) -> Iterator[DueReminder]:
    """The reminder source for agreements: each rule's reminder for each candidate agreement,
    to the users acting on it, linking to its partnership's page."""
    for candidate in agreement_reminder_candidates(on=on):
        agreement = candidate.agreement
        link = reverse("partnerships:partnership_detail", args=[agreement.partnership_id])
        for reminder in agreement_reminders(candidate.facts, on):
            yield DueReminder(
                reminder=reminder,
                obj=agreement,
                recipients=users_acting_on(kind=reminder.kind, parties=candidate.parties),
                link=link,
                label=candidate.label,
            )
