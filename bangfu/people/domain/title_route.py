"""Title-evaluation route for an expert working in a county hospital (§五)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class TitleRoute(StrEnum):
    NEEDS_ENTRUSTMENT_LETTER = "needs_entrustment_letter"
    DIRECTED = "directed"
    """定向评价定向使用: the title is valid only in the recipient county."""
    COUNTY_LEVEL = "county_level"
    """县级要求: the title is valid at county level across Guizhou."""


@dataclass(frozen=True)
class RecipientCounty:
    code: str
    name: str
    national_key_county: bool
    """Among Guizhou's 20 national key rural-revitalisation counties."""


@dataclass(frozen=True)
class TitleRouteDecision:
    route: TitleRoute
    valid_scope: str
    reasons: tuple[str, ...]


def title_evaluation_route(
    county: RecipientCounty, has_entrustment_letter: bool, clause: str
) -> TitleRouteDecision:
    """How an expert in a county hospital applies for a title (§五).

    Without an entrustment letter from the home province's human-resources
    department (委托评审函) → needs_entrustment_letter. With it: a recipient
    county among the 20 national key counties → directed (定向评价定向使用,
    valid only in that county); any other county → county_level (县级要求,
    valid at county level in Guizhou).
    """
    cite = f"（依据{clause}）"
    if not has_entrustment_letter:
        return TitleRouteDecision(
            TitleRoute.NEEDS_ENTRUSTMENT_LETTER,
            "尚无有效范围：须先取得委托评审函",
            (
                "须由派出单位所在省份人社部门或具有相应评审权的单位向贵州省开具委托评审函后，"
                "方可申报评审" + cite,
            ),
        )
    if county.national_key_county:
        return TitleRouteDecision(
            TitleRoute.DIRECTED,
            f"仅限{county.name}有效",
            (
                f"{county.name}为国家乡村振兴重点帮扶县，按“定向评价定向使用”评聘办法申报评审，"
                f"取得的职称限定在{county.name}有效" + cite,
            ),
        )
    return TitleRouteDecision(
        TitleRoute.COUNTY_LEVEL,
        "贵州省县级范围内有效",
        (
            f"{county.name}不属于20个国家乡村振兴重点帮扶县，按卫生系列申报评审条件中县级要求申报，"
            "取得的职称限定在贵州省县级范围内有效" + cite,
        ),
    )
