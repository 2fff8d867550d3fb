"""The report as an official-looking Chinese document: A4 .docx (python-docx, editable in
Word) and PDF (WeasyPrint, CJK font embedded), both with page numbers and the two pictures."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from bangfu.documents.render import has_configured_cjk_font, pdf_font_names
from bangfu.overview.report_images import coverage_bars_png, coverage_map_png
from bangfu.overview.reports import PrefectureLine, ReportData

TABLE_HEADERS = ("市州", "目标县", "已覆盖", "未覆盖", "断档", "即将到期", "生效协议", "在岗专家")
FONT = "Noto Serif CJK SC"


class ReportRenderError(RuntimeError):
    """The report could not be written; the message is Chinese."""


@dataclass(frozen=True)
class ReportImages:
    map_png: bytes
    bars_png: bytes


def report_images(data: ReportData) -> ReportImages:
    return ReportImages(
        map_png=coverage_map_png(data.map_cells),
        bars_png=coverage_bars_png(
            [x.name for x in data.lines],
            [x.covered for x in data.lines],
            [x.uncovered for x in data.lines],
        ),
    )


def line_cells(line: PrefectureLine) -> list[str]:
    return [
        line.name,
        str(line.target),
        str(line.covered),
        str(line.uncovered),
        str(line.gaps),
        str(line.expiring),
        str(line.agreements_in_force),
        str(line.experts_on_site),
    ]


def headline(data: ReportData) -> list[str]:
    return [
        f"目标县覆盖：截至 {data.day.isoformat()}，{data.scope_label}目标县 {data.target_total} 个，"
        f"已有省外三甲医院帮扶协议生效的 {data.covered} 个"
        + (
            f"；全省目标为 {data.goal_year} 年底前覆盖 {data.goal_total} 个（已完成 {data.covered_percent}%）。"
            if data.prefecture is None
            else "。"
        ),
        f"能力达标：{data.goal_year} 年受帮扶县级医院达到推荐标准的比例目标为 {data.standard_share_goal}"
        "（年度自评与能力指标上线后在此报告）。",
    ]


def render_report_docx(data: ReportData, images: ReportImages | None = None) -> bytes:
    images = images or report_images(data)
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.6)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    _page_number_footer(section.footer.paragraphs[0])

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(data.title)
    run.bold = True
    run.font.size = Pt(18)
    sub = doc.add_paragraph(
        f"范围：{data.scope_label}　报告期：{data.period.label}　数据日期：{data.day.isoformat()}"
    )
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_heading("一、总体目标进展", level=2)
    for text in headline(data):
        doc.add_paragraph(text)
    doc.add_heading("二、各市州情况", level=2)
    table = doc.add_table(rows=1, cols=len(TABLE_HEADERS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, TABLE_HEADERS, strict=True):
        cell.text = text
    for line in [*data.lines, data.totals]:
        for cell, text in zip(table.add_row().cells, line_cells(line), strict=True):
            cell.text = text
    doc.add_heading("三、目标县覆盖示意图", level=2)
    doc.add_picture(io.BytesIO(images.map_png), width=Cm(15.5))
    doc.add_paragraph("示意图，边界不作为权属依据。").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_picture(io.BytesIO(images.bars_png), width=Cm(15.5))
    doc.add_heading("四、需要推进的事项", level=2)
    if data.actions:
        for item in data.actions:
            doc.add_paragraph(f"【{item.kind}】{item.text}", style="List Number")
    else:
        doc.add_paragraph("无。")
    doc.add_paragraph(f"生成时间：{timezone.localtime():%Y-%m-%d %H:%M}（帮扶协作管理平台）")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_report_pdf(data: ReportData, images: ReportImages | None = None) -> bytes:
    import weasyprint  # slow import (Pango, fonts)

    images = images or report_images(data)
    html = render_to_string(
        "overview/report_pdf.html",
        {
            "data": data,
            "headline": headline(data),
            "headers": TABLE_HEADERS,
            "rows": [line_cells(x) for x in data.lines],
            "totals": line_cells(data.totals),
            "map_png": base64.b64encode(images.map_png).decode(),
            "bars_png": base64.b64encode(images.bars_png).decode(),
            "generated": timezone.localtime(),
        },
    )
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    if not has_configured_cjk_font(pdf_font_names(pdf)):
        raise ReportRenderError(
            "PDF 未嵌入中文字体：请安装 Debian 的 fonts-noto-cjk（make setup 会安装）"
        )
    return pdf


def _page_number_footer(paragraph: object) -> None:
    """「第 N 页」centred in the footer, N a PAGE field Word fills in."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER  # type: ignore[attr-defined]
    paragraph.add_run("第 ")  # type: ignore[attr-defined]
    run = paragraph.add_run()  # type: ignore[attr-defined]
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    paragraph.add_run(" 页")  # type: ignore[attr-defined]
