"""An expert's statement as an Excel workbook and as a PDF (F5).

Both are printed from `ExpertStatement.rows`, so they carry exactly what the statement page
shows, masks included. The PDF embeds a CJK font like the agreement PDF
(`bangfu.documents.render`) and is refused rather than printed as empty boxes.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from bangfu.core.excel import append_row, workbook_bytes
from bangfu.documents.render import PDF_FONT_FAMILIES, has_configured_cjk_font, pdf_font_names
from bangfu.incentives.statement_selectors import ExpertStatement

STATEMENT_HEADERS = ("派驻", "项目", "金额（元）", "依据条款", "计算说明")
REJECTED_HEADERS = ("派驻", "乘车日期", "金额（元）", "不予报销原因")
PDF_TEMPLATE_NAME = "incentives/statement_pdf.html"


class StatementRenderError(RuntimeError):
    """The statement could not be written; the message says why in Chinese."""


def statement_title(statement: ExpertStatement) -> str:
    period = statement.period
    return f"{statement.expert.name} 帮扶待遇明细（{period.start:%Y-%m-%d}至{period.end:%Y-%m-%d}）"


def statement_filename(statement: ExpertStatement, suffix: str) -> str:
    period = statement.period
    return f"待遇明细_{statement.expert.name}_{period.start:%Y%m%d}-{period.end:%Y%m%d}.{suffix}"


def statement_xlsx(statement: ExpertStatement) -> bytes:
    """Title row, then one row per line (amounts as numbers, "***" where masked), the total,
    and the rejected travel claims with their reasons. Rows go through `append_row`, which
    cleans and defuses stored text like every other export."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "待遇明细"
    append_row(ws, [statement_title(statement)])
    ws["A1"].font = Font(bold=True, size=14)
    append_row(ws, [f"派出单位：{statement.expert.home_institution.name}"])
    append_row(ws, STATEMENT_HEADERS)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in statement.rows:
        amount: object = row.amount if row.amount is not None else row.amount_text
        append_row(ws, [row.deployment_label, row.item_label, amount, row.clause, row.reason])
    total: object = statement.total if statement.total_visible else statement.total_text
    append_row(ws, ["合计", "", total, "", ""])
    ws.cell(ws.max_row, 1).font = Font(bold=True)
    ws.cell(ws.max_row, 3).font = Font(bold=True)
    rejected = statement.rejected
    if rejected:
        append_row(ws, [])
        append_row(ws, ["不予报销的交通费"])
        append_row(ws, REJECTED_HEADERS)
        for r in rejected:
            append_row(ws, [r.deployment_label, r.date.isoformat(), r.amount_text, r.reason])
    append_row(ws, [])
    append_row(ws, ["说明（政策解读）"])
    for number, note in enumerate(statement.footnotes, start=1):
        append_row(ws, [f"{number}. {note}"])
    for column, width in zip("ABCDE", (44, 22, 14, 22, 90), strict=True):
        ws.column_dimensions[column].width = width
    for row_cells in ws.iter_rows(min_row=4):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row_cells in ws.iter_rows(min_row=4, min_col=3, max_col=3):
        for cell in row_cells:
            if not isinstance(cell.value, str):
                cell.number_format = "#,##0.00"
    return workbook_bytes(wb)


def statement_pdf(statement: ExpertStatement) -> bytes:
    """An A4 PDF of the statement with an embedded CJK font."""
    # Imported here: WeasyPrint loads Pango and fonts, which costs about a second.
    import weasyprint

    html = render_to_string(
        PDF_TEMPLATE_NAME, {"statement": statement, "title": statement_title(statement)}
    )
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    if not has_configured_cjk_font(pdf_font_names(pdf)):
        raise StatementRenderError(
            "PDF 未嵌入中文字体（需要 " + "、".join(PDF_FONT_FAMILIES) + " 之一），"
            "请在服务器上安装 fonts-noto-cjk 后重试"
        )
    return pdf
