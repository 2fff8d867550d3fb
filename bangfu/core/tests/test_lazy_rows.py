"""`core.pagination.LazyRows`: a sequence that reads only the page asked for, counts at most
once, and behaves like a list for every index and slice (no database: a list stands in for the
paged source, and the test records what was asked of it)."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.template import Context, Template

from bangfu.core.pagination import LazyRows


class Recorded(LazyRows[int]):
    """Rows 0..n-1 of a list, recording each count and each page read."""

    def __init__(self, n: int, *, count: int | None = None) -> None:
        super().__init__(count=count)
        self.rows = list(range(n))
        self.counts = 0
        self.pages: list[tuple[int, int | None]] = []

    def _count(self) -> int:
        self.counts += 1
        return len(self.rows)

    def _page(self, start: int, stop: int | None) -> list[int]:
        assert start >= 0 and (stop is None or stop > start)
        self.pages.append((start, stop))
        return self.rows[start:stop]


SLICES = [
    slice(None),
    slice(0, 3),
    slice(2, 7),
    slice(5, 100),
    slice(8, None),
    slice(10, 20),
    slice(3, 3),
    slice(4, 2),
    slice(None, None, 2),
    slice(1, 8, 3),
    slice(-3, None),
    slice(None, -2),
    slice(-5, -1),
    slice(-100, 4),
    slice(None, None, -1),
    slice(7, 1, -2),
    slice(-1, -4, -1),
    slice(2, -1, -1),
]


@pytest.mark.parametrize("index", SLICES, ids=str)
def test_every_slice_equals_the_list_slice(index):
    assert Recorded(10)[index] == list(range(10))[index]


@pytest.mark.parametrize("n", [0, 1, 10])
@pytest.mark.parametrize("i", [0, 1, 5, 9, 10, -1, -2, -10, -11])
def test_an_index_equals_the_list_index_or_raises_index_error(n, i):
    rows, expected = Recorded(n), list(range(n))
    if -n <= i < n:
        assert rows[i] == expected[i]
    else:
        with pytest.raises(IndexError):
            rows[i]


def test_a_forward_slice_reads_only_its_page_without_counting():
    rows = Recorded(100)
    assert rows[20:30] == list(range(20, 30))
    assert rows.pages == [(20, 30)]
    assert rows.counts == 0


def test_an_empty_slice_reads_nothing():
    rows = Recorded(100)
    assert rows[5:5] == []
    assert rows[7:3] == []
    assert rows.pages == [] and rows.counts == 0


def test_a_stepped_slice_reads_one_page_and_keeps_every_step_th_row():
    rows = Recorded(100)
    assert rows[10:20:4] == [10, 14, 18]
    assert rows.pages == [(10, 20)]


def test_a_negative_bound_counts_once_then_reads_the_rows_it_names():
    rows = Recorded(100)
    assert rows[-3:] == [97, 98, 99]
    assert rows[-1] == 99
    assert rows.counts == 1
    assert rows.pages == [(97, 100), (99, 100)]


def test_a_non_negative_index_reads_one_row_without_counting():
    rows = Recorded(100)
    assert rows[42] == 42
    assert rows.pages == [(42, 43)] and rows.counts == 0
    with pytest.raises(IndexError):
        rows[100]


def test_a_zero_step_is_refused_like_a_list():
    with pytest.raises(ValueError, match="step"):
        Recorded(10)[::0]


def test_len_and_truth_count_once():
    rows = Recorded(7)
    assert len(rows) == 7
    assert rows
    assert len(rows) == 7
    assert rows.counts == 1
    assert not Recorded(0)


def test_a_known_count_is_never_recounted():
    rows = Recorded(7, count=7)
    assert len(rows) == 7 and rows[-1] == 6
    assert rows.counts == 0


def test_iterating_reads_every_row_once_and_answers_later_reads_from_them():
    rows = Recorded(12)
    assert list(rows) == list(range(12))
    assert list(rows) == list(range(12))
    assert len(rows) == 12 and rows[3] == 3 and rows[-2:] == [10, 11] and 5 in rows
    assert rows.pages == [(0, None)]
    assert rows.counts == 0


def test_paginator_counts_once_and_reads_one_page():
    rows = Recorded(120)
    page = Paginator(rows, 50).page(3)
    assert list(page) == list(range(100, 120))
    assert page.paginator.count == 120 and page.paginator.num_pages == 3
    assert rows.counts == 1
    assert rows.pages == [(100, 120)]


def test_a_template_tests_slices_and_walks_it():
    rows = Recorded(80)
    html = Template(
        "{% if rows %}{% for r in rows|slice:':3' %}{{ r }},{% endfor %}"
        "{{ rows|length }}{% endif %}"
    ).render(Context({"rows": rows}))
    assert html == "0,1,2,80"
    assert rows.counts == 1
    assert rows.pages == [(0, 3)]
