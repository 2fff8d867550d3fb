"""What a county shows on the overview map (§一, §七). Pure: the facts in, one cell out.

Coverage status of a county-level unit on a day, in the order an officer acts on it:
- 非目标县: not one of the programme's target counties (§一 counts only those);
- 未覆盖: a target county with no agreement in force with an out-of-province 三甲 helper;
- 断档: uncovered, and a partnership of the county is between cycles (§七: help has lapsed);
- 即将到期: covered, but an agreement in force there ends within the renewal window (§七);
- 已覆盖: covered.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CoverageCell(StrEnum):
    NOT_TARGET = "not_target"
    UNCOVERED = "uncovered"
    GAP = "gap"
    EXPIRING = "expiring"
    COVERED = "covered"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def rank(self) -> int:
        """The number ECharts' piecewise visual map keys its colours on."""
        return _ORDER.index(self)


_ORDER = [
    CoverageCell.NOT_TARGET,
    CoverageCell.UNCOVERED,
    CoverageCell.GAP,
    CoverageCell.EXPIRING,
    CoverageCell.COVERED,
]
_LABELS = {
    CoverageCell.NOT_TARGET: "非目标县",
    CoverageCell.UNCOVERED: "未覆盖",
    CoverageCell.GAP: "断档",
    CoverageCell.EXPIRING: "即将到期",
    CoverageCell.COVERED: "已覆盖",
}


@dataclass(frozen=True)
class CountyFacts:
    target: bool
    covered: bool
    has_gap: bool
    has_expiring: bool


def coverage_cell(facts: CountyFacts) -> CoverageCell:
    """The county's coverage status on the map (rules in the module docstring)."""
    if not facts.target:
        return CoverageCell.NOT_TARGET
    if facts.covered:
        return CoverageCell.EXPIRING if facts.has_expiring else CoverageCell.COVERED
    return CoverageCell.GAP if facts.has_gap else CoverageCell.UNCOVERED


def coverage_legend() -> list[dict[str, object]]:
    """The visual map's pieces, one per status, in `rank` order."""
    return [{"value": cell.rank, "label": cell.label} for cell in _ORDER]
