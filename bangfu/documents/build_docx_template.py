"""Build the Word template of the A2 agreement: templates_docx/agreement_a2.docx.

The template is an ordinary .docx that a clerk can open and restyle in Word: A2's
fixed wording is plain text, the variable parts are docxtpl placeholders
(`{{ party_a }}`, `{{ top_up_multiplier }}`, `{%p for m in measures %}` …) named
after the fields of `AgreementContent`. This script is the reviewable source of
the committed file; rerun it after changing the wording:

    .venv/bin/python -m bangfu.documents.build_docx_template [--output PATH]

Layout follows GB/T 9704-2012 (party-and-government official documents): A4,
margins 37/35/28/26 mm, body 仿宋 16 pt on a 28 pt line, headings 黑体, title 宋体.
Wording is Annex 2 of the policy, with the sections numbered 一 to 四 (the
template's jump from 二 to 四 is fixed) and 保障措施 (三) carrying placeholders.
"""

from __future__ import annotations

import argparse
import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.font import Font

FIXED_TIMESTAMP = datetime(2025, 1, 1, tzinfo=UTC)
TEMPLATE_PATH = Path(__file__).resolve().parent / "templates_docx" / "agreement_a2.docx"

LATIN_FONT = "Times New Roman"
BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "宋体"
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
LINE_PITCH = Pt(28)

# Paragraph styles: (style id, Chinese name shown in Word).
STYLE_TITLE = ("AgreementTitle", "协议标题")
STYLE_NUMBER = ("AgreementNumber", "协议编号")
STYLE_PARTY = ("AgreementParty", "协议当事方")
STYLE_HEADING = ("AgreementHeading", "协议一级标题")
STYLE_BODY = ("AgreementBody", "协议正文")
STYLE_SIGNATURE = ("AgreementSignature", "协议签章")
STYLE_CONTROL = ("AgreementControl", "模板控制行")

PREAMBLE = (
    "根据《中共中央国务院关于进一步深化农村改革扎实推进乡村全面振兴的意见》部署，"
    "为进一步深化东西部协作，大力提升贵州县级医疗卫生服务能力水平，"
    "为群众提供优质、安全、便捷的医疗卫生服务，经双方友好协商，达成如下框架协议。"
)
PRINCIPLE = (
    "按照“乙方所需、甲方所能”的原则，双方重点在临床专科建设、人才培养、医院管理、"
    "专家指导、远程医疗和义诊活动等方面开展深入协作。"
)
MEASURES_LEAD_IN = (
    "按照《省外三甲医院帮扶贵州县级医疗机构全覆盖帮扶措施参考》及协商情况，双方约定协作事项如下："
)

# A2-四 of the policy, numbered 三 here; items (三)1–7 carry this agreement's values.
GUARANTEES: tuple[str, ...] = (
    "（一）加强组织领导。甲乙双方建立协作会商制度，不定期召开会商工作会议，建立对接机制，"
    "明确双方工作责任，共同抓好医疗协作帮扶工作的落实。",
    "（二）强化沟通协调。甲乙双方围绕重大医疗协作事项加强友好协商，互通信息、通报进度、"
    "联合督导，共同推动协作事项落到实处。",
    "（三）强化服务保障。双方为本协议项下的人员交流互访提供工作和生活便利。"
    "乙方合理安排专家在黔工作和生活，在岗位任职、薪酬待遇、住房、子女入学、取暖、用餐、"
    "往返交通费等方面予以支持：",
    "1.对派驻人员常驻{{ vice_president_min_resident_years }}年以上、"
    "具备公立医院领导人员任职资格和条件的可任受扶医院副院长，"
    "常驻{{ president_min_resident_years }}年以上的可任受扶医院院长；",
    "2.帮扶人员常驻{{ top_up_min_resident_years }}年以上的，"
    "受扶医院按派驻前一年度其在原单位薪酬水平（含绩效工资）{{ top_up_multiplier }}"
    "补足差额部分予以保障；",
    "3.每年组织帮扶干部开展{{ health_checks_per_year }}次健康体检，"
    "为每名帮扶人员办理不低于{{ insurance_min_coverage }}保额的人身意外伤害保险；",
    "4.帮扶人员探亲休假每月据实报销{{ travel_round_trips_per_month }}次往返两地交通费；",
    "5.受扶医院可每年按照{{ work_fund_per_year }}标准统筹安排工作经费，"
    "可按每人{{ settling_in_allowance }}标准一次性报销购置到岗的生活必须品费用；",
    "6.正高职称或博士研究生、副高职称或硕士研究生的可再分别每月补贴"
    "{{ monthly_subsidy_senior }}、{{ monthly_subsidy_associate }}；",
    "{{ tourism_card_item }}",
    "（四）营造良好氛围。乙方充分利用公众号、网络等各类媒体，广泛宣传甲方帮扶乙方的效果、"
    "经验和先进典型，不断扩大双方医疗卫生协作工作的社会影响，"
    "努力为双方医疗卫生协作工作营造良好的社会氛围。",
    "（五）落实主体责任。受援县县级人民政府落实政府对公立医院的投入责任，"
    "将对口帮扶工作任务落实情况和效果作为县级医院院长考核内容，"
    "为支援医院派驻人员提供必要的工作条件、政策支持和生活保障。",
)

OTHER_TERMS: tuple[str, ...] = (
    "（一）本协议经甲乙丙三方签字、盖章后生效。",
    "（二）未尽事宜，双方协商解决。",
    "（三）本协议一式三份，由甲乙丙三方各执一份，电子版分别报省、市、县卫生健康部门备案。",
    "（四）本协议执行过程中，所有附件和补充协议成为本协议的有效组成部分，"
    "与本协议具有同等的法律效力。",
)

SIGNATURE_PARTIES: tuple[tuple[str, str], ...] = (
    ("甲方（盖章）：", "{{ party_a }}"),
    ("乙方（盖章）：", "{{ party_b }}"),
    ("丙方（县人民政府）（盖章）：", "{{ party_c }}"),
)
SIGNATORY_LINE = "法定代表人或授权代表（签字）："
DATE_LINE = "日期：   年  月  日"

Line = tuple[tuple[str, str], str]


def agreement_template_lines() -> list[Line]:
    """The template's paragraphs in order, as (style, text); docxtpl tags included."""
    lines: list[Line] = [
        (STYLE_CONTROL, "{%p if agreement_number %}"),
        (STYLE_NUMBER, "协议编号：{{ agreement_number }}"),
        (STYLE_CONTROL, "{%p endif %}"),
        (STYLE_TITLE, "{{ title }}"),
        (STYLE_PARTY, "甲方：{{ party_a }}"),
        (STYLE_PARTY, "乙方：{{ party_b }}"),
        (STYLE_PARTY, "丙方（县人民政府）：{{ party_c }}"),
        (STYLE_BODY, PREAMBLE),
        (STYLE_HEADING, "一、协议期限"),
        (STYLE_BODY, "{{ period }}"),
        (STYLE_HEADING, "二、协作主要内容"),
        (STYLE_BODY, PRINCIPLE),
        (STYLE_BODY, MEASURES_LEAD_IN),
        (STYLE_CONTROL, "{%p for m in measures %}"),
        (STYLE_BODY, "{{ m.label }}{{ m.opening }}"),
        (STYLE_CONTROL, "{%p for paragraph in m.more_paragraphs %}"),
        (STYLE_BODY, "{{ paragraph }}"),
        (STYLE_CONTROL, "{%p endfor %}"),
        (STYLE_CONTROL, "{%p if m.targets_line %}"),
        (STYLE_BODY, "{{ m.targets_line }}"),
        (STYLE_CONTROL, "{%p endif %}"),
        (STYLE_CONTROL, "{%p endfor %}"),
        (
            STYLE_BODY,
            "{{ other_matters_label }}其他参考目录外双方约定事宜。{{ other_matters_first }}",
        ),
        (STYLE_CONTROL, "{%p for paragraph in other_matters_more %}"),
        (STYLE_BODY, "{{ paragraph }}"),
        (STYLE_CONTROL, "{%p endfor %}"),
        (STYLE_HEADING, "三、保障措施"),
        *((STYLE_BODY, text) for text in GUARANTEES),
        (STYLE_HEADING, "四、其他事项"),
        *((STYLE_BODY, text) for text in OTHER_TERMS),
    ]
    for party_line, name in SIGNATURE_PARTIES:
        lines.append((STYLE_SIGNATURE, party_line + name))
        lines.append((STYLE_SIGNATURE, SIGNATORY_LINE))
        lines.append((STYLE_SIGNATURE, DATE_LINE))
    return lines


def build_agreement_template() -> bytes:
    """Write the A2 Word template and return the .docx bytes."""
    document = Document()
    _set_up_page(document)
    _set_up_styles(document)
    document.core_properties.title = "{{ title|safe }}"
    document.core_properties.subject = "帮扶协作框架协议（附件2参考模版）"
    document.core_properties.author = "帮扶协作管理平台"
    document.core_properties.comments = ""
    document.core_properties.last_modified_by = "帮扶协作管理平台"
    document.core_properties.revision = 1
    document.core_properties.created = FIXED_TIMESTAMP
    document.core_properties.modified = FIXED_TIMESTAMP
    party_prefixes = tuple(prefix for prefix, _ in SIGNATURE_PARTIES)
    for style, text in agreement_template_lines():
        paragraph = document.add_paragraph(text, style=style[1])
        if style == STYLE_SIGNATURE:
            # Keep each party's three signature lines together, a blank line above each block.
            paragraph.paragraph_format.keep_with_next = text != DATE_LINE
            if text.startswith(party_prefixes):
                paragraph.paragraph_format.space_before = LINE_PITCH
    output = io.BytesIO()
    document.save(output)
    return _reproducible_zip(output.getvalue())


def _reproducible_zip(docx: bytes) -> bytes:
    """Rewrite the .docx archive with fixed entry times so rebuilding gives the same bytes."""
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(entry.filename))
    return output.getvalue()


def _set_up_page(document: WordDocument) -> None:
    section = document.sections[0]
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = Mm(37)
    section.bottom_margin = Mm(35)
    section.left_margin = Mm(28)
    section.right_margin = Mm(26)
    section.footer_distance = Mm(20)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    # A complex PAGE field made of ordinary runs, so the runs can carry the footer font.
    for kind, value in (("begin", ""), ("instr", " PAGE "), ("end", "")):
        run = footer.add_run()
        if kind == "instr":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = value
            run._r.append(instruction)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
    footer.add_run(" —")
    for footer_run in footer.runs:
        _set_fonts(footer_run.font, LATIN_FONT, BODY_FONT)
        footer_run.font.size = Pt(14)


def _set_up_styles(document: WordDocument) -> None:
    normal = document.styles["Normal"]
    _set_fonts(normal.font, LATIN_FONT, BODY_FONT)
    normal.font.size = BODY_SIZE
    # Proofing and line breaking follow Chinese rules for CJK text.
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "en-US")
    language.set(qn("w:eastAsia"), "zh-CN")
    normal.font.element.get_or_add_rPr().append(language)
    spec: Sequence[tuple[tuple[str, str], str, Pt, bool, WD_ALIGN_PARAGRAPH, bool]] = (
        # style, East Asian font, size, bold, alignment, first-line indent
        (STYLE_TITLE, TITLE_FONT, TITLE_SIZE, True, WD_ALIGN_PARAGRAPH.CENTER, False),
        (STYLE_NUMBER, BODY_FONT, Pt(14), False, WD_ALIGN_PARAGRAPH.RIGHT, False),
        (STYLE_PARTY, BODY_FONT, BODY_SIZE, False, WD_ALIGN_PARAGRAPH.LEFT, False),
        (STYLE_HEADING, HEADING_FONT, BODY_SIZE, False, WD_ALIGN_PARAGRAPH.LEFT, True),
        (STYLE_BODY, BODY_FONT, BODY_SIZE, False, WD_ALIGN_PARAGRAPH.JUSTIFY, True),
        (STYLE_SIGNATURE, BODY_FONT, BODY_SIZE, False, WD_ALIGN_PARAGRAPH.LEFT, False),
        (STYLE_CONTROL, BODY_FONT, Pt(10), False, WD_ALIGN_PARAGRAPH.LEFT, False),
    )
    for (style_id, name), east_asian, size, bold, alignment, indent in spec:
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = style_id
        style.base_style = normal
        style.quick_style = True
        _set_fonts(style.font, LATIN_FONT, east_asian)
        style.font.size = size
        style.font.bold = bold
        style.font.color.rgb = RGBColor(0, 0, 0)
        fmt = style.paragraph_format
        fmt.alignment = alignment
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(40) if (style_id, name) == STYLE_TITLE else LINE_PITCH
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(14) if (style_id, name) == STYLE_TITLE else Pt(0)
        fmt.first_line_indent = Pt(32) if indent else Pt(0)  # two characters
        if (style_id, name) == STYLE_HEADING:
            fmt.keep_with_next = True
            outline = OxmlElement("w:outlineLvl")
            outline.set(qn("w:val"), "0")
            style.element.get_or_add_pPr().append(outline)


def _set_fonts(font: Font, latin: str, east_asian: str) -> None:
    """Set Latin and East Asian typefaces; python-docx's `font.name` sets only Latin."""
    font.name = latin
    r_pr = font.element.get_or_add_rPr()
    r_fonts = r_pr.get_or_add_rFonts()
    r_fonts.set(qn("w:eastAsia"), east_asian)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成帮扶协作框架协议 Word 模板（附件2）")
    parser.add_argument("--output", type=Path, default=TEMPLATE_PATH, help="输出 .docx 路径")
    args = parser.parse_args(argv)
    output: Path = args.output
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(build_agreement_template())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
