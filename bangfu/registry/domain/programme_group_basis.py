"""How a county's programme-group basis reads to people.

The registry file records the basis of each guessed group as a short provenance note for
maintainers ("guess: 县/自治县"). Pages show it in Chinese: 推测 plus what the guess rests on
(§一 lists the programme as 县（市、特区）, with no list of the 70 counties); a basis typed by the
province office when it verifies a group is shown as typed.
"""

from __future__ import annotations

GUESS_PREFIX = "guess:"

GUESS_NOTES: dict[str, str] = {
    "县/自治县": "县或自治县，属“县（市、特区）”中的“县”",
    "市辖区 (urban district of a prefecture city)": "市辖区（地级市的城区）",
    "non-seat 县级市 (the 市 in 县（市、特区）)": "非州府驻地的县级市，属“县（市、特区）”中的“市”",
    "州府驻地 county-level city hosting the 州人民医院": "州府驻地的县级市（州人民医院所在地）",
    "特区 named in program title": "特区，项目名称“县（市、特区）”中列明",
    "former 水城县 (district since 2020)": "原水城县（2020年改设为区）",
}


def programme_group_basis_text(basis: str) -> str:
    """The basis in Chinese: "推测：<reason>" for a guess from the registry file (a guess not
    in `GUESS_NOTES` reads "推测（依据待核实）"), the text itself otherwise, "—" when empty."""
    basis = basis.strip()
    if not basis:
        return "—"
    if not basis.startswith(GUESS_PREFIX):
        return basis
    note = GUESS_NOTES.get(basis[len(GUESS_PREFIX) :].strip())
    return f"推测：{note}" if note else "推测（依据待核实）"
