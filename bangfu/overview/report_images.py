"""The report's two pictures as PNG (for Word and PDF alike): the county coverage map and a bar
chart of covered / uncovered target counties by prefecture. Drawn with Pillow from the
committed outlines — no browser, no network."""

from __future__ import annotations

import io
import math
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from bangfu.overview.domain.map_metrics import CoverageCell, coverage_legend
from bangfu.overview.geo import county_features

# Same colours as the on-screen map (county_map.js), by CoverageCell rank.
COVERAGE_COLOURS = ["#dee2e6", "#dc3545", "#fd7e14", "#ffc107", "#198754"]
OUT_OF_SCOPE = "#f8f9fa"
Ring = Sequence[Sequence[float]]


@cache
def _font_path() -> tuple[str, int] | None:
    """A CJK font from fontconfig (Debian fonts-noto-cjk, installed by make setup)."""
    if shutil.which("fc-match") is None:
        return None
    for family in ("Noto Sans CJK SC", "WenQuanYi Micro Hei"):
        found = subprocess.run(
            ["fc-match", "-f", "%{file}:%{index}", family],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        path, _, index = found.rpartition(":")
        if path and ("CJK" in path or "wqy" in path.lower()):
            return path, int(index or 0)
    return None


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    found = _font_path()
    if found is None:
        return ImageFont.load_default()
    return ImageFont.truetype(found[0], size, index=found[1])


def _rings(geometry: dict[str, Any]) -> Iterable[Ring]:
    coords = geometry["coordinates"]
    polygons = [coords] if geometry["type"] == "Polygon" else coords
    for polygon in polygons:
        yield from polygon


def coverage_map_png(cells: dict[str, int], *, width: int = 1200) -> bytes:
    """The county-level units of the prefectures in `cells` (code → CoverageCell rank), coloured
    by coverage status, with a legend. Counties of those prefectures outside `cells` are pale."""
    features = county_features()
    prefectures = {features[c]["properties"]["prefecture_adcode"] for c in cells if c in features}
    shown = [f for f in features.values() if f["properties"]["prefecture_adcode"] in prefectures]
    points = [p for f in shown for ring in _rings(f["geometry"]) for p in ring]
    if not points:
        return _blank(width, "无地图数据")
    min_x, max_x = min(p[0] for p in points), max(p[0] for p in points)
    min_y, max_y = min(p[1] for p in points), max(p[1] for p in points)
    squash = math.cos(math.radians((min_y + max_y) / 2))  # equirectangular at mid-latitude
    span_x, span_y = (max_x - min_x) * squash or 1, (max_y - min_y) or 1
    margin, legend_h = 20, 60
    scale = (width - 2 * margin) / span_x
    height = int(span_y * scale) + 2 * margin + legend_h
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)

    def project(p: Sequence[float]) -> tuple[float, float]:
        return (margin + (p[0] - min_x) * squash * scale, margin + (max_y - p[1]) * scale)

    for f in shown:
        code = f["properties"]["adcode"]
        fill = COVERAGE_COLOURS[cells[code]] if code in cells else OUT_OF_SCOPE
        for ring in _rings(f["geometry"]):
            draw.polygon([project(p) for p in ring], fill=fill, outline="#6c757d")
    font = _font(22)
    x, y = margin, height - legend_h + 15
    for piece in coverage_legend():
        rank = int(str(piece["value"]))
        draw.rectangle([x, y, x + 28, y + 24], fill=COVERAGE_COLOURS[rank], outline="#6c757d")
        draw.text((x + 36, y - 2), str(piece["label"]), fill="black", font=font)
        x += 36 + int(draw.textlength(str(piece["label"]), font=font)) + 30
    return _png(image)


def coverage_bars_png(
    names: Sequence[str], covered: Sequence[int], uncovered: Sequence[int], *, width: int = 1200
) -> bytes:
    """Stacked bars: covered (green) and uncovered (red) target counties per prefecture."""
    height, left, bottom, top = 520, 70, 90, 60
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font, small = _font(20), _font(18)
    totals = [c + u for c, u in zip(covered, uncovered, strict=True)]
    peak = max([*totals, 1])
    plot_h = height - top - bottom
    draw.line([left, top, left, height - bottom], fill="black")
    draw.line([left, height - bottom, width - 20, height - bottom], fill="black")
    for tick in range(0, peak + 1, max(1, math.ceil(peak / 5))):
        y = height - bottom - tick * plot_h / peak
        draw.line([left - 5, y, left, y], fill="black")
        draw.text((left - 40, y - 12), str(tick), fill="black", font=small)
    slot = (width - left - 40) / max(1, len(names))
    bar = slot * 0.55
    for i, name in enumerate(names):
        x = left + 20 + i * slot
        y0 = height - bottom
        y1 = y0 - covered[i] * plot_h / peak
        y2 = y1 - uncovered[i] * plot_h / peak
        draw.rectangle([x, y1, x + bar, y0], fill=COVERAGE_COLOURS[CoverageCell.COVERED.rank])
        draw.rectangle([x, y2, x + bar, y1], fill=COVERAGE_COLOURS[CoverageCell.UNCOVERED.rank])
        draw.text((x, y2 - 26), f"{covered[i]}/{totals[i]}", fill="black", font=small)
        label = name if len(name) <= 5 else name[:5] + "…"
        draw.text((x - 4, y0 + 10), label, fill="black", font=small)
    for j, (text, rank) in enumerate(
        (("已覆盖", CoverageCell.COVERED.rank), ("未覆盖", CoverageCell.UNCOVERED.rank))
    ):
        lx = width - 260 + j * 120
        draw.rectangle([lx, 15, lx + 24, 39], fill=COVERAGE_COLOURS[rank])
        draw.text((lx + 30, 12), text, fill="black", font=font)
    return _png(image)


def _blank(width: int, text: str) -> bytes:
    image = Image.new("RGB", (width, 200), "white")
    ImageDraw.Draw(image).text((20, 80), text, fill="black", font=_font(24))
    return _png(image)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
