"""Pure rules: masking of pay and identity numbers, identity-number check (F12)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bangfu.people.domain.identity import id_number_check_char, id_number_problem
from bangfu.people.domain.privacy import (
    id_number_display,
    mask_id_number,
    mask_pay,
    pay_display,
)


@pytest.mark.parametrize(
    ("id_number", "masked"),
    [
        ("520526198001011238", "5205********1238"),
        ("44011319750615002X", "4401********002X"),
        ("12345678", "********"),
        ("", ""),
    ],
)
def test_identity_number_keeps_only_first_and_last_four(id_number, masked):
    assert mask_id_number(id_number) == masked


@given(st.text(alphabet="0123456789X", min_size=9, max_size=18))
def test_masked_identity_number_has_fixed_width_and_hides_the_middle(id_number):
    masked = mask_id_number(id_number)
    assert len(masked) == 16
    assert masked[4:12] == "********"
    assert masked[:4] == id_number[:4] and masked[-4:] == id_number[-4:]


def test_pay_is_shown_to_the_entitled_and_masked_for_the_rest():
    assert pay_display(Decimal("300000"), True) == "300000.00"
    assert pay_display(Decimal("300000"), False) == "***"
    assert mask_pay(None) == ""
    assert id_number_display("520526198001011238", False) == "5205********1238"
    assert id_number_display("520526198001011238", True) == "520526198001011238"


@pytest.mark.parametrize(
    ("id_number", "problem"),
    [
        ("520526198001011238", None),
        ("44011319750615018x", None),
        ("520526198001011239", "身份证号校验位不正确"),
        ("5205261980010112", "身份证号应为18位：17位数字加1位数字或X"),
        ("52052619800101123A", "身份证号应为18位：17位数字加1位数字或X"),
    ],
)
def test_identity_number_check(id_number, problem):
    assert id_number_problem(id_number) == problem


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_every_17_digits_complete_to_a_valid_number(body):
    assert id_number_problem(body + id_number_check_char(body)) is None
