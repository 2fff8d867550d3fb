"""Reading the registry's CSV files (I/O) into rows the domain validates."""

from __future__ import annotations

import csv
from pathlib import Path

from bangfu.registry.domain.registry_file import (
    RegistryData,
    RegistryError,
    Row,
    parse_counties,
    parse_prefectures,
    parse_specialties,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
PREFECTURES_FILE = "prefectures.csv"
COUNTIES_FILE = "counties.csv"
SPECIALTIES_FILE = "specialties.csv"


class RegistryFileError(Exception):
    def __init__(self, errors: list[RegistryError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def _read_csv(path: Path) -> tuple[list[str], list[Row]]:
    if not path.exists():
        raise RegistryFileError([RegistryError(path.name, None, None, "文件不存在")])
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = list(reader.fieldnames or [])
            rows: list[Row] = []
            for i, raw in enumerate(reader, start=2):
                if None in raw or any(v is None for v in raw.values()):
                    raise RegistryFileError([RegistryError(path.name, i, None, "列数与表头不一致")])
                rows.append({k: v for k, v in raw.items() if k is not None})
    except UnicodeDecodeError as exc:
        raise RegistryFileError(
            [RegistryError(path.name, None, None, "文件不是 UTF-8 编码")]
        ) from exc
    except csv.Error as exc:
        raise RegistryFileError(
            [RegistryError(path.name, None, None, f"CSV 格式错误：{exc}")]
        ) from exc
    if not header:
        raise RegistryFileError([RegistryError(path.name, None, None, "文件为空")])
    return header, rows


def read_registry(data_dir: Path = DATA_DIR) -> RegistryData:
    """Read and validate the three registry files; raise `RegistryFileError` listing every problem."""
    header, rows = _read_csv(data_dir / PREFECTURES_FILE)
    prefectures, errors = parse_prefectures(PREFECTURES_FILE, header, rows)
    header, rows = _read_csv(data_dir / COUNTIES_FILE)
    counties, county_errors = parse_counties(
        COUNTIES_FILE, header, rows, {p.code for p in prefectures}
    )
    header, rows = _read_csv(data_dir / SPECIALTIES_FILE)
    specialties, specialty_errors = parse_specialties(SPECIALTIES_FILE, header, rows)
    errors += county_errors + specialty_errors
    if errors:
        raise RegistryFileError(errors)
    return RegistryData(tuple(prefectures), tuple(counties), tuple(specialties))


def read_csv_rows(name: str, data_dir: Path = DATA_DIR) -> list[Row]:
    """Rows of one of the reference files kept beside the registry (pairings, reference helpers)."""
    return _read_csv(data_dir / name)[1]
