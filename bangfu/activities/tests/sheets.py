"""Build activity workbooks for tests."""

from __future__ import annotations

from openpyxl import Workbook

from bangfu.activities.services import IMPORT_HEADERS


def write_sheet(path, rows, headers=IMPORT_HEADERS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return str(path)
