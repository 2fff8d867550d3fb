"""Resident identity numbers (居民身份证号码, GB 11643-1999)."""

from __future__ import annotations

import re

_PATTERN = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


def id_number_check_char(first_17: str) -> str:
    """The check character of GB 11643-1999 for the first 17 digits (ISO 7064 MOD 11-2)."""
    total = sum(int(d) * w for d, w in zip(first_17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def id_number_problem(id_number: str) -> str | None:
    """Why an 18-character identity number is invalid (Chinese), or None when it is valid.

    17 digits then a digit or X, whose last character is the GB 11643-1999 check character.
    """
    text = id_number.strip().upper()
    if not _PATTERN.match(text):
        return "身份证号应为18位：17位数字加1位数字或X"
    if id_number_check_char(text[:17]) != text[17]:
        return "身份证号校验位不正确"
    return None
