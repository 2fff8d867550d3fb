"""Benchmark the activity Excel import (#11): 100,000 valid rows validated and imported, next to
the time openpyxl alone needs to read the same file (read-only mode), so the ratio shows how
much the import adds to reading.

    .venv/bin/python bench/bench_activity_import.py                 # SQLite in /tmp, 3 runs
    .venv/bin/python bench/bench_activity_import.py --rows 20000 --runs 5
    .venv/bin/python bench/bench_activity_import.py \\
        --database-url postgres://postgres@127.0.0.1:5432/bangfu_bench_activities

Sets up its own database like bench_pages.py (a temporary SQLite file, or a PostgreSQL scratch
database that must not exist yet: created, then dropped), loads the registry and the demo data,
writes a workbook of valid rows (dates inside the signed agreements of the demo partnerships,
every kind of the catalogue, a unique 外部编号 per row), then measures (median of --runs):
reading the sheet with openpyxl alone; `activity_import_file` creating every row (the rows of
the previous run are deleted, untimed, before each run); and once, re-importing the same file
(every row unchanged). The goal is ≤ 30 s for 100,000 rows on SQLite and PostgreSQL.
Writes only under /tmp (and the scratch PostgreSQL database).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pages import (  # noqa: E402
    configure_environment,
    load_demo,
    postgres_create,
    postgres_drop,
)

BENCH_NOTE = "bench"


def say(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def median_seconds(action: Callable[[], object], runs: int, before: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        before()
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def write_workbook(path: Path, rows: int, seed: int) -> None:
    from django.utils import timezone
    from openpyxl import Workbook

    from bangfu.activities.selectors import activity_catalogue, signed_periods
    from bangfu.activities.services import IMPORT_HEADERS
    from bangfu.partnerships.models import Partnership

    today = timezone.localdate()
    targets = []
    for partnership in Partnership.objects.prefetch_related("agreements").order_by("pk"):
        for period in signed_periods(partnership.agreements.all()):
            last = min(period.last, today)
            if period.first <= last:
                targets.append((partnership.pk, period.first, (last - period.first).days))
    if not targets:
        raise SystemExit("no signed agreement in the demo data")
    kinds = activity_catalogue().kinds
    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("活动")
    sheet.append(list(IMPORT_HEADERS))
    for n in range(rows):
        partnership_id, first, span = targets[rng.randrange(len(targets))]
        kind = kinds[rng.randrange(len(kinds))]
        main = rng.randint(1, min(5, kind.main_quantity.maximum))
        people = kind.people_quantity
        people_value = None if people is None else (main if people.main else rng.randint(0, 200))
        sheet.append(
            [
                partnership_id,
                first + timedelta(days=rng.randint(0, span)),
                kind.name,
                main,
                people_value,
                f"批量活动 {n}",
                BENCH_NOTE,
                f"BENCH-{n:07d}",
            ]
        )
    workbook.save(path)


def read_only(path: Path) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the database and workbook")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bangfu-bench-activities-"))
    url = configure_environment(args.database_url, workdir)
    postgres = url.startswith(("postgres://", "postgresql://"))
    if postgres:
        postgres_create(url)
    try:
        import django

        django.setup()
        from bangfu.activities.models import Activity
        from bangfu.activities.services import activity_import_file

        load_demo()
        path = workdir / "activities.xlsx"
        started = time.perf_counter()
        write_workbook(path, args.rows, args.seed)
        say(f"wrote {args.rows} rows in {time.perf_counter() - started:.1f} s ({path})")

        def clear() -> None:
            Activity.objects.filter(note=BENCH_NOTE).delete()

        def import_all() -> None:
            result = activity_import_file(actor=None, path=str(path))
            if not result.ok or result.created != args.rows:
                raise SystemExit(f"import failed: {result.counts()} {result.errors[:5]}")

        reading = median_seconds(lambda: read_only(path), args.runs, lambda: None)
        say(f"openpyxl read-only: {reading:.2f} s")
        importing = median_seconds(import_all, args.runs, clear)
        say(f"validate + import: {importing:.2f} s")
        started = time.perf_counter()
        again = activity_import_file(actor=None, path=str(path))
        reimport = time.perf_counter() - started
        assert again.counts() == {"created": 0, "updated": 0, "unchanged": args.rows}
        label = "PostgreSQL" if postgres else "SQLite"
        sys.stdout.write(
            f"{label}, {args.rows} rows, median of {args.runs} runs: openpyxl read-only "
            f"{reading:.2f} s; validate + import {importing:.2f} s "
            f"(ratio {importing / reading:.2f}); re-import unchanged {reimport:.2f} s\n"
        )
        sys.stdout.write(
            json.dumps(
                {
                    "database": label,
                    "rows": args.rows,
                    "read_seconds": round(reading, 2),
                    "import_seconds": round(importing, 2),
                    "ratio": round(importing / reading, 2),
                    "reimport_seconds": round(reimport, 2),
                }
            )
            + "\n"
        )
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            say(f"kept: {url} and {workdir}")
        else:
            if postgres:
                postgres_drop(url)
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
