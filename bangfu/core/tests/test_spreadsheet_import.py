"""The all-or-nothing import skeleton (`bangfu.core.spreadsheet_import.sheet_import`) that the
activity and capability importers share: the header must match, every row is checked and every
error reported by row and column, blank rows are skipped, and the write happens in one
transaction only when nothing is refused. A small importer records what it is asked to do."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook

from bangfu.core.models import AuditEntry
from bangfu.core.spreadsheet_import import ImportRowError, cell_text, sheet_import

HEADERS = ("名称", "数量", "备注")


class Recorder:
    """Refuses a row without 名称 or with a 数量 that is not a whole number; `check_all`
    refuses the names in `refused_together`; `write` records the kept rows."""

    headers = HEADERS

    def __init__(self, refused_together: Sequence[str] = (), write_fails: bool = False) -> None:
        self.refused_together = refused_together
        self.write_fails = write_fails
        self.checked: list[tuple[int, tuple[object, ...]]] = []
        self.kept: list[tuple[int, str, int]] = []
        self.checked_all = False
        self.written: list[tuple[int, str, int]] = []

    def check_row(self, number: int, cells: Sequence[object]) -> list[ImportRowError]:
        self.checked.append((number, tuple(cells)))
        name, quantity, _ = cells
        errors = []
        if not cell_text(name):
            errors.append(ImportRowError(number, "名称", "必填"))
        if not isinstance(quantity, int):
            errors.append(ImportRowError(number, "数量", "应为整数"))
        if not errors:
            assert isinstance(quantity, int)
            self.kept.append((number, cell_text(name), quantity))
        return errors

    def check_all(self) -> list[ImportRowError]:
        self.checked_all = True
        return [
            ImportRowError(number, "名称", "与已有记录冲突")
            for number, name, _ in self.kept
            if name in self.refused_together
        ]

    def write(self) -> None:
        for number, name, quantity in self.kept:
            AuditEntry.objects.create(
                action="test_import", object_type="test", object_id=str(number), object_repr=name
            )
            self.written.append((number, name, quantity))
        if self.write_fails:
            raise RuntimeError("disk full")


def _sheet(path: Path, rows: Sequence[Sequence[object]], headers: Sequence[str] = HEADERS) -> str:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return str(path)


def _audits() -> int:
    return AuditEntry.objects.filter(action="test_import").count()


def test_a_header_missing_a_column_is_refused_naming_every_header(tmp_path):
    importer = Recorder()
    path = _sheet(tmp_path / "a.xlsx", [("甲", 1, "")], headers=("名称", "备注"))
    errors = sheet_import(path=path, importer=importer)
    assert errors == [ImportRowError(1, "表头", "表头应依次为：名称、数量、备注")]
    assert str(errors[0]) == "第1行「表头」：表头应依次为：名称、数量、备注"
    assert importer.checked == [] and importer.written == []


def test_extra_columns_after_the_headers_are_allowed_and_not_read(tmp_path, db):
    importer = Recorder()
    path = _sheet(tmp_path / "a.xlsx", [("甲", 1, "", "附注")], headers=(*HEADERS, "附注"))
    assert sheet_import(path=path, importer=importer) == []
    assert importer.checked == [(2, ("甲", 1, None))]


def test_an_empty_sheet_and_a_file_that_is_not_a_workbook_are_refused(tmp_path):
    empty = tmp_path / "empty.xlsx"
    Workbook().save(empty)
    assert sheet_import(path=str(empty), importer=Recorder()) == [
        ImportRowError(1, "表头", "工作表为空")
    ]
    text = tmp_path / "text.xlsx"
    text.write_text("名称,数量\n")
    [error] = sheet_import(path=str(text), importer=Recorder())
    assert (error.row, error.column) == (0, "文件")
    assert error.message.startswith("无法读取 Excel 文件：")


def test_errors_on_several_rows_are_all_reported_and_nothing_is_written(tmp_path, db):
    importer = Recorder()
    rows = [("甲", 1, ""), (None, "两", ""), ("乙", 2, ""), ("丙", 1.5, "")]
    errors = sheet_import(path=_sheet(tmp_path / "a.xlsx", rows), importer=importer)
    assert errors == [
        ImportRowError(3, "名称", "必填"),
        ImportRowError(3, "数量", "应为整数"),
        ImportRowError(5, "数量", "应为整数"),
    ]
    assert [number for number, _ in importer.checked] == [2, 3, 4, 5]  # every row checked
    assert not importer.checked_all
    assert importer.written == [] and _audits() == 0


def test_a_refusal_found_across_rows_also_writes_nothing(tmp_path, db):
    importer = Recorder(refused_together=["乙"])
    rows = [("甲", 1, ""), ("乙", 2, "")]
    errors = sheet_import(path=_sheet(tmp_path / "a.xlsx", rows), importer=importer)
    assert errors == [ImportRowError(3, "名称", "与已有记录冲突")]
    assert importer.written == [] and _audits() == 0


def test_blank_rows_are_skipped_and_short_rows_padded(tmp_path, db):
    importer = Recorder()
    rows = [("甲", 1), (None, None, None), ("  ", "", None), ("乙", 2, "备注")]
    errors = sheet_import(path=_sheet(tmp_path / "a.xlsx", rows), importer=importer)
    assert errors == []
    assert importer.checked == [(2, ("甲", 1, None)), (5, ("乙", 2, "备注"))]
    assert importer.written == [(2, "甲", 1), (5, "乙", 2)]
    assert _audits() == 2


def test_a_dry_run_checks_everything_and_writes_nothing(tmp_path, db):
    importer = Recorder()
    path = _sheet(tmp_path / "a.xlsx", [("甲", 1, ""), ("乙", 2, "")])
    assert sheet_import(path=path, importer=importer, dry_run=True) == []
    assert importer.checked_all and len(importer.kept) == 2
    assert importer.written == [] and _audits() == 0


def test_the_write_is_one_transaction(tmp_path, db):
    """A write that fails half-way leaves none of its rows behind."""
    importer = Recorder(write_fails=True)
    path = _sheet(tmp_path / "a.xlsx", [("甲", 1, ""), ("乙", 2, "")])
    with pytest.raises(RuntimeError):
        sheet_import(path=path, importer=importer)
    assert len(importer.written) == 2 and _audits() == 0


def test_progress_is_reported_while_checking_and_once_when_accepted(tmp_path, db):
    calls: list[tuple[int, int]] = []
    rows = [("甲", 1, ""), (None, None, None), ("乙", 2, ""), ("丙", 3, "")]
    path = _sheet(tmp_path / "a.xlsx", rows)
    sheet_import(
        path=path, importer=Recorder(), progress=lambda *c: calls.append(c), progress_every=2
    )
    assert calls == [(2, 4), (4, 4), (4, 4)]


def test_cell_text_is_stripped_and_shows_whole_floats_without_a_decimal_point():
    assert [cell_text(v) for v in (None, "  甲 ", 3.0, 2.5, 7)] == ["", "甲", "3", "2.5", "7"]
