"""The committed map outlines match the registry: 88 county-level units, 9 prefectures."""

import csv
import json
from collections import Counter
from pathlib import Path

from bangfu.overview.geo import COUNTIES_FILE, GEO_DIR, PREFECTURES_FILE

REGISTRY = Path(__file__).resolve().parents[2] / "registry" / "data"


def _registry(name):
    with (REGISTRY / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _features(name):
    return json.loads((GEO_DIR / name).read_text(encoding="utf-8"))["features"]


def test_the_88_county_outlines_carry_the_registry_codes_and_names():
    counties = _features(COUNTIES_FILE)
    registry = {row["code"]: row for row in _registry("counties.csv")}
    codes = [f["properties"]["adcode"] for f in counties]
    assert len(codes) == 88 == len(set(codes))
    assert set(codes) == set(registry)
    for f in counties:
        props = f["properties"]
        assert props["name"] == registry[props["adcode"]]["name"]
        assert props["prefecture_adcode"] == registry[props["adcode"]]["prefecture_code"]
        assert f["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    # current names, not the pre-2021 ones of the old pyecharts packages
    names = {f["properties"]["name"] for f in counties}
    assert {"水城区", "黔西市", "盘州市", "兴仁市"} <= names


def test_prefecture_outlines_are_the_nine_prefectures():
    prefectures = _features(PREFECTURES_FILE)
    assert sorted(f["properties"]["adcode"] for f in prefectures) == sorted(
        row["code"] for row in _registry("prefectures.csv")
    )
    per_prefecture = Counter(f["properties"]["prefecture_adcode"] for f in _features(COUNTIES_FILE))
    assert per_prefecture["522600"] == 16 and per_prefecture["520200"] == 4
