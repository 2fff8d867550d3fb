"""Masking of an expert's sensitive fields (F12; 个人信息保护法, ADR 0004).

Pay, identity numbers and phone numbers are shown in full only on one expert's detail page (and
the API detail) to the expert, the recipient hospital the expert serves and the province, and
each such view is audited; lists and exports show these masks to everyone. Budget cells that add
up the salary top-ups of fewer than `SMALL_CELL_MIN_PEOPLE` people are suppressed for readers who
may not see pay, since one top-up gives away one person's pay.
"""

from __future__ import annotations

from decimal import Decimal

PAY_MASK = "***"
ID_MASK_MIDDLE = "********"
PHONE_MASK_MIDDLE = "****"
SMALL_CELL_MIN_PEOPLE = 3
SMALL_CELL_TEXT = "<3人不公开"
# The audit action of one full view of an expert's sensitive fields.
SENSITIVE_VIEW_ACTION = "view_sensitive"


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


def mask_phone(phone: str) -> str:
    """Keep the first 3 and the last 4 digits of a longer number: "13912345678" → "139****5678";
    a number of 7 characters or fewer keeps only its last 2 ("0851-1234" style numbers included).
    """
    text = phone.strip()
    if not text:
        return ""
    if len(text) <= 7:
        return "*" * (len(text) - 2) + text[-2:] if len(text) > 2 else "*" * len(text)
    return f"{text[:3]}{PHONE_MASK_MIDDLE}{text[-4:]}"


def phone_display(phone: str, visible: bool) -> str:
    return phone if visible else mask_phone(phone)


def small_cell_hidden(people: int) -> bool:
    """A sum over 1 or 2 people's pay-derived amounts gives away a person's figure; a sum over
    nobody (0) or at least `SMALL_CELL_MIN_PEOPLE` people does not."""
    return 0 < people < SMALL_CELL_MIN_PEOPLE
