"""Importing an Excel sheet all or nothing: the one skeleton of every importer (activities F8,
capability values); `bangfu.core.excel` writes the workbooks the platform hands out.

`sheet_import` runs the steps, the importer (a `SheetImporter`) supplies the rules:
1. the first sheet of the workbook is read streamed (openpyxl read-only, formulas' cached
   values); a file openpyxl cannot open is one error on row 0, column 「文件」;
2. the first row must start with the importer's `headers`, in order; otherwise (an empty sheet
   too) one error on row 1, column 「表头」, and no data row is read;
3. each data row is cut or padded to the headers' width; a row blank there is skipped (cells
   beyond the headers are never read); every other row goes to `check_row`, which returns its
   errors — row number (header = 1), column header, Chinese reason — and keeps what the write
   needs. Every row is checked, so the user sees every error at once;
4. when no row is refused, `check_all` may still refuse rows against each other or stored rows;
5. any error refuses the import: every error is returned and nothing is written. Otherwise,
   unless it is a dry run, `write` runs in one transaction (the rows and their audit rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.db import transaction
from openpyxl import load_workbook


@dataclass(frozen=True)
class ImportRowError:
    """One refused cell: the spreadsheet row number (header = 1), the column header, the reason."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行「{self.column}」：{self.message}"


class SheetImporter(Protocol):
    """The rules of one importer; `sheet_import` calls them in order (module docstring)."""

    @property
    def headers(self) -> Sequence[str]:
        """The first row, exactly; the columns read."""
        ...

    def check_row(self, number: int, cells: Sequence[object]) -> Iterable[ImportRowError]:
        """The errors of data row `number` (`cells` as wide as `headers`); keep it if none."""
        ...

    def check_all(self) -> Iterable[ImportRowError]:
        """Errors found only once every row is checked; called when no row was refused."""
        ...

    def write(self) -> None:
        """Write the kept rows and their audit rows (called inside one transaction)."""
        ...


def cell_text(value: object) -> str:
    """A cell as text: blank for an empty cell, a whole float without ".0", stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def is_blank(cells: Sequence[object]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _sheet_rows(path: str) -> Iterator[tuple[int, int, Sequence[object]]]:
    """(row number, rows the sheet declares, cells) of the first sheet, streamed."""
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        total = sheet.max_row or 0
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, total, cells
    finally:
        workbook.close()


def sheet_import(
    *,
    path: str,
    importer: SheetImporter,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    progress_every: int = 2000,
) -> list[ImportRowError]:
    """Check every row of the sheet at `path` with `importer`, then write all of it in one
    transaction or nothing (module docstring). Returns the errors; empty when accepted.

    `progress(done, total)` is called every `progress_every` data rows while checking (blank
    rows count; `total` is what the sheet declares) and once more when the import is accepted.
    """
    headers = tuple(importer.headers)
    try:
        stream = _sheet_rows(path)
        first = next(stream, None)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        return [ImportRowError(0, "文件", f"无法读取 Excel 文件：{type(exc).__name__}")]
    if first is None:
        return [ImportRowError(1, "表头", "工作表为空")]
    if tuple(cell_text(c) for c in first[2][: len(headers)]) != headers:
        return [ImportRowError(1, "表头", f"表头应依次为：{'、'.join(headers)}")]
    errors: list[ImportRowError] = []
    done = 0
    for number, total, cells in stream:
        done += 1
        row = (*cells[: len(headers)], *([None] * (len(headers) - len(cells))))
        if not is_blank(row):
            errors.extend(importer.check_row(number, row))
        if progress is not None and done % progress_every == 0:
            progress(done, max(total - 1, done))
    if not errors:
        errors.extend(importer.check_all())
    if errors:
        return errors
    if not dry_run:
        with transaction.atomic():
            importer.write()
    if progress is not None:
        progress(done, max(done, 1))
    return []
