"""What text the platform accepts and how stored text is made safe to hand out.

One place for the character rules used by forms, API schemas and exports:
- control characters (C0 except tab/LF/CR, DEL, C1) and lone surrogates are refused on input —
  PostgreSQL rejects NUL, and openpyxl refuses to write control characters into a cell;
- text already stored is cleaned before it goes into a spreadsheet.
"""

from __future__ import annotations

import re

# C0 controls except \t \n \r, DEL, C1 controls, and UTF-16 surrogates (never valid alone).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def forbidden_characters(text: str) -> list[str]:
    """The refused characters in `text`, each shown as U+XXXX, in order of first appearance."""
    seen: list[str] = []
    for match in _FORBIDDEN.finditer(text):
        code = f"U+{ord(match.group()):04X}"
        if code not in seen:
            seen.append(code)
    return seen


def forbidden_characters_message(text: str) -> str | None:
    """A Chinese message naming the refused characters, or None when the text is acceptable."""
    found = forbidden_characters(text)
    if not found:
        return None
    return f"含有不允许的控制字符（{'、'.join(found)}），请删除后重试"


def without_forbidden_characters(text: str) -> str:
    """`text` with every refused character removed (for stored text on its way out)."""
    return _FORBIDDEN.sub("", text)
