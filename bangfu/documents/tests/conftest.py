"""Agreements used across the documents tests, taken from the policy's own examples."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import docx
import pytest
from pypdf import PdfReader

from bangfu.documents.domain.agreement import (
    AgreementDocument,
    AgreementMeasure,
    GuaranteeTerms,
    MeasureTarget,
)
from bangfu.documents.render import render_agreement_docx, render_agreement_pdf

# A1-(1), A1-(3), A1-(7), verbatim.
TEAM_DEPLOYMENT = AgreementMeasure(
    number=1,
    title="“组团”派驻医疗专家驻点帮扶1年以上",
    full_text=(
        "积极协商省外三甲医院组团派驻3-5人医疗专家（1人任队长）到省内受扶县级医院驻点帮扶。"
        "对派驻人员常驻1年以上、具备公立医院领导人员任职资格和条件的可挂任受扶医院副院长，"
        "常驻2年以上的可任受扶医院院长。"
    ),
    targets=(MeasureTarget("每批派驻专家", "3-5人"), MeasureTarget("常驻时间", "1年以上")),
)
SPECIALTY_ALLIANCE = AgreementMeasure(
    number=3,
    title="专科联盟",
    full_text=(
        "省外三甲医院优势专科与省内受扶县级医院对口科室建立专科联盟关系，"
        "通过派驻指导、接收人员进修等方式，每年帮助提升1个临床专科能力。"
    ),
    targets=(MeasureTarget("每年提升临床专科能力", "1个"),),
)
HOSPITAL_MANAGEMENT = AgreementMeasure(
    number=7,
    title="医院科学管理",
    full_text=(
        "省外三甲医院指导帮助受扶县级医院优化管理架构，完善规章制度，"
        "健全绩效评价与薪酬分配体系。省内受扶县级医院每年力争完善制度规范不少于10项。"
    ),
    targets=(MeasureTarget("每年完善制度规范", "不少于10项"),),
)


def make_agreement(**overrides: object) -> AgreementDocument:
    values: dict[str, object] = {
        "party_a": "中山大学附属第一医院",
        "party_b": "台江县人民医院",
        "party_c": "台江县人民政府",
        "start": date(2025, 3, 1),
        "end": date(2028, 2, 29),
        # Deliberately out of A1 order: the document sorts them.
        "measures": (HOSPITAL_MANAGEMENT, TEAM_DEPLOYMENT, SPECIALTY_ALLIANCE),
        "other_matters": "甲方每年接收乙方进修人员不少于5名。",
        "agreement_number": "黔卫协〔2025〕12号",
    }
    values.update(overrides)
    return AgreementDocument(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def agreement() -> AgreementDocument:
    return make_agreement()


@pytest.fixture(scope="session")
def overridden_agreement(agreement: AgreementDocument) -> AgreementDocument:
    return replace(
        agreement,
        guarantees=GuaranteeTerms(
            top_up_multiplier=Decimal("1.2"), insurance_min_coverage=Decimal("2000000")
        ),
    )


# Reading the rendered files back --------------------------------------------------------

_PAGE_FOOTER = re.compile(r"—\d+—")


def squash(text: str) -> str:
    """Drop all whitespace: pypdf splits CJK lines where the PDF wrapped them."""
    return "".join(text.split())


def docx_paragraphs(data: bytes) -> list[str]:
    """Every paragraph of a .docx body and its tables, in order."""
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                texts.extend(p.text for p in cell.paragraphs)
    return texts


def pdf_text(data: bytes) -> str:
    """All page text of a PDF, whitespace and page-number footers removed."""
    pages = PdfReader(io.BytesIO(data)).pages
    return _PAGE_FOOTER.sub("", squash("".join(page.extract_text() for page in pages)))


@pytest.fixture(scope="session")
def agreement_docx(agreement: AgreementDocument) -> bytes:
    return render_agreement_docx(agreement)


@pytest.fixture(scope="session")
def overridden_docx(overridden_agreement: AgreementDocument) -> bytes:
    return render_agreement_docx(overridden_agreement)


@pytest.fixture(scope="session")
def agreement_pdf(agreement: AgreementDocument) -> bytes:
    return render_agreement_pdf(agreement)


@pytest.fixture(scope="session")
def overridden_pdf(overridden_agreement: AgreementDocument) -> bytes:
    return render_agreement_pdf(overridden_agreement)


# What the default agreement must say, in both formats (A2 filled in, values of §六).
GUARANTEE_STRINGS = (
    "薪酬水平（含绩效工资）1.5倍补足差额部分予以保障",
    "不低于100万元保额的人身意外伤害保险",
    "每年按照20万元标准统筹安排工作经费",
    "按每人2000元标准一次性报销",
    "每月补贴1000元、600元",
    "开展1次健康体检",
    "每月据实报销1次往返两地交通费",
    "常驻1年以上、具备公立医院领导人员任职资格和条件的可任受扶医院副院长",
    "常驻2年以上的可任受扶医院院长",
    "为来黔协作专家和驻点专家办理援黔专家旅游优惠证",
)
AGREEMENT_STRINGS = (
    "协议编号：黔卫协〔2025〕12号",
    "甲方：中山大学附属第一医院",
    "乙方：台江县人民医院",
    "丙方（县人民政府）：台江县人民政府",
    "经双方友好协商，达成如下框架协议。",
    "2025年3月1日至2028年2月29日",
    "按照“乙方所需、甲方所能”的原则",
    f"（一）{TEAM_DEPLOYMENT.title}。{TEAM_DEPLOYMENT.full_text}",
    "目标：每批派驻专家：3-5人；常驻时间：1年以上。",
    f"（二）{SPECIALTY_ALLIANCE.title}。{SPECIALTY_ALLIANCE.full_text}",
    "目标：每年提升临床专科能力：1个。",
    f"（三）{HOSPITAL_MANAGEMENT.title}。{HOSPITAL_MANAGEMENT.full_text}",
    "目标：每年完善制度规范：不少于10项。",
    "（四）其他参考目录外双方约定事宜。甲方每年接收乙方进修人员不少于5名。",
    *GUARANTEE_STRINGS,
    "本协议一式三份，由甲乙丙三方各执一份，电子版分别报省、市、县卫生健康部门备案。",
    "甲方（盖章）：中山大学附属第一医院",
    "乙方（盖章）：台江县人民医院",
    "丙方（县人民政府）（盖章）：台江县人民政府",
)
SECTION_HEADINGS = ("一、协议期限", "二、协作主要内容", "三、保障措施", "四、其他事项")
