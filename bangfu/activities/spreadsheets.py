"""The activity import template (F8): one data sheet with the exact headers and a 活动类型
dropdown, a sheet listing the kinds (the dropdown's source) and an instructions sheet. Rows go
through `bangfu.core.excel.append_row`, like every other workbook the platform hands out."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from bangfu.activities.services import IMPORT_HEADERS
from bangfu.core.excel import append_row, workbook_bytes
from bangfu.policy.domain.activities import ActivityCatalogue

DATA_SHEET = "活动"
KINDS_SHEET = "活动类型"
HELP_SHEET = "填写说明"
TEMPLATE_ROWS = 5000  # rows that carry the dropdown


def activity_template_bytes(catalogue: ActivityCatalogue) -> bytes:
    workbook = Workbook()
    data = workbook.active
    assert data is not None
    data.title = DATA_SHEET
    append_row(data, IMPORT_HEADERS)
    for cell in data[1]:
        cell.font = Font(bold=True)
    for index, width in enumerate((14, 12, 18, 10, 10, 30, 40, 18), start=1):
        data.column_dimensions[get_column_letter(index)].width = width
    data.freeze_panes = "A2"

    kinds = workbook.create_sheet(KINDS_SHEET)
    append_row(kinds, ["名称", "代码", "数量（主数量）", "受益人次", "计入措施", "计入帮扶方式"])
    for cell in kinds[1]:
        cell.font = Font(bold=True)
    for kind in catalogue.kinds:
        people = kind.people_quantity
        append_row(
            kinds,
            [
                kind.name,
                kind.code,
                f"{kind.main_quantity.label}（{kind.main_quantity.unit}）",
                f"{people.label}（{people.unit}）" if people else "不填",
                "、".join(kind.measures),
                "、".join(kind.modes),
            ],
        )
    for index, width in enumerate((18, 22, 24, 20, 30, 40), start=1):
        kinds.column_dimensions[get_column_letter(index)].width = width

    last = len(catalogue.kinds) + 1
    dropdown = DataValidation(
        type="list",
        formula1=f"'{KINDS_SHEET}'!$A$2:$A${last}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="活动类型",
        error="请从下拉列表中选择活动类型",
    )
    dropdown.add(f"C2:C{TEMPLATE_ROWS + 1}")
    data.add_data_validation(dropdown)
    whole = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
    whole.error = "请填写不小于 0 的整数"
    whole.showErrorMessage = True
    whole.add(f"D2:E{TEMPLATE_ROWS + 1}")
    data.add_data_validation(whole)

    help_sheet = workbook.create_sheet(HELP_SHEET)
    help_sheet.column_dimensions["A"].width = 100
    lines = [
        f"帮扶活动导入模板（活动目录版本 {catalogue.version}）",
        "",
        f"在“{DATA_SHEET}”工作表中每行填写一项活动，表头不可修改：{'、'.join(IMPORT_HEADERS)}。",
        "帮扶关系编号：平台“帮扶关系”页面显示的编号（整数）；只能导入您有权填报的帮扶关系。",
        "日期：活动日期，如 2026-03-01；须在该帮扶关系已签署协议的有效期内，且不晚于今天。",
        f"活动类型：从下拉列表选择，或填写代码（见“{KINDS_SHEET}”工作表）。",
        "数量：该活动类型的主数量（整数，至少 1），如查房次数、手术台数、制度项数。",
        "受益人次：该活动类型有受益人次时填写（整数）；没有时留空。",
        "标题、备注：可选，标题不超过 200 字，备注不超过 2000 字。",
        "外部编号：可选。同一帮扶关系内唯一；再次导入相同外部编号的行会更新原记录（已确认的除外）"
        "或保持不变，因此重复导入同一文件不会产生重复记录。",
        "",
        "导入时先检查全部行：只要有一处错误，就不写入任何数据，并列出每个错误的行号、列名和原因。",
        "导入的活动由导入方填报，须由帮扶关系的另一方在平台上确认后才计入进度。",
    ]
    for line in lines:
        append_row(help_sheet, [line])
    help_sheet["A1"].font = Font(bold=True)

    return workbook_bytes(workbook)
