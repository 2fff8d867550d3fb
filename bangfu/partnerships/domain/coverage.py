"""County coverage toward the §一 goal: by 2027 each of the 70 target county-level units has a
county-level medical institution assisted by an out-of-province 三甲 hospital."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

from bangfu.partnerships.domain.lifecycle import AgreementStatus
from bangfu.policy.domain import HelperEligibility


class ProgramGroup(StrEnum):
    """§一: 70 target units; the other 18 (mostly urban districts) may join on the same terms."""

    TARGET = "target"
    OTHER = "other"


@dataclass(frozen=True)
class CountyFacts:
    code: str
    prefecture_code: str
    program_group: ProgramGroup


@dataclass(frozen=True)
class CoverageAgreement:
    """An agreement seen from its recipient's county, with its status on the coverage date."""

    agreement_id: int
    recipient_county_code: str
    helper_province: str
    helper_grade: str
    status: AgreementStatus


@dataclass(frozen=True)
class CoverageResult:
    """``by_prefecture[code]`` is ``{"target": n, "covered": m}`` counting target counties only;
    ``covered_other`` counts the non-target counties covered on the same terms."""

    target_total: int
    covered: int
    covered_codes: tuple[str, ...]
    uncovered: tuple[str, ...]
    covered_other: int
    by_prefecture: Mapping[str, Mapping[str, int]]
    reasons: tuple[str, ...]


def agreement_counts_for_coverage(
    agreement: CoverageAgreement, eligibility: HelperEligibility
) -> bool:
    """An agreement counts toward the §一 goal when it is in force (active or expiring) and
    its helper is an out-of-province (not 贵州省) 三甲 hospital. An agreement signed under an
    exception for another helper does not count."""
    return (
        agreement.status.in_force
        and not eligibility.is_home_province(agreement.helper_province)
        and eligibility.is_required_grade(agreement.helper_grade)
    )


def agreement_coverage_reason(agreement: CoverageAgreement, eligibility: HelperEligibility) -> str:
    """Why an agreement does or does not count toward the §一 goal, in the words of
    `agreement_counts_for_coverage`: so that "0 / 1 covered" with an agreement 执行中 explains
    itself (e.g. a helper signed as an exception is not an out-of-province 三甲 hospital)."""
    if not agreement.status.in_force:
        return "协议当日不在执行期内，不计入覆盖（§一）"
    if eligibility.is_home_province(agreement.helper_province):
        return (
            f"帮扶医院在{agreement.helper_province or '省内'}，不是省外医院，"
            "按例外登记的协议不计入覆盖（§一）"
        )
    if not eligibility.is_required_grade(agreement.helper_grade):
        grade = agreement.helper_grade.strip() or "未填"
        return (
            f"帮扶医院等级为{grade}，不是{eligibility.required_grade}医院，"
            "按例外登记的协议不计入覆盖（§一）；等级有误时请省卫健委更正医院等级"
        )
    return f"帮扶医院为省外{eligibility.required_grade}医院，协议正在执行，计入覆盖（§一）"


def county_coverage(
    counties: Iterable[CountyFacts],
    agreements_in_force_on_date: Iterable[CoverageAgreement],
    eligibility: HelperEligibility,
) -> CoverageResult:
    """Coverage of the target counties on one date (§一).

    A target county is covered when at least one county-level institution in it has an
    agreement that ``agreement_counts_for_coverage``; ``target_total`` is the number of target
    counties given (70 for Guizhou). Agreements naming a county not in ``counties`` are ignored.
    Codes are sorted; prefectures are keyed by code in sorted order.
    """
    covered_codes = {
        a.recipient_county_code
        for a in agreements_in_force_on_date
        if agreement_counts_for_coverage(a, eligibility)
    }
    return county_coverage_of_covered(counties, covered_codes)


def county_coverage_of_covered(
    counties: Iterable[CountyFacts], covered_county_codes: Collection[str]
) -> CoverageResult:
    """`county_coverage` once the counties with an agreement in force that counts
    (``agreement_counts_for_coverage``) are known, e.g. read from stored spans (ADR 0022):
    a target county is covered when its code is among ``covered_county_codes``; codes of
    counties not in ``counties`` are ignored."""
    county_list = sorted(counties, key=lambda c: c.code)
    covered_codes = {c.code for c in county_list} & set(covered_county_codes)
    targets = [c for c in county_list if c.program_group is ProgramGroup.TARGET]
    covered = tuple(c.code for c in targets if c.code in covered_codes)
    uncovered = tuple(c.code for c in targets if c.code not in covered_codes)
    covered_other = sum(
        1 for c in county_list if c.program_group is ProgramGroup.OTHER and c.code in covered_codes
    )
    tallies: dict[str, dict[str, int]] = {}
    for county in county_list:
        tally = tallies.setdefault(county.prefecture_code, {"target": 0, "covered": 0})
        if county.program_group is ProgramGroup.TARGET:
            tally["target"] += 1
            if county.code in covered_codes:
                tally["covered"] += 1
    by_prefecture = MappingProxyType(
        {code: MappingProxyType(tallies[code]) for code in sorted(tallies)}
    )
    return CoverageResult(
        target_total=len(targets),
        covered=len(covered),
        covered_codes=covered,
        uncovered=uncovered,
        covered_other=covered_other,
        by_prefecture=by_prefecture,
        reasons=(
            f"{len(targets)}个目标县中{len(covered)}个有县级医疗机构与省外三甲医院签订的"
            f"帮扶协议正在执行（§一）",
        ),
    )


def merged_day_spans(spans: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """The union of day ranges (first and last day inclusive) as maximal ranges, in order: two
    ranges that overlap or touch (the second starts the day after the first ends) become one.
    A county's covered days (§一) are the union of its counting agreements' days in force."""
    merged: list[tuple[date, date]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged
