"""The capability import template: a data sheet with the exact headers (pre-filled with the
hospital, the year and the codes of the indicators that apply to it) and a sheet listing the
catalogue (name, unit, how to fill, target). Rows go through `bangfu.core.excel.append_row`."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font

from bangfu.capability.domain.catalogue import Catalogue, EntryType, Indicator
from bangfu.capability.services import IMPORT_HEADERS
from bangfu.core.excel import append_row, workbook_bytes
from bangfu.registry.models import Institution

DATA_SHEET = "指标值"
CATALOGUE_SHEET = "指标目录"


def how_to_fill(indicator: Indicator) -> str:
    if indicator.entry is EntryType.BOOLEAN:
        return "填“是”或“否”"
    if indicator.entry is EntryType.CHOICE:
        return "填以下之一：" + "、".join(indicator.choices)
    if indicator.entry is EntryType.NUMBER:
        bounds = []
        if indicator.minimum is not None:
            bounds.append(f"≥{indicator.minimum}")
        if indicator.maximum is not None:
            bounds.append(f"≤{indicator.maximum}")
        return "数字" + (f"（{'，'.join(bounds)}）" if bounds else "")
    return "文字"


def capability_template_bytes(
    catalogue: Catalogue, *, institution: Institution | None, year: int
) -> bytes:
    workbook = Workbook()
    data = workbook.active
    assert data is not None
    data.title = DATA_SHEET
    append_row(data, IMPORT_HEADERS)
    indicators = (
        catalogue.for_type(institution.institution_type)
        if institution is not None
        else catalogue.entered_indicators()
    )
    if institution is not None:
        for indicator in indicators:
            append_row(data, [institution.name, year, indicator.code, None, ""])
    listing = workbook.create_sheet(CATALOGUE_SHEET)
    status = "草案（推测，非正式指标目录）" if catalogue.is_draft else "正式"
    append_row(listing, [f"指标目录版本 {catalogue.version}（{status}）"])
    append_row(listing, ["指标编码", "维度", "名称", "单位", "填写方式", "目标", "核心指标"])
    for indicator in indicators:
        append_row(
            listing,
            [
                indicator.code,
                indicator.dimension,
                indicator.name,
                indicator.unit,
                how_to_fill(indicator),
                indicator.target.describe() if indicator.target else "仅记录",
                "是" if indicator.core else "",
            ],
        )
    for sheet in (data, listing):
        for cell in sheet[1 if sheet is data else 2]:
            cell.font = Font(bold=True)
    return workbook_bytes(workbook)
