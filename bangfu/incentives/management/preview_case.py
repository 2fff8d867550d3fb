"""Reading a `benefits_preview` case (JSON) and the registry's county file.

Everything here turns outside input into domain dataclasses or fails with
`CaseError`, whose Chinese message names the offending field (`expert.title`,
`travel_claims[2].amount`). No database: the command must work before `migrate`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib.resources import files
from typing import TypeVar

from bangfu.incentives.domain.benefits import TravelClaim
from bangfu.people.domain.experts import Degree, Deployment, DeploymentKind, Expert, Title
from bangfu.people.domain.title_route import RecipientCounty
from bangfu.policy.domain.periods import Period

COUNTIES_RESOURCE = ("bangfu.registry", "data/counties.csv")
_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")

EXPERT_FIELDS = ("title", "degree", "prior_year_pay", "outstanding", "leadership_qualified")
DEPLOYMENT_FIELDS = ("kind", "start", "planned_end")
PERIOD_FIELDS = ("start", "end")
CLAIM_FIELDS = ("date", "amount")
REQUIRED_TOP_FIELDS = (
    "expert",
    "deployment",
    "period",
    "recipient_county_code",
    "entrustment_letter",
)
OPTIONAL_TOP_FIELDS = ("home_pay_in_period", "travel_claims")


class CaseError(ValueError):
    """Bad input; the message starts with the field it concerns."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        super().__init__(f"{field}：{problem}")


@dataclass(frozen=True)
class PreviewCase:
    expert: Expert
    deployment: Deployment
    period: Period
    home_pay_in_period: Decimal | None
    travel_claims: tuple[TravelClaim, ...]
    recipient_county_code: str
    entrustment_letter: bool


def _reject_constant(name: str) -> object:
    raise ValueError(f"不支持 {name}")


def parse_case_json(text: str) -> PreviewCase:
    """Parse the JSON text of a case; numbers are read as exact Decimals."""
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise CaseError(
            "input", f"不是有效的 JSON（第{error.lineno}行第{error.colno}列：{error.msg}）"
        ) from None
    except ValueError as error:
        raise CaseError("input", f"不是有效的 JSON（{error}）") from None
    return case_from_data(data)


def case_from_data(data: object) -> PreviewCase:
    root = _object(data, "input")
    _check_keys(root, "", REQUIRED_TOP_FIELDS, OPTIONAL_TOP_FIELDS)

    expert_data = _object(root["expert"], "expert")
    _check_keys(expert_data, "expert.", EXPERT_FIELDS)
    expert = Expert(
        title=_choice(expert_data["title"], "expert.title", Title, "职称"),
        degree=_choice(expert_data["degree"], "expert.degree", Degree, "学历学位"),
        prior_year_pay=_money(expert_data["prior_year_pay"], "expert.prior_year_pay"),
        outstanding=_bool(expert_data["outstanding"], "expert.outstanding"),
        leadership_qualified=_bool(
            expert_data["leadership_qualified"], "expert.leadership_qualified"
        ),
    )

    deployment_data = _object(root["deployment"], "deployment")
    _check_keys(deployment_data, "deployment.", DEPLOYMENT_FIELDS)
    kind = _choice(deployment_data["kind"], "deployment.kind", DeploymentKind, "派驻方式")
    start = _date(deployment_data["start"], "deployment.start")
    planned_end = _date(deployment_data["planned_end"], "deployment.planned_end")
    if planned_end < start:
        raise CaseError(
            "deployment.planned_end",
            f"计划结束日期 {planned_end} 早于开始日期 deployment.start {start}",
        )
    deployment = Deployment(kind, start, planned_end)

    period_data = _object(root["period"], "period")
    _check_keys(period_data, "period.", PERIOD_FIELDS)
    period_start = _date(period_data["start"], "period.start")
    period_end = _date(period_data["end"], "period.end")
    if period_end < period_start:
        raise CaseError(
            "period.end", f"结束日期 {period_end} 早于开始日期 period.start {period_start}"
        )
    if period_end.year != period_start.year:
        raise CaseError(
            "period.end",
            f"结算期间 {period_start} 至 {period_end} 跨越两个自然年，请按自然年分别计算",
        )

    home_pay_raw = root.get("home_pay_in_period")
    home_pay = None if home_pay_raw is None else _money(home_pay_raw, "home_pay_in_period")

    claims_raw = root.get("travel_claims")
    claims: list[TravelClaim] = []
    if claims_raw is not None:
        if not isinstance(claims_raw, list):
            raise CaseError("travel_claims", '应为数组，如 [{"date": …, "amount": …}]')
        for index, item in enumerate(claims_raw):
            where = f"travel_claims[{index}]"
            claim_data = _object(item, where)
            _check_keys(claim_data, f"{where}.", CLAIM_FIELDS)
            claims.append(
                TravelClaim(
                    _date(claim_data["date"], f"{where}.date"),
                    _money(claim_data["amount"], f"{where}.amount"),
                )
            )

    county_raw = root["recipient_county_code"]
    if isinstance(county_raw, bool) or not isinstance(county_raw, str | int):
        raise CaseError("recipient_county_code", '应为6位县级行政区划代码，如 "520526"')

    return PreviewCase(
        expert=expert,
        deployment=deployment,
        period=Period(period_start, period_end),
        home_pay_in_period=home_pay,
        travel_claims=tuple(claims),
        recipient_county_code=str(county_raw).strip(),
        entrustment_letter=_bool(root["entrustment_letter"], "entrustment_letter"),
    )


def _object(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise CaseError(where, "应为 JSON 对象（{…}）")
    return value


def _check_keys(
    data: Mapping[str, object],
    prefix: str,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
) -> None:
    """Every required key present; no unknown key (a misspelt optional key would
    otherwise be silently ignored and change the result)."""
    for key in required:
        if key not in data or data[key] is None:
            raise CaseError(f"{prefix}{key}", "缺少必填字段")
    for key in data:
        if key not in required and key not in optional:
            raise CaseError(f"{prefix}{key}", "未知字段")


ChoiceEnum = TypeVar("ChoiceEnum", Title, Degree, DeploymentKind)


def _choice(value: object, where: str, enum: type[ChoiceEnum], what: str) -> ChoiceEnum:
    allowed = "、".join(member.value for member in enum)
    if isinstance(value, str):
        for member in enum:
            if member.value == value.strip():
                return member
    raise CaseError(
        where,
        f"未知{what} {json.dumps(value, ensure_ascii=False, default=str)}，应为 {allowed} 之一",
    )


def _bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise CaseError(where, "应为 true 或 false")
    return value


def _date(value: object, where: str) -> date:
    if not isinstance(value, str) or not _DATE_PATTERN.match(value.strip()):
        raise CaseError(where, f"日期格式无效 {value!r}，应为 YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise CaseError(where, f"不是有效日期 {value!r}") from None


def _money(value: object, where: str) -> Decimal:
    """Yuan as a decimal string ("1234.50"); an exact JSON number is accepted too."""
    if isinstance(value, bool):
        raise CaseError(where, '应为金额（十进制字符串，如 "1234.50"）')
    if isinstance(value, int | Decimal):
        amount = Decimal(value)
    elif isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            raise CaseError(where, f"不是有效金额 {value!r}") from None
    else:
        raise CaseError(where, '应为金额（十进制字符串，如 "1234.50"）')
    if not amount.is_finite():
        raise CaseError(where, f"不是有效金额 {value!r}")
    if amount < 0:
        raise CaseError(where, f"金额不能为负数（{value}）")
    return amount


def parse_counties_csv(text: str, source: str) -> dict[str, RecipientCounty]:
    """Counties by code from the registry CSV (columns code, name, national_key_county)."""
    reader = csv.DictReader(io.StringIO(text))
    needed = {"code", "name", "national_key_county"}
    missing = needed - set(reader.fieldnames or ())
    if missing:
        raise CaseError(source, f"缺少列 {'、'.join(sorted(missing))}")
    counties: dict[str, RecipientCounty] = {}
    for line, row in enumerate(reader, start=2):
        flag = (row.get("national_key_county") or "").strip()
        if flag not in {"0", "1"}:
            raise CaseError(f"{source} 第{line}行 national_key_county", "应为 0 或 1")
        code = (row.get("code") or "").strip()
        counties[code] = RecipientCounty(
            code=code,
            name=(row.get("name") or "").strip(),
            national_key_county=flag == "1",
        )
    return counties


def read_registry_counties() -> dict[str, RecipientCounty]:
    """The 88 county-level units from `bangfu/registry/data/counties.csv` (file, not database)."""
    package, name = COUNTIES_RESOURCE
    resource = files(package).joinpath(name)
    try:
        text = resource.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CaseError("counties.csv", "登记册文件不存在") from None
    return parse_counties_csv(text, "counties.csv")
