"""Typed, immutable view of one policy file (pure Python; no Django, no I/O)."""

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
