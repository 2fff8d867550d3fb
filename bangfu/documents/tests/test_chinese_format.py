from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bangfu.documents.domain.chinese_format import (
    chinese_numeral,
    format_date_cn,
    format_multiplier_cn,
    format_period_cn,
    format_yuan_cn,
    item_label,
    section_label,
)


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1, "一"),
        (4, "四"),
        (7, "七"),
        (10, "十"),
        (11, "十一"),
        (19, "十九"),
        (20, "二十"),
        (21, "二十一"),
        (22, "二十二"),
        (99, "九十九"),
    ],
)
def test_chinese_numeral_writes_numbers_as_in_official_documents(number, expected):
    assert chinese_numeral(number) == expected


@pytest.mark.parametrize("number", [0, -1, 100])
def test_chinese_numeral_refuses_numbers_outside_1_to_99(number):
    with pytest.raises(ValueError, match="编号"):
        chinese_numeral(number)


@given(st.integers(1, 99), st.integers(1, 99))
def test_chinese_numerals_of_different_numbers_differ(a, b):
    assert (chinese_numeral(a) == chinese_numeral(b)) == (a == b)


def test_item_and_section_labels_use_fullwidth_brackets_and_enumeration_comma():
    assert item_label(7) == "（七）"
    assert item_label(22) == "（二十二）"
    assert section_label(3) == "三、"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 3, 1), "2025年3月1日"),
        (date(2028, 2, 29), "2028年2月29日"),
        (date(2027, 12, 31), "2027年12月31日"),
    ],
)
def test_dates_are_written_in_full_chinese_form_without_zero_padding(day, expected):
    assert format_date_cn(day) == expected


def test_period_joins_start_and_end_with_zhi():
    assert format_period_cn(date(2025, 3, 1), date(2028, 2, 29)) == "2025年3月1日至2028年2月29日"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        # §六 / A2-四(三) values
        (Decimal("1000000"), "100万元"),
        (Decimal("200000"), "20万元"),
        (Decimal("2000"), "2000元"),
        (Decimal("1000"), "1000元"),
        (Decimal("600"), "600元"),
        # overrides and edge cases
        (Decimal("2000000"), "200万元"),
        (Decimal("1000000.00"), "100万元"),
        (Decimal("10000"), "1万元"),
        (Decimal("15000"), "15000元"),
        (Decimal("2500.50"), "2500.5元"),
        (Decimal("0"), "0元"),
        (Decimal("1E+6"), "100万元"),
    ],
)
def test_money_is_written_in_wan_only_when_a_whole_number_of_wan(amount, expected):
    assert format_yuan_cn(amount) == expected


def test_negative_money_is_refused():
    with pytest.raises(ValueError, match="金额"):
        format_yuan_cn(Decimal("-1"))


@given(st.integers(1, 10_000))
def test_whole_wan_amounts_read_back_to_the_same_yuan(wan):
    text = format_yuan_cn(Decimal(wan) * 10000)
    assert text == f"{wan}万元"


@given(st.integers(0, 10**9).filter(lambda n: n % 10000))
def test_other_whole_amounts_are_written_in_yuan_digits(yuan):
    assert format_yuan_cn(Decimal(yuan)) == f"{yuan}元"


@pytest.mark.parametrize(
    ("multiplier", "expected"),
    [
        (Decimal("1.5"), "1.5倍"),
        (Decimal("1.2"), "1.2倍"),
        (Decimal("1.50"), "1.5倍"),
        (Decimal("2"), "2倍"),
        (Decimal("2.0"), "2倍"),
        (Decimal("1.25"), "1.25倍"),
    ],
)
def test_multiplier_is_written_without_trailing_zeros(multiplier, expected):
    assert format_multiplier_cn(multiplier) == expected
