"""Partnership rules (§二, §三(一)-(三), §七, Annex 2): pure Python, no Django, no clock."""

from bangfu.partnerships.domain.coverage import (
    CountyFacts,
    CoverageAgreement,
    CoverageResult,
    ProgramGroup,
    agreement_counts_for_coverage,
    county_coverage,
)
from bangfu.partnerships.domain.lifecycle import (
    AgreementFacts,
    AgreementStatus,
    Gap,
    RenewalPrefill,
    StatusResult,
    UnpairedRecipient,
    agreement_status,
    anniversary,
    cycle_default_end,
    find_gaps,
    in_force_on,
    last_day_in_force,
    recipients_without_helper,
    renewal_prefill,
)
from bangfu.partnerships.domain.validation import (
    AgreementDraft,
    ValidationIssue,
    agreement_validate,
)

__all__ = [
    "AgreementDraft",
    "AgreementFacts",
    "AgreementStatus",
    "CountyFacts",
    "CoverageAgreement",
    "CoverageResult",
    "Gap",
    "ProgramGroup",
    "RenewalPrefill",
    "StatusResult",
    "UnpairedRecipient",
    "ValidationIssue",
    "agreement_counts_for_coverage",
    "agreement_status",
    "agreement_validate",
    "anniversary",
    "county_coverage",
    "cycle_default_end",
    "find_gaps",
    "in_force_on",
    "last_day_in_force",
    "recipients_without_helper",
    "renewal_prefill",
]
