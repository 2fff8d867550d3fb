"""Coverage of the 70 target counties (§一): a county counts when one of its county-level
institutions has an agreement in force with an out-of-province 三甲 helper."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bangfu.partnerships.domain import (
    AgreementStatus,
    CountyFacts,
    CoverageAgreement,
    ProgramGroup,
    agreement_counts_for_coverage,
    county_coverage,
)
from bangfu.policy import load_policy

POLICY = load_policy("guizhou_2025")
ELIGIBILITY = POLICY.helper_eligibility
TARGET, OTHER = ProgramGroup.TARGET, ProgramGroup.OTHER

COUNTIES = [
    CountyFacts("520102", "520100", OTHER),
    CountyFacts("520121", "520100", TARGET),
    CountyFacts("520122", "520100", TARGET),
    CountyFacts("520221", "520200", TARGET),
    CountyFacts("520281", "520200", TARGET),
]


def link(county: str, status=AgreementStatus.ACTIVE, province="广东省", grade="三甲", id=1):
    return CoverageAgreement(
        agreement_id=id,
        recipient_county_code=county,
        helper_province=province,
        helper_grade=grade,
        status=status,
    )


@pytest.mark.parametrize(
    ("agreement", "counts"),
    [
        (link("520121"), True),
        (link("520121", status=AgreementStatus.EXPIRING), True),
        (link("520121", status=AgreementStatus.SIGNED), False),
        (link("520121", status=AgreementStatus.DRAFT), False),
        (link("520121", status=AgreementStatus.EXPIRED), False),
        (link("520121", status=AgreementStatus.RENEWED), False),
        (link("520121", status=AgreementStatus.TERMINATED), False),
        (link("520121", province="贵州省"), False),
        (link("520121", province="贵州"), False),
        (link("520121", grade="三乙"), False),
        (link("520121", grade="三级甲等", province="上海市"), True),
    ],
)
def test_only_in_force_agreements_with_out_of_province_grade_3a_helpers_count(agreement, counts):
    assert agreement_counts_for_coverage(agreement, ELIGIBILITY) is counts


def test_coverage_counts_each_target_county_once_and_lists_the_uncovered():
    result = county_coverage(
        COUNTIES,
        [
            link("520121", id=1),
            link("520121", id=2, status=AgreementStatus.EXPIRING),
            link("520221", id=3, province="贵州省"),
            link("520281", id=4, status=AgreementStatus.EXPIRING),
            link("520102", id=5),
            link("999999", id=6),
        ],
        ELIGIBILITY,
    )
    assert result.target_total == 4
    assert result.covered == 2
    assert result.covered_codes == ("520121", "520281")
    assert result.uncovered == ("520122", "520221")
    assert result.covered_other == 1
    assert {code: dict(t) for code, t in result.by_prefecture.items()} == {
        "520100": {"target": 2, "covered": 1},
        "520200": {"target": 2, "covered": 1},
    }
    assert "§一" in result.reasons[0]


def test_no_agreements_means_every_target_county_is_uncovered():
    result = county_coverage(COUNTIES, [], ELIGIBILITY)
    assert (result.covered, result.uncovered) == (0, ("520121", "520122", "520221", "520281"))


def test_registry_has_the_policy_number_of_target_counties():
    path = Path(__file__).resolve().parents[2] / "registry" / "data" / "counties.csv"
    with path.open(encoding="utf-8") as handle:
        counties = [
            CountyFacts(row["code"], row["prefecture_code"], ProgramGroup(row["program_group"]))
            for row in csv.DictReader(handle)
        ]
    result = county_coverage(counties, [], ELIGIBILITY)
    assert result.target_total == POLICY.cycle.target_county_total == 70
    assert len(counties) == 88
    assert sum(t["target"] for t in result.by_prefecture.values()) == 70


county_codes = st.sampled_from([c.code for c in COUNTIES] + ["999999"])
links = st.builds(
    CoverageAgreement,
    agreement_id=st.integers(min_value=1, max_value=50),
    recipient_county_code=county_codes,
    helper_province=st.sampled_from(["广东省", "贵州省", "上海市", "贵州"]),
    helper_grade=st.sampled_from(["三甲", "三乙", "三级甲等", ""]),
    status=st.sampled_from(list(AgreementStatus)),
)


@given(st.lists(links, max_size=20), st.lists(st.sampled_from(COUNTIES), unique=True))
def test_covered_never_exceeds_target_total_and_partitions_the_targets(agreements, counties):
    result = county_coverage(counties, agreements, ELIGIBILITY)
    assert 0 <= result.covered <= result.target_total
    assert result.covered + len(result.uncovered) == result.target_total
    assert not set(result.covered_codes) & set(result.uncovered)
    assert sum(t["covered"] for t in result.by_prefecture.values()) == result.covered
    assert list(result.uncovered) == sorted(result.uncovered)
