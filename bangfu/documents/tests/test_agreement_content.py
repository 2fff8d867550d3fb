from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bangfu.documents.domain.agreement import (
    DEFAULT_TITLE,
    AgreementDocumentError,
    AgreementMeasure,
    GuaranteeTerms,
    MeasureTarget,
    agreement_content,
    agreement_filename,
)
from bangfu.documents.domain.chinese_format import item_label

from .conftest import HOSPITAL_MANAGEMENT, SPECIALTY_ALLIANCE, TEAM_DEPLOYMENT, make_agreement


def test_title_defaults_to_the_a2_title():
    assert make_agreement().title == DEFAULT_TITLE == "帮扶协作框架协议"


def test_period_is_written_as_full_chinese_dates(agreement):
    assert agreement_content(agreement).period == "2025年3月1日至2028年2月29日"


def test_measures_follow_a1_order_and_are_numbered_consecutively(agreement):
    content = agreement_content(agreement)
    assert [m.label for m in content.measures] == ["（一）", "（二）", "（三）"]
    assert [m.opening.split("。")[0] for m in content.measures] == [
        TEAM_DEPLOYMENT.title,
        SPECIALTY_ALLIANCE.title,
        HOSPITAL_MANAGEMENT.title,
    ]


def test_measure_opening_is_title_sentence_then_full_text(agreement):
    first = agreement_content(agreement).measures[0]
    assert first.opening == f"{TEAM_DEPLOYMENT.title}。{TEAM_DEPLOYMENT.full_text}"


def test_full_text_that_repeats_the_title_prints_the_title_once():
    measure = AgreementMeasure(
        number=7, title="医院科学管理", full_text="医院科学管理。省外三甲医院指导帮助受扶县级医院。"
    )
    content = agreement_content(make_agreement(measures=(measure,)))
    assert content.measures[0].opening == "医院科学管理。省外三甲医院指导帮助受扶县级医院。"


def test_multi_paragraph_full_text_keeps_its_later_paragraphs():
    measure = AgreementMeasure(
        number=4, title="远程医疗协作", full_text="第一段。\n\n第二段。\n第三段。"
    )
    content = agreement_content(make_agreement(measures=(measure,)))
    assert content.measures[0].opening == "远程医疗协作。第一段。"
    assert content.measures[0].more_paragraphs == ("第二段。", "第三段。")


def test_targets_are_listed_after_mubiao_with_label_and_value(agreement):
    first = agreement_content(agreement).measures[0]
    assert first.targets_line == "目标：每批派驻专家：3-5人；常驻时间：1年以上。"


def test_measure_without_targets_prints_no_target_line():
    measure = replace(TEAM_DEPLOYMENT, targets=())
    assert agreement_content(make_agreement(measures=(measure,))).measures[0].targets_line == ""


def test_other_matters_item_comes_right_after_the_last_measure(agreement):
    content = agreement_content(agreement)
    assert content.other_matters_label == "（四）"
    assert content.other_matters_first == "甲方每年接收乙方进修人员不少于5名。"
    assert content.other_matters_more == ()


@pytest.mark.parametrize("other_matters", ["", "   ", "\n\n"])
def test_empty_other_matters_are_written_as_wu(other_matters):
    content = agreement_content(make_agreement(other_matters=other_matters))
    assert content.other_matters_first == "无"
    assert content.other_matters_more == ()


def test_agreement_with_no_measures_numbers_other_matters_first():
    assert agreement_content(make_agreement(measures=())).other_matters_label == "（一）"


@given(st.sets(st.integers(1, 21), max_size=21))
def test_other_matters_label_always_follows_the_chosen_measures(numbers):
    measures = tuple(
        AgreementMeasure(number=n, title=f"措施{n}", full_text="内容。") for n in numbers
    )
    content = agreement_content(make_agreement(measures=measures))
    labels = [m.label for m in content.measures]
    assert labels == [item_label(i) for i in range(1, len(numbers) + 1)]
    assert content.other_matters_label == item_label(len(numbers) + 1)
    assert [m.opening for m in content.measures] == [f"措施{n}。内容。" for n in sorted(numbers)]


def test_policy_guarantees_are_written_chinese_style(agreement):
    content = agreement_content(agreement)
    assert content.top_up_multiplier == "1.5倍"
    assert content.insurance_min_coverage == "100万元"
    assert content.work_fund_per_year == "20万元"
    assert content.settling_in_allowance == "2000元"
    assert content.monthly_subsidy_senior == "1000元"
    assert content.monthly_subsidy_associate == "600元"
    assert content.health_checks_per_year == "1"
    assert content.travel_round_trips_per_month == "1"
    assert content.vice_president_min_resident_years == "1"
    assert content.president_min_resident_years == "2"


def test_agreement_on_policy_values_has_no_deviation_reasons(agreement):
    assert agreement_content(agreement).reasons == ()


def test_overridden_guarantees_are_written_and_explained(overridden_agreement):
    content = agreement_content(overridden_agreement)
    assert content.top_up_multiplier == "1.2倍"
    assert content.insurance_min_coverage == "200万元"
    assert content.reasons == (
        "补足薪酬差额倍数：本协议约定1.2倍，§六参考值为1.5倍",
        "人身意外伤害保险最低保额：本协议约定200万元，§六参考值为100万元",
    )


def test_party_names_are_trimmed_and_xml_illegal_characters_dropped():
    content = agreement_content(
        make_agreement(party_a="  中山大学\x0b附属第一医院 \n", party_b="台江县\t人民医院")
    )
    assert content.party_a == "中山大学附属第一医院"
    assert content.party_b == "台江县 人民医院"


@pytest.mark.parametrize(
    ("overrides", "field_name"),
    [
        ({"party_a": ""}, "party_a"),
        ({"party_b": "  "}, "party_b"),
        ({"party_c": ""}, "party_c"),
        ({"title": ""}, "title"),
        ({"end": date(2025, 3, 1)}, "end"),
        ({"end": date(2024, 3, 1)}, "end"),
        ({"measures": (TEAM_DEPLOYMENT, TEAM_DEPLOYMENT)}, "measures"),
        ({"measures": (replace(TEAM_DEPLOYMENT, number=0),)}, "measures.number"),
        ({"measures": (replace(TEAM_DEPLOYMENT, title=" "),)}, "measures.title"),
        (
            {"measures": (replace(TEAM_DEPLOYMENT, targets=(MeasureTarget("人数", ""),)),)},
            "measures.targets",
        ),
    ],
)
def test_invalid_agreement_is_refused_naming_the_field(overrides, field_name):
    with pytest.raises(AgreementDocumentError, match=field_name.replace(".", r"\.")):
        make_agreement(**overrides)


@pytest.mark.parametrize(
    ("overrides", "field_name"),
    [
        ({"top_up_multiplier": Decimal("0.9")}, "top_up_multiplier"),
        ({"insurance_min_coverage": Decimal("-1")}, "insurance_min_coverage"),
        ({"work_fund_per_year": Decimal("-0.01")}, "work_fund_per_year"),
        ({"monthly_subsidy_associate": Decimal("-600")}, "monthly_subsidy_associate"),
        ({"health_checks_per_year": -1}, "health_checks_per_year"),
        ({"vice_president_min_resident_years": 0}, "vice_president_min_resident_years"),
        (
            {"vice_president_min_resident_years": 3, "president_min_resident_years": 2},
            "president_min_resident_years",
        ),
    ],
)
def test_impossible_guarantee_terms_are_refused_naming_the_field(overrides, field_name):
    with pytest.raises(AgreementDocumentError, match=field_name):
        GuaranteeTerms(**overrides)


def test_guarantee_terms_default_to_the_values_of_section_six():
    terms = GuaranteeTerms()
    assert terms.top_up_multiplier == Decimal("1.5")
    assert terms.insurance_min_coverage == Decimal("1000000")
    assert terms.work_fund_per_year == Decimal("200000")
    assert terms.settling_in_allowance == Decimal("2000")
    assert (terms.monthly_subsidy_senior, terms.monthly_subsidy_associate) == (
        Decimal("1000"),
        Decimal("600"),
    )
    assert (terms.vice_president_min_resident_years, terms.president_min_resident_years) == (1, 2)


def test_measures_given_as_a_list_are_stored_as_a_tuple():
    doc = make_agreement(measures=[TEAM_DEPLOYMENT])
    assert doc.measures == (TEAM_DEPLOYMENT,)
    assert hash(doc) == hash(make_agreement(measures=(TEAM_DEPLOYMENT,)))


@pytest.mark.parametrize(
    ("ext", "expected"),
    [
        ("docx", "帮扶协作框架协议_中山大学附属第一医院_台江县人民医院_2025.docx"),
        (".pdf", "帮扶协作框架协议_中山大学附属第一医院_台江县人民医院_2025.pdf"),
        ("PDF", "帮扶协作框架协议_中山大学附属第一医院_台江县人民医院_2025.pdf"),
    ],
)
def test_filename_names_title_parties_and_start_year(agreement, ext, expected):
    assert agreement_filename(agreement, ext) == expected


def test_filename_drops_characters_file_systems_refuse():
    doc = make_agreement(party_a='A/B\\C:D*E?F"G<H>I|J 医院', party_b="..台江 县\n人民医院")
    name = agreement_filename(doc, "docx")
    assert name == "帮扶协作框架协议_ABCDEFGHIJ医院_台江县人民医院_2025.docx"


def test_filename_caps_long_names():
    doc = make_agreement(party_a="院" * 200)
    assert agreement_filename(doc, "pdf") == f"帮扶协作框架协议_{'院' * 40}_台江县人民医院_2025.pdf"


@pytest.mark.parametrize("ext", ["doc", "html", ""])
def test_filename_refuses_other_extensions(agreement, ext):
    with pytest.raises(AgreementDocumentError, match="ext"):
        agreement_filename(agreement, ext)
