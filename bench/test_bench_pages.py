"""The interleaved timing loop of bench_pages.py (issue #13), driven with a fake request and a
fake clock: no database, no timed assertion."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_pages

SIZES = ["demo", "×1", "×10"]
KEYS = [("home", "demo_province"), ("tasks", "demo_province")]


class FakeBench:
    """Records every switch and request; a request fails unless its size is the one switched to.
    The clock advances by one per reading, and a request at size n (its index) takes n + 1 ticks
    more, so each size's times are known."""

    def __init__(self) -> None:
        self.now = 0.0
        self.current: str | None = None
        self.switches: list[str] = []
        self.requests: list[tuple[str, bench_pages.Key]] = []

    def clock(self) -> float:
        self.now += 1
        return self.now

    def switch(self, label: str) -> None:
        self.current = label
        self.switches.append(label)

    def request(self, label: str, key: bench_pages.Key) -> int:
        assert label == self.current, f"requested {label} while switched to {self.current}"
        self.requests.append((label, key))
        self.now += 10 * (SIZES.index(label) + 1)
        return 200


def test_round_order_rotates_so_each_size_leads_one_round() -> None:
    orders = [bench_pages.round_order(SIZES, n) for n in range(4)]
    assert orders == [
        ["demo", "×1", "×10"],
        ["×1", "×10", "demo"],
        ["×10", "demo", "×1"],
        ["demo", "×1", "×10"],
    ]


def test_rounds_alternate_the_sizes_and_take_one_time_per_round() -> None:
    fake = FakeBench()

    times = bench_pages.measure_rounds(SIZES, KEYS, 3, fake.switch, fake.request, fake.clock)

    # every size once per round, in turn: not all rounds of one size, then the next
    assert fake.switches == ["demo", "×1", "×10", "×1", "×10", "demo", "×10", "demo", "×1"]
    # after each switch: a warm-up and a timed request for each page, at that size only
    per_switch = [(label, key) for label in fake.switches for key in KEYS for _ in range(2)]
    assert fake.requests == per_switch
    # one time per round for each size and page: the timed request alone (its 10·(n+1) ticks,
    # plus the clock's own reading), not the warm-up
    assert times == {
        (label, key): [10.0 * (SIZES.index(label) + 1) + 1] * 3 for label in SIZES for key in KEYS
    }


def test_copy_names_follow_the_json_step_keys() -> None:
    assert bench_pages.copy_database_name("bench_rounds", "×10") == "bench_rounds_x10"
    assert bench_pages.copy_database_name("bench_rounds", "demo") == "bench_rounds_demo"
