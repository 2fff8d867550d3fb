"""Builds the A2 framework agreement (F3) from a stored agreement: policy text + this agreement's values."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal

from bangfu.documents.domain.agreement import (
    AgreementDocument,
    AgreementMeasure,
    GuaranteeTerms,
    MeasureTarget,
)
from bangfu.partnerships.models import Agreement
from bangfu.policy.loader import load_policy


def _format_target(value: str, unit: str) -> str:
    return f"{value}{unit}" if unit and unit != "文本" else value


def guarantee_terms_for(agreement: Agreement) -> GuaranteeTerms:
    """The policy's default guarantee terms (A2-四(三)) with this agreement's overrides applied."""
    policy = load_policy()
    values: dict[str, object] = {}
    known = {f.name: f for f in fields(GuaranteeTerms)}
    for term in policy.guarantee_terms:
        if term.key in known:
            values[term.key] = term.value
    values["top_up_min_resident_years"] = policy.incentives.top_up_min_resident_years
    for key, raw in agreement.guarantee_overrides.items():
        if key in known:
            values[key] = raw if isinstance(raw, bool) else Decimal(str(raw))
    for name, f in known.items():
        if f.type in ("int", int) and name in values and not isinstance(values[name], bool):
            values[name] = int(values[name])  # type: ignore[call-overload]
    return GuaranteeTerms(**values)  # type: ignore[arg-type]


def agreement_document_for(agreement: Agreement) -> AgreementDocument:
    """The printable agreement: the chosen measures with their full Annex 1 text and targets."""
    policy = load_policy()
    measures = []
    for stored in sorted(agreement.measures.all(), key=lambda m: m.code):
        measure = policy.measure(stored.code)
        targets = tuple(
            MeasureTarget(t.label, _format_target(str(stored.targets[t.key]), t.unit))
            for t in measure.targets
            if t.key in stored.targets
        )
        measures.append(
            AgreementMeasure(
                number=measure.number, title=measure.title, full_text=measure.text, targets=targets
            )
        )
    partnership = agreement.partnership
    return AgreementDocument(
        party_a=partnership.helper.name,
        party_b=partnership.recipient.name,
        party_c=agreement.party_c,
        start=agreement.start,
        end=agreement.end,
        measures=tuple(measures),
        other_matters=agreement.other_matters,
        guarantees=guarantee_terms_for(agreement),
        agreement_number=f"BF-{agreement.start:%Y}-{agreement.pk:05d}",
    )
