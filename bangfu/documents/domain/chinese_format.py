"""How numbers, money and dates are written in Chinese official documents.

The A2 agreement template (附件2) writes its values the way Chinese official documents
do: "2025年3月1日", "1.5倍", "100万元", "2000元", and numbers its items "（一）（二）…".
These functions produce exactly those forms so that the .docx and the PDF agree.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

_DIGITS = "零一二三四五六七八九"
_TEN_THOUSAND = Decimal(10000)


def chinese_numeral(number: int) -> str:
    """Write 1–99 as a Chinese numeral: 1 → 一, 10 → 十, 12 → 十二, 21 → 二十一.

    Item numbers in the A2 template are written this way (（一）…（七）, A2-二). A
    framework agreement holds at most the 21 measures of A1 plus the final item, so
    99 is a generous bound.
    """
    if not 1 <= number <= 99:
        raise ValueError(f"编号必须在1至99之间，实际为{number}")
    tens, units = divmod(number, 10)
    if tens == 0:
        return _DIGITS[units]
    tens_part = "十" if tens == 1 else _DIGITS[tens] + "十"
    return tens_part + (_DIGITS[units] if units else "")


def item_label(number: int) -> str:
    """Label a second-level item the way A2 does: 1 → （一）, 8 → （八）."""
    return f"（{chinese_numeral(number)}）"


def section_label(number: int) -> str:
    """Label a top-level section the way A2 does: 1 → 一、, 4 → 四、."""
    return f"{chinese_numeral(number)}、"


def format_date_cn(day: date) -> str:
    """Write a date in full Chinese form without zero padding: 2025-03-01 → 2025年3月1日."""
    return f"{day.year}年{day.month}月{day.day}日"


def format_period_cn(start: date, end: date) -> str:
    """Write an agreement period (A2-一): "2025年3月1日至2028年2月29日"."""
    return f"{format_date_cn(start)}至{format_date_cn(end)}"


def _plain(amount: Decimal) -> str:
    """Write a Decimal without exponent and without trailing fractional zeros."""
    if amount == amount.to_integral_value():
        return str(amount.quantize(Decimal(1)))
    return format(amount.normalize(), "f")


def format_yuan_cn(amount: Decimal) -> str:
    """Write a sum of money the way §六 and A2-四(三) do.

    Whole multiples of ten thousand yuan are written in 万: 1000000 → "100万元",
    200000 → "20万元". Anything else is written in yuan: 2000 → "2000元",
    600 → "600元", 2500.50 → "2500.5元". Money is never a float.
    """
    if amount < 0:
        raise ValueError(f"金额不能为负数，实际为{amount}")
    if amount != 0 and amount % _TEN_THOUSAND == 0:
        return f"{_plain(amount / _TEN_THOUSAND)}万元"
    return f"{_plain(amount)}元"


def format_multiplier_cn(multiplier: Decimal) -> str:
    """Write a multiplier as in §六's salary top-up: 1.5 → "1.5倍", 1.20 → "1.2倍", 2 → "2倍"."""
    return f"{_plain(multiplier)}倍"
