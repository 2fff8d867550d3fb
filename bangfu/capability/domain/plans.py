"""Yearly targets of a county plan (一县一方案, §七; 龙头医院 and county plans, §三(三))."""

from __future__ import annotations

from bangfu.capability.domain.catalogue import EntryType, Indicator
from bangfu.capability.domain.standard import IndicatorValue


def plan_indicator_reached(
    indicator: Indicator, plan_target: IndicatorValue, value: IndicatorValue | None
) -> bool:
    """Whether a hospital's value reaches the county plan's yearly target for an indicator.

    是/否: the value equals the target. Choice: the value is the target or a later choice (the
    catalogue lists stages from least to most advanced, e.g. 未建 → 在建 → 已建 → 通过认证).
    Number: at most the target when the catalogue's own target is an upper bound only (lower is
    better), otherwise at least the target. Text and missing values never reach a target.
    """
    if value is None:
        return False
    if indicator.entry is EntryType.BOOLEAN:
        return value is plan_target
    if indicator.entry is EntryType.CHOICE:
        if not isinstance(value, str) or not isinstance(plan_target, str):
            return False
        choices = indicator.choices
        if value not in choices or plan_target not in choices:
            return False
        return choices.index(value) >= choices.index(plan_target)
    if indicator.entry is EntryType.NUMBER:
        if isinstance(value, bool) or isinstance(plan_target, bool):
            return False
        if isinstance(value, str) or isinstance(plan_target, str):
            return False
        target = indicator.target
        lower_is_better = (
            target is not None and target.minimum is None and target.maximum is not None
        )
        return value <= plan_target if lower_is_better else value >= plan_target
    return False


def measure_target_reached(target: int, achieved: int) -> bool:
    """A yearly measure target (a count, e.g. 专题讲座 12 次) is reached at ``achieved >= target``."""
    return achieved >= target
