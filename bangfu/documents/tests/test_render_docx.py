from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from bangfu.documents.build_docx_template import build_agreement_template
from bangfu.documents.render import (
    DOCX_TEMPLATE_PATH,
    AgreementRenderError,
    docx_template_unknown_placeholders,
    render_agreement_docx,
)

from .conftest import (
    AGREEMENT_STRINGS,
    SECTION_HEADINGS,
    docx_paragraphs,
    make_agreement,
    squash,
)

_SECTION = re.compile(r"^[一二三四五六七八九十]+、")


def test_docx_is_a_word_document_with_the_agreement_title(agreement_docx):
    paragraphs = docx_paragraphs(agreement_docx)
    assert "帮扶协作框架协议" in paragraphs
    assert docx.Document(io.BytesIO(agreement_docx)).core_properties.title == "帮扶协作框架协议"


@pytest.mark.parametrize("expected", AGREEMENT_STRINGS)
def test_docx_says_what_the_agreement_agreed(agreement_docx, expected):
    assert squash(expected) in squash("\n".join(docx_paragraphs(agreement_docx)))


def test_docx_sections_run_one_to_four_without_the_template_jump(agreement_docx):
    headings = [p for p in docx_paragraphs(agreement_docx) if _SECTION.match(p)]
    assert headings == list(SECTION_HEADINGS)
    assert not any(p.startswith("五、") for p in docx_paragraphs(agreement_docx))


def test_docx_has_a_signature_block_for_each_party(agreement_docx):
    paragraphs = docx_paragraphs(agreement_docx)
    for party in ("甲方（盖章）：", "乙方（盖章）：", "丙方（县人民政府）（盖章）："):
        start = next(i for i, p in enumerate(paragraphs) if p.startswith(party))
        assert paragraphs[start + 1] == "法定代表人或授权代表（签字）："
        assert squash(paragraphs[start + 2]) == "日期：年月日"


def test_docx_keeps_no_template_tags(agreement_docx):
    text = "\n".join(docx_paragraphs(agreement_docx))
    assert "{{" not in text
    assert "{%" not in text


def test_docx_with_overridden_terms_shows_new_values_not_policy_defaults(overridden_docx):
    text = squash("\n".join(docx_paragraphs(overridden_docx)))
    assert "（含绩效工资）1.2倍补足差额" in text
    assert "不低于200万元保额" in text
    assert "1.5倍" not in text
    assert "100万元" not in text


def test_docx_without_number_or_other_matters_omits_number_and_writes_wu():
    data = render_agreement_docx(make_agreement(agreement_number="", other_matters=""))
    paragraphs = docx_paragraphs(data)
    assert not any(p.startswith("协议编号") for p in paragraphs)
    assert "（四）其他参考目录外双方约定事宜。无" in paragraphs


def test_docx_escapes_markup_characters_in_names():
    data = render_agreement_docx(make_agreement(party_a="A&B<医院>", other_matters="甲\n乙"))
    paragraphs = docx_paragraphs(data)
    assert "甲方：A&B<医院>" in paragraphs
    assert "（四）其他参考目录外双方约定事宜。甲" in paragraphs
    assert "乙" in paragraphs


def test_committed_template_is_what_the_build_script_writes():
    assert DOCX_TEMPLATE_PATH.read_bytes() == build_agreement_template()


def test_build_script_writes_the_template_and_exits_zero(tmp_path):
    output = tmp_path / "agreement_a2.docx"
    result = subprocess.run(
        [sys.executable, "-m", "bangfu.documents.build_docx_template", "--output", str(output)],
        capture_output=True,
        check=False,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert result.returncode == 0, result.stderr.decode()
    assert output.read_bytes() == DOCX_TEMPLATE_PATH.read_bytes()


def test_committed_template_uses_only_known_placeholders():
    assert docx_template_unknown_placeholders(DOCX_TEMPLATE_PATH) == set()


def _template_with(tmp_path: Path, extra_line: str) -> Path:
    document = docx.Document(io.BytesIO(build_agreement_template()))
    first = document.paragraphs[0]
    first.insert_paragraph_before(extra_line)
    path = tmp_path / "edited.docx"
    document.save(str(path))
    return path


def test_clerk_edited_template_is_used_for_rendering(tmp_path, agreement):
    template = _template_with(tmp_path, "贵州省卫生健康委员会 {{ party_c }}")
    assert docx_template_unknown_placeholders(template) == set()
    paragraphs = docx_paragraphs(render_agreement_docx(agreement, template=template))
    assert paragraphs[0] == "贵州省卫生健康委员会 台江县人民政府"


def test_template_with_unknown_placeholder_is_refused_not_left_blank(tmp_path, agreement):
    template = _template_with(tmp_path, "{{ party_x }}")
    assert docx_template_unknown_placeholders(template) == {"party_x"}
    with pytest.raises(AgreementRenderError, match="Word 模板有误"):
        render_agreement_docx(agreement, template=template)
