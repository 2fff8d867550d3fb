"""The three-party framework agreement of Annex 2 (附件2 帮扶协作框架协议参考模版), filled in.

`AgreementDocument` is what the rest of the platform hands over: the parties, the
period, the chosen measures with their targets, and the guarantee terms of §六 /
A2-四(三) as agreed for this agreement. `agreement_content` decides everything the
.docx and the PDF print that is not fixed wording: the Chinese forms of dates and
amounts, the consecutive item numbering, "无" for empty other matters. Both
renderers print only `AgreementContent`, so the two files cannot disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from bangfu.documents.domain.chinese_format import (
    format_multiplier_cn,
    format_period_cn,
    format_yuan_cn,
    item_label,
)

DEFAULT_TITLE = "帮扶协作框架协议"
NO_OTHER_MATTERS = "无"

# XML 1.0 forbids these code points; text pasted from other programs sometimes carries them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_WHITESPACE_RUN = re.compile(r"\s+")
_FILENAME_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_FILENAME_PART_MAX = 40
_FILENAME_EXTENSIONS = frozenset({"docx", "pdf"})


class AgreementDocumentError(ValueError):
    """An agreement cannot be written as given; the message names the field in Chinese."""


class MeasureTarget(NamedTuple):
    """One target agreed for a measure, e.g. ("每年完善制度规范", "不少于10项") (A1-(7))."""

    label: str
    value: str


@dataclass(frozen=True, kw_only=True)
class AgreementMeasure:
    """A measure chosen from the 21 of Annex 1, with the targets the parties agreed.

    `number` is the measure's number in A1 (1–21); `title` is its heading sentence
    ("“组团”派驻医疗专家驻点帮扶1年以上") and `full_text` the text that follows it.
    A `full_text` that already starts with the title is printed once, not twice.
    """

    number: int
    title: str
    full_text: str
    targets: tuple[MeasureTarget, ...] = ()


@dataclass(frozen=True, kw_only=True)
class GuaranteeTerms:
    """The service guarantees of A2-四(三) items 1–7, defaulting to the values of §六.

    Each value is what this agreement promises; an agreement may set its own within
    the policy's bounds (the incentives app decides those bounds, not this module).
    """

    vice_president_min_resident_years: int = 1
    president_min_resident_years: int = 2
    top_up_min_resident_years: int = 1
    top_up_multiplier: Decimal = Decimal("1.5")
    health_checks_per_year: int = 1
    insurance_min_coverage: Decimal = Decimal("1000000")
    travel_round_trips_per_month: int = 1
    work_fund_per_year: Decimal = Decimal("200000")
    settling_in_allowance: Decimal = Decimal("2000")
    monthly_subsidy_senior: Decimal = Decimal("1000")
    monthly_subsidy_associate: Decimal = Decimal("600")
    tourism_card: bool = True  # item 7: 援黔专家旅游优惠证 (§五; §六)

    def __post_init__(self) -> None:
        problems = guarantee_terms_problems(self)
        if problems:
            raise AgreementDocumentError("；".join(problems))


@dataclass(frozen=True, kw_only=True)
class AgreementDocument:
    """Everything the A2 agreement prints for one helper–recipient–county agreement.

    party_a 甲方 is the helper hospital, party_b 乙方 the recipient hospital and
    party_c 丙方 the county government ("<county>人民政府"), as in A2's heading.
    Invalid input raises `AgreementDocumentError` naming the field.
    """

    party_a: str
    party_b: str
    party_c: str
    start: date
    end: date
    measures: tuple[AgreementMeasure, ...] = ()
    other_matters: str = ""
    guarantees: GuaranteeTerms = field(default_factory=GuaranteeTerms)
    agreement_number: str = ""
    title: str = DEFAULT_TITLE

    def __post_init__(self) -> None:
        # Callers may pass lists; keep the value immutable and hashable.
        object.__setattr__(self, "measures", tuple(self.measures))
        problems = agreement_document_problems(self)
        if problems:
            raise AgreementDocumentError("；".join(problems))


@dataclass(frozen=True, kw_only=True)
class MeasureContent:
    """One chosen measure as printed: "（一）<title>。<text>", more paragraphs, "目标：…"."""

    label: str
    opening: str
    more_paragraphs: tuple[str, ...]
    targets_line: str


@dataclass(frozen=True, kw_only=True)
class AgreementContent:
    """The variable text of the agreement, ready to drop into the fixed A2 wording.

    Field names are the placeholders of the Word template and the HTML template.
    `reasons` lists where this agreement's guarantees differ from §六, for reviewers.
    """

    title: str
    agreement_number: str
    party_a: str
    party_b: str
    party_c: str
    period: str
    measures: tuple[MeasureContent, ...]
    other_matters_label: str
    other_matters_first: str
    other_matters_more: tuple[str, ...]
    vice_president_min_resident_years: str
    president_min_resident_years: str
    top_up_min_resident_years: str
    top_up_multiplier: str
    health_checks_per_year: str
    insurance_min_coverage: str
    travel_round_trips_per_month: str
    work_fund_per_year: str
    settling_in_allowance: str
    monthly_subsidy_senior: str
    monthly_subsidy_associate: str
    tourism_card_item: str
    reasons: tuple[str, ...]


def guarantee_terms_problems(terms: GuaranteeTerms) -> list[str]:
    """List what makes guarantee terms impossible to promise (§六, A2-四(三)).

    Residence thresholds are whole years of at least 1, and the president threshold
    is not below the vice-president one (§六: 1 year → vice-president, 2 → president).
    The top-up multiplier is at least 1 (it tops the pay *up*). Sums of money and
    counts are not negative.
    """
    problems: list[str] = []
    for name, label in (
        ("vice_president_min_resident_years", "挂任副院长所需常驻年限"),
        ("president_min_resident_years", "担任院长所需常驻年限"),
        ("top_up_min_resident_years", "补足薪酬差额所需常驻年限"),
    ):
        if getattr(terms, name) < 1:
            problems.append(f"{label}（{name}）不能少于1年")
    if terms.president_min_resident_years < terms.vice_president_min_resident_years:
        problems.append(
            "担任院长所需常驻年限（president_min_resident_years）不能少于挂任副院长所需常驻年限"
        )
    if terms.top_up_multiplier < 1:
        problems.append("补足薪酬差额倍数（top_up_multiplier）不能小于1")
    for name, label in (
        ("insurance_min_coverage", "人身意外伤害保险最低保额"),
        ("work_fund_per_year", "每年工作经费"),
        ("settling_in_allowance", "一次性生活必需品费用"),
        ("monthly_subsidy_senior", "正高职称或博士研究生每月补贴"),
        ("monthly_subsidy_associate", "副高职称或硕士研究生每月补贴"),
        ("health_checks_per_year", "每年健康体检次数"),
        ("travel_round_trips_per_month", "每月报销往返交通次数"),
    ):
        if getattr(terms, name) < 0:
            problems.append(f"{label}（{name}）不能为负数")
    return problems


def agreement_document_problems(doc: AgreementDocument) -> list[str]:
    """List what makes an agreement impossible to write (A2).

    A2 names three parties, so each must be given; the period runs forward (A2-一);
    each A1 measure appears once, numbered 1 or more; a target has a label and a value.
    """
    problems: list[str] = []
    for name, label in (
        ("title", "协议标题"),
        ("party_a", "甲方（帮扶医院）"),
        ("party_b", "乙方（受扶医院）"),
        ("party_c", "丙方（县人民政府）"),
    ):
        if not _one_line(getattr(doc, name)):
            problems.append(f"{label}（{name}）不能为空")
    if doc.end <= doc.start:
        problems.append("协议期限的结束日期（end）必须晚于开始日期（start）")
    seen: set[int] = set()
    for measure in doc.measures:
        if measure.number < 1:
            problems.append(f"帮扶措施编号（measures.number）必须为正整数，实际为{measure.number}")
        if measure.number in seen:
            problems.append(f"帮扶措施（measures）第{measure.number}项重复")
        seen.add(measure.number)
        if not _one_line(measure.title):
            problems.append(f"帮扶措施第{measure.number}项的标题（measures.title）不能为空")
        for target in measure.targets:
            if not _one_line(target.label) or not _one_line(target.value):
                problems.append(
                    f"帮扶措施第{measure.number}项的目标（measures.targets）须同时填写名称和数值"
                )
    return problems


def agreement_content(doc: AgreementDocument) -> AgreementContent:
    """Fill A2's blanks for one agreement (A2; guarantee values from A2-四(三) / §六).

    - Period as full Chinese dates: "2025年3月1日至2028年2月29日" (A2-一).
    - Chosen measures in A1 order, numbered consecutively （一）（二）…, each with its
      targets as "目标：名称：数值；…。"; the last item, （N）其他参考目录外双方约定事宜,
      carries the other matters or "无" (A2-二).
    - Guarantee values written Chinese-style: "1.5倍", "100万元", "2000元" (A2-四(三)).
    """
    measures = tuple(
        _measure_content(position, measure)
        for position, measure in enumerate(sorted(doc.measures, key=lambda m: m.number), start=1)
    )
    other_paragraphs = _paragraphs(doc.other_matters) or (NO_OTHER_MATTERS,)
    terms = doc.guarantees
    return AgreementContent(
        title=_one_line(doc.title),
        agreement_number=_one_line(doc.agreement_number),
        party_a=_one_line(doc.party_a),
        party_b=_one_line(doc.party_b),
        party_c=_one_line(doc.party_c),
        period=format_period_cn(doc.start, doc.end),
        measures=measures,
        other_matters_label=item_label(len(measures) + 1),
        other_matters_first=other_paragraphs[0],
        other_matters_more=other_paragraphs[1:],
        vice_president_min_resident_years=str(terms.vice_president_min_resident_years),
        president_min_resident_years=str(terms.president_min_resident_years),
        top_up_min_resident_years=str(terms.top_up_min_resident_years),
        top_up_multiplier=format_multiplier_cn(terms.top_up_multiplier),
        health_checks_per_year=str(terms.health_checks_per_year),
        insurance_min_coverage=format_yuan_cn(terms.insurance_min_coverage),
        travel_round_trips_per_month=str(terms.travel_round_trips_per_month),
        work_fund_per_year=format_yuan_cn(terms.work_fund_per_year),
        settling_in_allowance=format_yuan_cn(terms.settling_in_allowance),
        monthly_subsidy_senior=format_yuan_cn(terms.monthly_subsidy_senior),
        monthly_subsidy_associate=format_yuan_cn(terms.monthly_subsidy_associate),
        tourism_card_item=TOURISM_CARD_ITEM if terms.tourism_card else NO_TOURISM_CARD_ITEM,
        reasons=guarantee_deviations(terms),
    )


TOURISM_CARD_ITEM = "7.为来黔协作专家和驻点专家办理援黔专家旅游优惠证。"
NO_TOURISM_CARD_ITEM = "7.经三方协商，本协议不约定为来黔协作专家和驻点专家办理援黔专家旅游优惠证。"
"""A2-四(三)7 as printed: the policy's wording, or what the parties agreed instead."""

POLICY_GUARANTEES = GuaranteeTerms()
"""The reference values of §六, against which an agreement's own terms are compared."""


_GUARANTEE_LABELS: tuple[tuple[str, str], ...] = (
    ("vice_president_min_resident_years", "挂任副院长所需常驻年限"),
    ("president_min_resident_years", "担任院长所需常驻年限"),
    ("top_up_min_resident_years", "补足薪酬差额所需常驻年限"),
    ("top_up_multiplier", "补足薪酬差额倍数"),
    ("health_checks_per_year", "每年健康体检次数"),
    ("insurance_min_coverage", "人身意外伤害保险最低保额"),
    ("travel_round_trips_per_month", "每月报销往返交通次数"),
    ("work_fund_per_year", "每年工作经费"),
    ("settling_in_allowance", "一次性生活必需品费用"),
    ("monthly_subsidy_senior", "正高职称或博士研究生每月补贴"),
    ("monthly_subsidy_associate", "副高职称或硕士研究生每月补贴"),
)


def guarantee_deviations(terms: GuaranteeTerms) -> tuple[str, ...]:
    """Say, term by term, where an agreement departs from the reference values of §六.

    §六 asks that incentives be agreed in the agreement itself; these lines let a
    reviewer see at a glance what was agreed differently. Same values → no lines.
    """
    lines: list[str] = []
    for name, label in _GUARANTEE_LABELS:
        agreed = getattr(terms, name)
        reference = getattr(POLICY_GUARANTEES, name)
        if agreed != reference:
            lines.append(
                f"{label}：本协议约定{_describe(name, agreed)}，§六参考值为{_describe(name, reference)}"
            )
    if terms.tourism_card != POLICY_GUARANTEES.tourism_card:
        agreed_text = "办理" if terms.tourism_card else "不办理"
        reference_text = "办理" if POLICY_GUARANTEES.tourism_card else "不办理"
        lines.append(
            f"援黔专家旅游优惠证：本协议约定{agreed_text}，§六参考为{reference_text}（A2-四(三)7）"
        )
    return tuple(lines)


def agreement_filename(doc: AgreementDocument, ext: str) -> str:
    """Name the file for download: "帮扶协作框架协议_<甲方>_<乙方>_2025.docx".

    Characters that Windows, macOS or Linux refuse in file names and all whitespace
    are removed; each part is capped at 40 characters; the year is the start year.
    """
    extension = ext.lower().lstrip(".")
    if extension not in _FILENAME_EXTENSIONS:
        raise AgreementDocumentError(f"文件类型（ext）只能是 docx 或 pdf，实际为“{ext}”")
    parts = [_filename_part(doc.title), _filename_part(doc.party_a), _filename_part(doc.party_b)]
    stem = "_".join(part for part in parts if part)
    return f"{stem}_{doc.start.year}.{extension}"


def _filename_part(text: str) -> str:
    cleaned = _WHITESPACE_RUN.sub("", _FILENAME_UNSAFE.sub("", text)).strip(".")
    return cleaned[:_FILENAME_PART_MAX]


def _describe(name: str, value: object) -> str:
    if isinstance(value, Decimal):
        if name == "top_up_multiplier":
            return format_multiplier_cn(value)
        return format_yuan_cn(value)
    if name.endswith("_years"):
        return f"{value}年"
    return f"{value}次"


def _measure_content(position: int, measure: AgreementMeasure) -> MeasureContent:
    title = _one_line(measure.title)
    paragraphs = _paragraphs(measure.full_text)
    if paragraphs and paragraphs[0].startswith(title):
        # The full text already opens with the title sentence; print it once.
        opening = paragraphs[0]
        paragraphs = paragraphs[1:]
    else:
        opening = _sentence(title) + (paragraphs[0] if paragraphs else "")
        paragraphs = paragraphs[1:]
    return MeasureContent(
        label=item_label(position),
        opening=opening,
        more_paragraphs=paragraphs,
        targets_line=_targets_line(measure.targets),
    )


def _targets_line(targets: tuple[MeasureTarget, ...]) -> str:
    if not targets:
        return ""
    listed = "；".join(f"{_one_line(t.label)}：{_one_line(t.value)}" for t in targets)
    return f"目标：{listed}。"


def _sentence(text: str) -> str:
    """End a heading sentence with a full stop unless it already ends with punctuation."""
    return text if text.endswith(("。", "！", "？", "；", ".")) else text + "。"


def _one_line(text: str) -> str:
    return _WHITESPACE_RUN.sub(" ", _XML_ILLEGAL.sub("", text)).strip()


def _paragraphs(text: str) -> tuple[str, ...]:
    lines = (_one_line(line) for line in _XML_ILLEGAL.sub("", text).splitlines())
    return tuple(line for line in lines if line)
