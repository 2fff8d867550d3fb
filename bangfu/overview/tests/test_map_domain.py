import pytest

from bangfu.overview.domain.map_metrics import CountyFacts, CoverageCell, coverage_cell


@pytest.mark.parametrize(
    ("target", "covered", "gap", "expiring", "cell"),
    [
        (False, True, False, False, CoverageCell.NOT_TARGET),  # §一 counts target counties only
        (False, False, True, False, CoverageCell.NOT_TARGET),
        (True, False, False, False, CoverageCell.UNCOVERED),
        (True, False, True, False, CoverageCell.GAP),  # §七: help has lapsed between cycles
        (True, True, False, False, CoverageCell.COVERED),
        (True, True, False, True, CoverageCell.EXPIRING),  # covered, renewal due
        (True, True, True, False, CoverageCell.COVERED),  # another pair covers the county
    ],
)
def test_a_county_shows_the_status_an_officer_acts_on(target, covered, gap, expiring, cell):
    assert coverage_cell(CountyFacts(target, covered, gap, expiring)) == cell


def test_statuses_rank_from_not_target_to_covered():
    assert [c.rank for c in CoverageCell] == [0, 1, 2, 3, 4]
    assert CoverageCell.GAP.label == "断档"
