"""Benchmark the matching solvers on the national instance (2,000 recipients × 1,500 helpers,
20 ranked choices each) against the `matching` package's HospitalResident.

    .venv/bin/python bench/bench_matching.py            # 5 runs, medians
    .venv/bin/python bench/bench_matching.py --runs 9

Prints medians of: build+solve (instance dict → result), solve only, and the whole
`manage.py match` process; checks that our stable matching equals HospitalResident's.
Writes only temporary files under /tmp.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_matching_instance import generate_instance  # noqa: E402

from bangfu.matching.domain import (  # noqa: E402
    MatchingInstance,
    mutually_acceptable_pairs,
    parse_instance,
    solve_optimal,
    solve_stable,
)
from bangfu.matching.domain.optimal import preload_solver  # noqa: E402


def median_seconds(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def decoded(data: dict[str, object]) -> Any:
    """The dict as the command sees it (floats as exact Decimals)."""
    return json.loads(json.dumps(data), parse_float=Decimal)


def process_seconds(path: Path, method: str, runs: int) -> float:
    env = {**os.environ, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "1")}
    command = [sys.executable, str(REPO / "manage.py"), "match", "--input", str(path)]
    command += ["--method", method]

    def run() -> None:
        subprocess.run(command, cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)

    return median_seconds(run, runs)


def hospital_resident_game(instance: MatchingInstance) -> Any:
    """HospitalResident needs mutually consistent lists: keep only mutually acceptable pairs
    (which is exactly the acceptability rule of `solve_stable`)."""
    from matching.games import HospitalResident

    mutual = mutually_acceptable_pairs(instance)
    residents = {r.id: [h for h in r.prefs if (r.id, h) in mutual] for r in instance.recipients}
    residents = {rid: prefs for rid, prefs in residents.items() if prefs}
    hospitals = {
        h.id: [r for r in h.prefs if (r, h.id) in mutual]
        for h in instance.helpers
        if h.capacity > 0
    }
    capacities = {h.id: h.capacity for h in instance.helpers if h.capacity > 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return HospitalResident.create_from_dictionaries(residents, hospitals, capacities)


def hospital_resident_pairs(game: Any) -> set[tuple[object, object]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matching = game.solve(optimal="resident")
    return {(r.name, h.name) for h, residents in matching.items() for r in residents}


def in_big_stack(action: Callable[[], Any]) -> Any:
    """Run `action` in a thread with a large stack: the package deep-copies recursively."""
    box: dict[str, Any] = {}

    def target() -> None:
        box["value"] = action()

    old_size = threading.stack_size(512 * 1024 * 1024)
    try:
        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old_size)
    return box["value"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20250)
    args = parser.parse_args()
    runs = max(args.runs, 5)
    sys.setrecursionlimit(1_000_000)

    plain = generate_instance(seed=args.seed)
    weighted = generate_instance(seed=args.seed, weights=True)
    plain_data, weighted_data = decoded(plain), decoded(weighted)
    instance = parse_instance(plain_data)
    weighted_instance = parse_instance(weighted_data)
    preload_solver()

    rows: list[tuple[str, str, str]] = []

    def add(label: str, ours: float | None, theirs: float | None) -> None:
        rows.append((label, _fmt(ours), _fmt(theirs)))

    ours_pairs = {(a.recipient, a.helper) for a in solve_stable(instance).assignments}
    theirs_pairs = in_big_stack(lambda: hospital_resident_pairs(hospital_resident_game(instance)))
    same = ours_pairs == theirs_pairs

    with tempfile.TemporaryDirectory(prefix="bangfu-bench-") as tmp:
        plain_path = Path(tmp) / "national.json"
        weighted_path = Path(tmp) / "national-weights.json"
        plain_path.write_text(json.dumps(plain), encoding="utf-8")
        weighted_path.write_text(json.dumps(weighted), encoding="utf-8")

        hr_build_solve = in_big_stack(
            lambda: median_seconds(
                lambda: hospital_resident_pairs(hospital_resident_game(instance)), runs
            )
        )

        def hr_solve_only() -> float:
            times = []
            for _ in range(runs):
                game = hospital_resident_game(instance)
                started = time.perf_counter()
                hospital_resident_pairs(game)
                times.append(time.perf_counter() - started)
            return statistics.median(times)

        add(
            "stable: build+solve",
            median_seconds(lambda: solve_stable(parse_instance(plain_data)), runs),
            hr_build_solve,
        )
        add(
            "stable: solve_seconds",
            median_seconds(lambda: solve_stable(instance), runs),
            in_big_stack(hr_solve_only),
        )
        add("stable: manage.py match process", process_seconds(plain_path, "stable", runs), None)
        add(
            "optimal (rank fit): build+solve",
            median_seconds(lambda: solve_optimal(parse_instance(plain_data)), runs),
            None,
        )
        add(
            "optimal (rank fit): solve_seconds",
            median_seconds(lambda: solve_optimal(instance), runs),
            None,
        )
        add(
            "optimal (rank fit): manage.py match process",
            process_seconds(plain_path, "optimal", runs),
            None,
        )
        add(
            "optimal (40k listed weights): build+solve",
            median_seconds(lambda: solve_optimal(parse_instance(weighted_data)), runs),
            None,
        )
        add(
            "optimal (40k listed weights): solve_seconds",
            median_seconds(lambda: solve_optimal(weighted_instance), runs),
            None,
        )
        add(
            "optimal (40k listed weights): manage.py match process",
            process_seconds(weighted_path, "optimal", runs),
            None,
        )

    mutual = len(mutually_acceptable_pairs(instance))
    stable = solve_stable(instance)
    optimal = solve_optimal(instance)
    emit(
        f"national instance: {len(instance.recipients)} recipients × {len(instance.helpers)} "
        f"helpers, 20 choices each, {mutual} mutually acceptable pairs, seed {args.seed}"
    )
    emit(
        f"stable: {len(stable.assignments)} matched, objective {stable.objective}; "
        f"optimal: {len(optimal.assignments)} matched, objective {optimal.objective}"
    )
    emit(f"medians of {runs} runs, seconds; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    width = max(len(label) for label, _, _ in rows)
    header = f"| {'measure':<{width}} | {'bangfu':>8} | {'matching HR':>11} |"
    emit(header)
    emit(f"|{'-' * (width + 2)}|{'-' * 10}|{'-' * 13}|")
    for label, ours, theirs in rows:
        emit(f"| {label:<{width}} | {ours:>8} | {theirs:>11} |")
    emit(f"stable result equals matching.HospitalResident: {'yes' if same else 'NO'}")
    if not same:
        sys.exit(1)


def emit(line: str) -> None:
    sys.stdout.write(line + "\n")


def _fmt(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.4f}"


if __name__ == "__main__":
    main()
