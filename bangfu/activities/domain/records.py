"""Rules for one activity record (F8): what a valid record is, and who may confirm it.

Pure functions; ``today`` and the signed agreement periods are parameters.

- The kind must be in the policy's activity catalogue (附件1 (1)–(21), §二 through the catalogue).
- Quantities are whole numbers, 0..the kind's maximum, named as the catalogue names them; the
  main quantity is at least 1 (a record of zero sessions records nothing).
- The date lies in the programme window (2000–2100), is not in the future, and falls inside a
  signed agreement of the partnership (§七: the help is done under an agreement in force;
  A2-五(一): an agreement takes effect once signed).
- Confirmation (§三(三) 联合督导, A2-三(二) 互通信息、通报进度): a record made by one side of the
  partnership (the helper hospital or its expert; the recipient hospital or the county officer)
  is confirmed by the other side. The same side never confirms its own record, and a record is
  confirmed once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bangfu.policy.domain.activities import ActivityCatalogue, ActivityKind
from bangfu.policy.domain.dates import programme_date_problem

CLAUSE_CONFIRMATION = "§三(三)；A2-三(二)"
CLAUSE_AGREEMENT = "§七；A2-五(一)"
TEXT_ATTRIBUTE_MAX_LENGTH = 100


class Side(StrEnum):
    """The two parties of a partnership (甲方 helper, 乙方 recipient)."""

    HELPER = "helper"
    RECIPIENT = "recipient"

    @property
    def label(self) -> str:
        return "帮扶方" if self is Side.HELPER else "受扶方"

    @property
    def other(self) -> Side:
        return Side.RECIPIENT if self is Side.HELPER else Side.HELPER


@dataclass(frozen=True)
class Problem:
    """One refused value: the field it concerns and a Chinese reason."""

    field: str
    message: str


@dataclass(frozen=True)
class Period:
    """Days ``first`` through ``last`` (both inclusive) during which an agreement was in force."""

    first: date
    last: date

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last


@dataclass(frozen=True)
class ActivityDraft:
    kind: str
    day: date | None
    quantities: Mapping[str, object]
    attributes: Mapping[str, str]


def quantity_problems(kind: ActivityKind, quantities: Mapping[str, object]) -> list[Problem]:
    """Why the quantities are not acceptable for ``kind`` (empty when they are).

    Names must be the kind's; values whole numbers (not booleans, not text) between 0 and the
    quantity's maximum; the main quantity is required and at least 1.
    """
    problems: list[Problem] = []
    for name in sorted(quantities):
        quantity = kind.quantity(name)
        if quantity is None:
            known = "、".join(q.name for q in kind.quantities)
            problems.append(
                Problem("quantities", f"“{kind.name}”没有数量“{name}”（可用：{known}）")
            )
            continue
        value = quantities[name]
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(Problem("quantities", f"“{quantity.label}”应为整数"))
        elif value < 0:
            problems.append(Problem("quantities", f"“{quantity.label}”不能为负数"))
        elif value > quantity.maximum:
            problems.append(
                Problem(
                    "quantities",
                    f"“{quantity.label}”不能超过 {quantity.maximum}{quantity.unit}",
                )
            )
    main = kind.main_quantity
    value = quantities.get(main.name, 0)
    if type(value) is int and value == 0:
        problems.append(Problem("quantities", f"“{main.label}”至少为 1{main.unit}"))
    return problems


def attribute_problems(kind: ActivityKind, attributes: Mapping[str, str]) -> list[Problem]:
    """Attributes must be the kind's, short (≤ 100 characters) and one of the choices when the
    catalogue lists them (e.g. 中心建设 stage 建设中/通过省级/通过国家级, A1-(2))."""
    problems: list[Problem] = []
    for key in sorted(attributes):
        attribute = kind.attribute(key)
        value = attributes[key]
        if attribute is None:
            problems.append(Problem("attributes", f"“{kind.name}”没有属性“{key}”"))
        elif len(value) > TEXT_ATTRIBUTE_MAX_LENGTH:
            problems.append(
                Problem(
                    "attributes", f"“{attribute.label}”不能超过 {TEXT_ATTRIBUTE_MAX_LENGTH} 个字"
                )
            )
        elif attribute.choices and value and value not in attribute.choices:
            problems.append(
                Problem(
                    "attributes",
                    f"“{attribute.label}”应为以下之一：{'、'.join(attribute.choices)}",
                )
            )
    return problems


def date_problems(day: date | None, today: date, signed_periods: Sequence[Period]) -> list[Problem]:
    """The date is required, in the programme window, not after ``today`` and inside one of the
    partnership's signed agreement periods (§七; A2-五(一))."""
    if day is None:
        return [Problem("date", "请填写活动日期")]
    window = programme_date_problem(day, "活动日期")
    if window is not None:
        return [Problem("date", window)]
    if day > today:
        return [Problem("date", "活动日期不能晚于今天")]
    if not any(period.contains(day) for period in signed_periods):
        return [
            Problem(
                "date",
                f"{day.isoformat()} 该帮扶关系没有已签署且在有效期内的协议（{CLAUSE_AGREEMENT}）",
            )
        ]
    return []


def activity_problems(
    draft: ActivityDraft,
    catalogue: ActivityCatalogue,
    *,
    today: date,
    signed_periods: Sequence[Period],
) -> list[Problem]:
    """Every reason the draft cannot be recorded, in field order (kind, date, quantities,
    attributes); empty when it can."""
    kind = catalogue.kind(draft.kind)
    problems: list[Problem] = []
    if kind is None:
        problems.append(Problem("kind", f"未知的活动类型“{draft.kind}”"))
    problems.extend(date_problems(draft.day, today, signed_periods))
    if kind is not None:
        problems.extend(quantity_problems(kind, draft.quantities))
        problems.extend(attribute_problems(kind, draft.attributes))
    return problems


def confirmation_problem(
    *, recorded_side: Side, confirmer_side: Side | None, already_confirmed: bool
) -> str | None:
    """Why a user on ``confirmer_side`` (None: on neither side) may not confirm a record made by
    ``recorded_side``, or None when they may (§三(三)；A2-三(二): the other side confirms)."""
    if already_confirmed:
        return "该活动已确认"
    if confirmer_side is None:
        return "只有帮扶关系的另一方可以确认该活动"
    if confirmer_side is recorded_side:
        return f"该活动由{recorded_side.label}填报，须由{recorded_side.other.label}确认"
    return None
