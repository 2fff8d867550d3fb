"""The self-assessment as a document for the file: A4 .docx (python-docx) and PDF (WeasyPrint,
CJK font embedded and checked), with the measures, the narrative, the helper's comments and the
review record (§七 自查结果向县级卫生健康部门报备)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from bangfu.assessments.domain.review import DECISION_LABELS, LEVEL_BY_CODE, Status
from bangfu.assessments.models import Assessment
from bangfu.assessments.selectors import MeasureRow
from bangfu.documents.render import has_configured_cjk_font, pdf_font_names

FONT = "Noto Serif CJK SC"
MEASURE_HEADERS = ("措施", "目标", "本年度完成", "进度", "自评")


class AssessmentRenderError(RuntimeError):
    """The document could not be written; the message is Chinese."""


@dataclass(frozen=True)
class AssessmentDocument:
    title: str
    facts: list[tuple[str, str]]
    measures: list[list[str]]
    narrative: list[tuple[str, str]]
    helper_comments: str
    approvals: list[list[str]]


def assessment_document(assessment: Assessment, rows: list[MeasureRow]) -> AssessmentDocument:
    partnership = assessment.agreement.partnership
    agreement = assessment.agreement
    county = partnership.recipient.county
    return AssessmentDocument(
        title=f"{partnership.recipient.name}{assessment.year}年度帮扶协作自查自评报告",
        facts=[
            ("受扶医院", partnership.recipient.name),
            ("帮扶医院", partnership.helper.name),
            ("所在县", county.name if county else "—"),
            (
                "协议",
                f"第{agreement.cycle_number}周期 {agreement.start:%Y-%m-%d}—{agreement.end:%Y-%m-%d}",
            ),
            ("年度", str(assessment.year)),
            ("状态", Status(assessment.status).label),
        ],
        measures=[
            [
                f"{r.code} {r.title}",
                r.targets,
                "—" if r.achieved is None else str(r.achieved),
                r.progress_label,
                r.rating_label,
            ]
            for r in rows
        ],
        narrative=[
            ("一、工作成效", assessment.results_text or "（未填写）"),
            ("二、存在问题", assessment.problems_text or "（未填写）"),
            ("三、下一步打算", assessment.next_steps_text or "（未填写）"),
        ],
        helper_comments=assessment.helper_comments or "（未填写）",
        approvals=[
            [
                LEVEL_BY_CODE[a.level].label if a.level in LEVEL_BY_CODE else a.level,
                DECISION_LABELS.get(a.decision, a.decision),
                a.by.display_name or a.by.get_username() if a.by else "系统",
                f"{timezone.localtime(a.at):%Y-%m-%d %H:%M}",
                a.comment,
            ]
            for a in assessment.approvals.all()
        ],
    )


def render_assessment_docx(doc_data: AssessmentDocument) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.6)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.8)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(doc_data.title)
    run.bold = True
    run.font.size = Pt(16)
    for label, value in doc_data.facts:
        doc.add_paragraph(f"{label}：{value}")
    doc.add_heading("各项帮扶任务完成情况", level=2)
    table = doc.add_table(rows=1, cols=len(MEASURE_HEADERS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, MEASURE_HEADERS, strict=True):
        cell.text = text
    for row in doc_data.measures:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    for heading, text in doc_data.narrative:
        doc.add_heading(heading, level=2)
        doc.add_paragraph(text)
    doc.add_heading("四、帮扶医院意见", level=2)
    doc.add_paragraph(doc_data.helper_comments)
    doc.add_heading("五、审核记录", level=2)
    if doc_data.approvals:
        record = doc.add_table(rows=1, cols=5)
        record.style = "Table Grid"
        for cell, text in zip(
            record.rows[0].cells, ("层级", "决定", "办理人", "时间", "意见"), strict=True
        ):
            cell.text = text
        for row in doc_data.approvals:
            for cell, text in zip(record.add_row().cells, row, strict=True):
                cell.text = text
    else:
        doc.add_paragraph("尚未提交。")
    doc.add_paragraph(f"生成时间：{timezone.localtime():%Y-%m-%d %H:%M}（帮扶协作管理平台）")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_assessment_pdf(doc_data: AssessmentDocument) -> bytes:
    import weasyprint  # slow import (Pango, fonts)

    html = render_to_string(
        "assessments/assessment_pdf.html",
        {"doc": doc_data, "headers": MEASURE_HEADERS, "generated": timezone.localtime()},
    )
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    if not has_configured_cjk_font(pdf_font_names(pdf)):
        raise AssessmentRenderError(
            "PDF 未嵌入中文字体：请安装 Debian 的 fonts-noto-cjk（make setup 会安装）"
        )
    return pdf
