"""Masking of an expert's sensitive fields (F12).

Pay and identity numbers are shown in full only to the expert, the recipient hospital the expert
serves and the province; everywhere else (pages, exports, API) they are replaced by these masks.
"""

from __future__ import annotations

from decimal import Decimal

PAY_MASK = "***"
ID_MASK_MIDDLE = "********"


def mask_pay(pay: Decimal | None) -> str:
    """Pay is never shown in part: any amount becomes "***" (an empty value stays empty)."""
    return "" if pay is None else PAY_MASK


def mask_id_number(id_number: str) -> str:
    """Keep the first 4 characters (province and city) and the last 4, mask the rest.

    The mask has a fixed width so it does not reveal the length: "520526199001011234" →
    "5205********1234". Numbers of 8 characters or fewer are masked entirely.
    """
    text = id_number.strip()
    if not text:
        return ""
    if len(text) <= 8:
        return "*" * len(text)
    return f"{text[:4]}{ID_MASK_MIDDLE}{text[-4:]}"


def pay_display(pay: Decimal, visible: bool) -> str:
    """Two-place yuan text when visible, else the mask."""
    return format(pay.quantize(Decimal("0.01")), "f") if visible else mask_pay(pay)


def id_number_display(id_number: str, visible: bool) -> str:
    return id_number if visible else mask_id_number(id_number)
