"""Validation of Guizhou's registry facts before they are loaded (F1).

Guizhou has 9 prefecture-level units and 88 county-level units (§一: 70 target units plus 18
others), 20 of which are national key rural-revitalisation counties (§五). The loader refuses
a file that breaks any of these facts, naming the file, row and column.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

PREFECTURE_TOTAL = 9
COUNTY_TOTAL = 88
KEY_COUNTY_TOTAL = 20
COUNTY_KINDS = ("市辖区", "县级市", "县", "自治县", "特区")
PROGRAMME_GROUPS = ("target", "other")

PREFECTURE_CODE = re.compile(r"^52\d{2}00$")
COUNTY_CODE = re.compile(r"^52\d{4}$")
SPECIALTY_CODE = re.compile(r"^\d{2}(\.\d{2})?$")


@dataclass(frozen=True)
class RegistryError:
    """One problem in one row of one file; `row` counts the header as row 1, like a spreadsheet."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" 第{self.row}行"
        if self.column:
            where += f"「{self.column}」"
        return f"{where}：{self.message}"


@dataclass(frozen=True)
class PrefectureRow:
    code: str
    name: str
    short_name: str


@dataclass(frozen=True)
class CountyRow:
    code: str
    name: str
    short_name: str
    prefecture_code: str
    kind: str
    national_key_county: bool
    programme_group: str
    programme_group_basis: str
    programme_group_verified: bool


@dataclass(frozen=True)
class SpecialtyRow:
    code: str
    name: str
    provenance: str


@dataclass(frozen=True)
class RegistryData:
    prefectures: tuple[PrefectureRow, ...]
    counties: tuple[CountyRow, ...]
    specialties: tuple[SpecialtyRow, ...]


Row = Mapping[str, str]


def _require_columns(
    file: str, header: Sequence[str], required: Sequence[str]
) -> list[RegistryError]:
    return [RegistryError(file, 1, c, "缺少该列") for c in required if c not in header]


def _flag(value: str) -> bool | None:
    return {"1": True, "0": False, "true": True, "false": False}.get(value.strip().lower())


def parse_prefectures(
    file: str, header: Sequence[str], rows: Sequence[Row]
) -> tuple[list[PrefectureRow], list[RegistryError]]:
    errors = _require_columns(file, header, ("code", "name", "short_name"))
    if errors:
        return [], errors
    parsed: list[PrefectureRow] = []
    for i, row in enumerate(rows, start=2):
        code, name = row["code"].strip(), row["name"].strip()
        if not PREFECTURE_CODE.match(code):
            errors.append(
                RegistryError(file, i, "code", f"代码「{code}」不是贵州市州代码（52xx00）")
            )
        if not name:
            errors.append(RegistryError(file, i, "name", "名称为空"))
        parsed.append(PrefectureRow(code, name, row["short_name"].strip() or name))
    errors += _duplicates(file, [p.code for p in parsed], "code")
    errors += _duplicates(file, [p.name for p in parsed], "name")
    if len(parsed) != PREFECTURE_TOTAL:
        errors.append(
            RegistryError(file, None, None, f"应有{PREFECTURE_TOTAL}个市州，实际{len(parsed)}个")
        )
    return parsed, errors


def parse_counties(
    file: str, header: Sequence[str], rows: Sequence[Row], prefecture_codes: set[str]
) -> tuple[list[CountyRow], list[RegistryError]]:
    required = (
        "code",
        "name",
        "short_name",
        "prefecture_code",
        "kind",
        "national_key_county",
        "program_group",
    )
    errors = _require_columns(file, header, required)
    if errors:
        return [], errors
    parsed: list[CountyRow] = []
    for i, row in enumerate(rows, start=2):
        code = row["code"].strip()
        pref = row["prefecture_code"].strip()
        kind = row["kind"].strip()
        key = _flag(row["national_key_county"])
        group = row["program_group"].strip()
        if not COUNTY_CODE.match(code):
            errors.append(
                RegistryError(file, i, "code", f"代码「{code}」不是贵州县级代码（52xxxx）")
            )
        elif code[:4] + "00" != pref:
            errors.append(
                RegistryError(file, i, "prefecture_code", f"代码「{code}」与所属市州「{pref}」不符")
            )
        if pref not in prefecture_codes:
            errors.append(RegistryError(file, i, "prefecture_code", f"市州代码「{pref}」不存在"))
        if not row["name"].strip():
            errors.append(RegistryError(file, i, "name", "名称为空"))
        if kind not in COUNTY_KINDS:
            errors.append(
                RegistryError(file, i, "kind", f"类型「{kind}」应为 {'/'.join(COUNTY_KINDS)} 之一")
            )
        if key is None:
            errors.append(
                RegistryError(
                    file, i, "national_key_county", f"「{row['national_key_county']}」应为 0 或 1"
                )
            )
        if group not in PROGRAMME_GROUPS:
            errors.append(
                RegistryError(file, i, "program_group", f"「{group}」应为 target 或 other")
            )
        basis = (row.get("program_group_basis") or "").strip()
        verified = basis.lower().startswith("verified")
        parsed.append(
            CountyRow(
                code=code,
                name=row["name"].strip(),
                short_name=row["short_name"].strip() or row["name"].strip(),
                prefecture_code=pref,
                kind=kind,
                national_key_county=bool(key),
                programme_group=group,
                programme_group_basis=basis,
                programme_group_verified=verified,
            )
        )
    errors += _duplicates(file, [c.code for c in parsed], "code")
    errors += _duplicates(file, [c.name for c in parsed], "name")
    if len(parsed) != COUNTY_TOTAL:
        errors.append(
            RegistryError(file, None, None, f"应有{COUNTY_TOTAL}个县级单位，实际{len(parsed)}个")
        )
    keys = sum(1 for c in parsed if c.national_key_county)
    if keys != KEY_COUNTY_TOTAL:
        errors.append(
            RegistryError(
                file,
                None,
                "national_key_county",
                f"应有{KEY_COUNTY_TOTAL}个国家乡村振兴重点帮扶县，实际{keys}个",
            )
        )
    return parsed, errors


def parse_specialties(
    file: str, header: Sequence[str], rows: Sequence[Row]
) -> tuple[list[SpecialtyRow], list[RegistryError]]:
    errors = _require_columns(file, header, ("code", "name"))
    if errors:
        return [], errors
    parsed: list[SpecialtyRow] = []
    for i, row in enumerate(rows, start=2):
        code = row["code"].strip()
        if not SPECIALTY_CODE.match(code):
            errors.append(RegistryError(file, i, "code", f"科目代码「{code}」格式应为两位数字"))
        if not row["name"].strip():
            errors.append(RegistryError(file, i, "name", "名称为空"))
        parsed.append(
            SpecialtyRow(code, row["name"].strip(), (row.get("provenance") or "").strip())
        )
    errors += _duplicates(file, [s.code for s in parsed], "code")
    errors += _duplicates(file, [s.name for s in parsed], "name")
    return parsed, errors


def _duplicates(file: str, values: Sequence[str], column: str) -> list[RegistryError]:
    counts = Counter(values)
    errors = []
    for i, value in enumerate(values, start=2):
        if value and counts[value] > 1:
            errors.append(RegistryError(file, i, column, f"「{value}」重复"))
    return errors
