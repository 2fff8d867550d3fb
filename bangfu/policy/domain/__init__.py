"""Typed, immutable view of one policy file (pure Python; no Django, no I/O)."""

from bangfu.policy.domain.activities import (
    ActivityAttribute,
    ActivityCatalogue,
    ActivityKind,
    ActivityQuantity,
)
from bangfu.policy.domain.policy import (
    CycleRules,
    GuaranteeTerm,
    HelperEligibility,
    IncentiveTerms,
    Measure,
    MeasureKind,
    MeasureTarget,
    Mode,
    Policy,
    TargetKind,
    TeamRules,
    TermKind,
    TitleEvaluationRules,
    TitleRoute,
)

__all__ = [
    "ActivityAttribute",
    "ActivityCatalogue",
    "ActivityKind",
    "ActivityQuantity",
    "CycleRules",
    "GuaranteeTerm",
    "HelperEligibility",
    "IncentiveTerms",
    "Measure",
    "MeasureKind",
    "MeasureTarget",
    "Mode",
    "Policy",
    "TargetKind",
    "TeamRules",
    "TermKind",
    "TitleEvaluationRules",
    "TitleRoute",
]
