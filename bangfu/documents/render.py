"""Write the A2 agreement as a Word document and as a PDF (DESIGN F3).

Both renderers print `agreement_content(doc)` into A2's fixed wording: the .docx
through the docxtpl template `templates_docx/agreement_a2.docx` (editable in Word),
the PDF through the Django template `documents/agreement_a2.html` and WeasyPrint.
The PDF must carry a CJK font so that its text can be read and copied; if the
machine has none of the configured fonts the renderer refuses rather than hand
out a PDF of empty boxes.
"""

from __future__ import annotations

import io
import re
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import jinja2
from django.template.loader import render_to_string
from docxtpl import DocxTemplate
from pypdf import PdfReader

from bangfu.documents.domain.agreement import (
    AgreementContent,
    AgreementDocument,
    agreement_content,
)

DOCX_TEMPLATE_PATH = Path(__file__).resolve().parent / "templates_docx" / "agreement_a2.docx"
PDF_TEMPLATE_NAME = "documents/agreement_a2.html"

# The CSS font stack of the PDF template, in order of preference (Debian: fonts-noto-cjk,
# fonts-wqy-microhei). Embedded font names are compared with these, ignoring case and
# punctuation ("ABCDEF+Noto-Serif-CJK-SC" matches "Noto Serif CJK SC").
PDF_FONT_FAMILIES: tuple[str, ...] = (
    "Noto Serif CJK SC",
    "Noto Sans CJK SC",
    "WenQuanYi Micro Hei",
)

_NOT_ALNUM = re.compile(r"[^0-9a-z]")


class AgreementRenderError(RuntimeError):
    """The agreement could not be written; the message says why in Chinese."""


def render_agreement_docx(doc: AgreementDocument, *, template: Path | None = None) -> bytes:
    """Return the agreement as .docx bytes, from the default or a clerk-edited template.

    Placeholders unknown to `AgreementContent` raise `AgreementRenderError` instead of
    printing blanks, so a mistyped tag in an edited template is caught at once.
    """
    context = agreement_template_context(doc)
    document = DocxTemplate(str(template or DOCX_TEMPLATE_PATH))
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    try:
        document.render(context, jinja_env=environment, autoescape=True)
    except jinja2.TemplateError as error:
        raise AgreementRenderError(f"Word 模板有误，无法生成协议：{error}") from error
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def render_agreement_pdf(doc: AgreementDocument) -> bytes:
    """Return the agreement as an A4 PDF with an embedded CJK font.

    Raises `AgreementRenderError` if none of `PDF_FONT_FAMILIES` got embedded (the
    fonts are missing on this machine: install Debian's fonts-noto-cjk).
    """
    # Imported here: WeasyPrint loads Pango and fonts, which costs ~1 s at import.
    import weasyprint

    html = render_to_string(PDF_TEMPLATE_NAME, agreement_template_context(doc))
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    if not has_configured_cjk_font(pdf_font_names(pdf)):
        raise AgreementRenderError(
            "PDF 未嵌入中文字体（需要 " + "、".join(PDF_FONT_FAMILIES) + " 之一），"
            "请在服务器上安装 fonts-noto-cjk 后重试"
        )
    return pdf


def agreement_template_context(doc: AgreementDocument) -> dict[str, Any]:
    """The placeholders both templates use: the fields of `AgreementContent`."""
    return asdict(agreement_content(doc))


def docx_template_unknown_placeholders(template: Path) -> set[str]:
    """Name the placeholders of a Word template that `AgreementContent` does not provide.

    Use it to check a clerk-edited template before accepting it: an empty set means
    every `{{ … }}` in it can be filled.
    """
    known = {field.name for field in fields(AgreementContent)}
    declared: set[str] = DocxTemplate(str(template)).get_undeclared_template_variables()
    return declared - known


def pdf_font_names(pdf: bytes) -> list[str]:
    """List the BaseFont names of every font used on the pages of a PDF."""
    names: list[str] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        fonts = resources.get_object().get("/Font")
        if fonts is None:
            continue
        for font in fonts.get_object().values():
            base_font = font.get_object().get("/BaseFont")
            if base_font is not None:
                names.append(str(base_font))
    return names


def has_configured_cjk_font(font_names: list[str]) -> bool:
    """Tell whether one of `PDF_FONT_FAMILIES` is among a PDF's embedded fonts."""
    wanted = {_NOT_ALNUM.sub("", family.lower()) for family in PDF_FONT_FAMILIES}
    for name in font_names:
        # Subset fonts are named "ABCDEF+Family-Style"; drop the subset tag.
        family = _NOT_ALNUM.sub("", name.rsplit("+", 1)[-1].lower())
        if any(family.startswith(prefix) for prefix in wanted):
            return True
    return False
