from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from bangfu.documents.render import has_configured_cjk_font, pdf_font_names

from .conftest import (
    AGREEMENT_STRINGS,
    SECTION_HEADINGS,
    docx_paragraphs,
    pdf_text,
    squash,
)


def _embedded_fonts(data: bytes) -> list[tuple[str, bool]]:
    """(BaseFont, has an embedded font program) for every font on every page."""
    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        resources: Any = page["/Resources"]
        fonts = resources.get_object()["/Font"].get_object()
        for font in fonts.values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described["/FontDescriptor"].get_object()
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.append((str(font["/BaseFont"]), embedded))
    return found


def test_pdf_is_an_a4_document(agreement_pdf):
    reader = PdfReader(io.BytesIO(agreement_pdf))
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    assert reader.metadata is not None
    assert reader.metadata.title == "帮扶协作框架协议"


def test_pdf_embeds_a_cjk_font_program(agreement_pdf):
    fonts = _embedded_fonts(agreement_pdf)
    assert any("CJK" in name and embedded for name, embedded in fonts), fonts


@pytest.mark.parametrize("expected", AGREEMENT_STRINGS)
def test_pdf_text_says_what_the_agreement_agreed(agreement_pdf, expected):
    assert squash(expected) in pdf_text(agreement_pdf)


def test_pdf_sections_run_one_to_four_in_order(agreement_pdf):
    text = pdf_text(agreement_pdf)
    positions = [text.index(heading) for heading in SECTION_HEADINGS]
    assert positions == sorted(positions)
    assert "五、" not in text


def test_pdf_with_overridden_terms_shows_new_values_not_policy_defaults(overridden_pdf):
    text = pdf_text(overridden_pdf)
    assert "（含绩效工资）1.2倍补足差额" in text
    assert "不低于200万元保额" in text
    assert "1.5倍" not in text
    assert "100万元" not in text


def test_pdf_prints_every_paragraph_of_the_docx(agreement_docx, agreement_pdf):
    """The two renderings share no code but the content; their wording must not drift."""
    text = pdf_text(agreement_pdf)
    missing = [p for p in docx_paragraphs(agreement_docx) if squash(p) not in text]
    assert missing == []


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["/LWGGBP+Noto-Serif-CJK-SC"], True),
        (["/TSPJMR+Noto-Sans-CJK-SC-Bold"], True),
        (["/ABCDEF+WenQuanYiMicroHei"], True),
        (["/ABCDEF+DejaVuSans", "/Helvetica"], False),
        (["/ABCDEF+Noto-Sans"], False),
        ([], False),
    ],
)
def test_configured_cjk_font_is_recognised_by_its_embedded_name(names, expected):
    assert has_configured_cjk_font(names) is expected


def test_rendered_pdf_lists_its_cjk_font(agreement_pdf):
    assert has_configured_cjk_font(pdf_font_names(agreement_pdf))
