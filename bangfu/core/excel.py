"""Excel (.xlsx) exports with openpyxl: a bold header row, frozen, sized columns.

Every workbook the platform hands out is written through `cell_value` / `append_row` here, so
stored text can neither break an export nor arm it:
- characters openpyxl refuses (control characters, lone surrogates) are removed with the one
  rule in `bangfu.core.text`, so a note stored with "\\v" no longer fails every officer's export;
- text that a spreadsheet would read as a formula or a DDE call — starting with = + - @, a tab or
  a carriage return — is written as a plain string with a leading single quote (the OWASP
  advice for CSV injection, which also survives a later "save as CSV"), and the cell is marked as
  text so Excel does not turn it into a formula when someone edits it. Real numbers (int,
  Decimal, float), dates and booleans are left as they are: a negative amount stays a number.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import IO
from urllib.parse import quote

from django.http import FileResponse, HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from bangfu.core.text import without_forbidden_characters

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# First characters that make Excel, LibreOffice or WPS evaluate a cell (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def cell_value(value: object) -> object:
    """`value` as it may go into a cell: text cleaned and defused, everything else unchanged."""
    if not isinstance(value, str):
        return value
    text = without_forbidden_characters(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def append_row(ws: Worksheet, values: Sequence[object]) -> None:
    """Append one row of `cell_value`s; every text cell is written as a string, never a formula."""
    ws.append([cell_value(v) for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell, Cell) and isinstance(cell.value, str):
            cell.data_type = "s"
            if cell.value.startswith("'"):
                cell.quotePrefix = True


def workbook_bytes(wb: Workbook) -> bytes:
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = without_forbidden_characters(title)[:31] or "Sheet"
    append_row(ws, headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [len(h) * 2 + 2 for h in headers]
    for row in rows:
        values = [cell_value(v) for v in row]
        append_row(ws, values)
        for i, v in enumerate(values):
            if i < len(widths):
                widths[i] = min(60, max(widths[i], len(str(v)) * 2 + 2))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    return workbook_bytes(wb)


def xlsx_response(
    filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(title, headers, rows), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# ---- streamed exports (large scopes) ----


def write_only_cells(ws: WriteOnlyWorksheet, values: Sequence[object]) -> list[Cell]:
    """One row for a write-only sheet, with the same rules as `append_row`: `cell_value`s, every
    text cell a string (never a formula), a defused one marked with a quote prefix."""
    cells = []
    for value in values:
        cell = WriteOnlyCell(ws, value=cell_value(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if cell.value.startswith("'"):
                cell.quotePrefix = True
        cells.append(cell)
    return cells


def xlsx_stream_file(
    title: str, headers: Sequence[str], rows: Iterable[Sequence[object]]
) -> IO[bytes]:
    """The workbook of `xlsx_bytes` written without holding it in memory: openpyxl's
    write-only mode writes each row to disk as `rows` yields it (pass a generator over a
    chunked query), then the zip goes to a temporary file, returned rewound. Columns are sized
    from the headers (a write-only sheet is sized before its rows)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=without_forbidden_characters(title)[:31] or "Sheet")
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(12, len(header) * 2 + 4))
    ws.freeze_panes = "A2"
    header_cells = write_only_cells(ws, headers)
    for cell in header_cells:
        cell.font = Font(bold=True)
    ws.append(header_cells)
    for row in rows:
        ws.append(write_only_cells(ws, row))
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that streams it
    wb.save(out)
    out.seek(0)
    return out


def xlsx_stream_response(
    filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[object]]
) -> FileResponse:
    """`xlsx_response` for exports of large scopes: the rows are consumed as they come and the
    file is sent in blocks from a temporary file (`xlsx_stream_file`), never built in memory."""
    return FileResponse(
        xlsx_stream_file(title, headers, rows),
        as_attachment=True,
        filename=filename,
        content_type=XLSX,
    )
