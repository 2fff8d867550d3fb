"""The problem log for the departments (§五 有关部门按职责解决帮扶中的问题).

A problem raised by a hospital, a county office or an expert is routed by its category to the
department whose duty it is (§五: 组织部/卫健委 on posts, 人社厅 on titles, 医保局 on catalogue
and price barriers, 科技厅 on projects, 文旅厅 on tourism cards). The department accepts it,
works on it and closes it, or declines it with a reason; each reply is the raiser's to read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

CATEGORY_LABELS: dict[str, str] = {
    "post": "岗位任职",
    "title": "职称评审",
    "insurance_catalogue": "医保目录与价格",
    "research": "科研项目",
    "tourism_card": "旅游优惠证",
    "living": "生活保障",
    "other": "其他",
}

# Department codes are those of accounts.Department (kept as plain strings: domain is pure).
CATEGORY_DEPARTMENT: dict[str, str] = {
    "post": "organization",
    "title": "human_resources",
    "insurance_catalogue": "healthcare_security",
    "research": "science",
    "tourism_card": "culture_tourism",
    "living": "health",
    "other": "health",
}


class ProblemStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"
    DECLINED = "declined"


STATUS_LABELS: dict[str, str] = {
    ProblemStatus.SUBMITTED: "待受理",
    ProblemStatus.ACCEPTED: "已受理",
    ProblemStatus.IN_PROGRESS: "办理中",
    ProblemStatus.CLOSED: "已办结",
    ProblemStatus.DECLINED: "不予受理",
}

_NEXT: dict[ProblemStatus, frozenset[ProblemStatus]] = {
    ProblemStatus.SUBMITTED: frozenset(
        {ProblemStatus.ACCEPTED, ProblemStatus.IN_PROGRESS, ProblemStatus.DECLINED}
    ),
    ProblemStatus.ACCEPTED: frozenset(
        {ProblemStatus.IN_PROGRESS, ProblemStatus.CLOSED, ProblemStatus.DECLINED}
    ),
    ProblemStatus.IN_PROGRESS: frozenset({ProblemStatus.CLOSED}),
    ProblemStatus.CLOSED: frozenset(),
    ProblemStatus.DECLINED: frozenset(),
}


@dataclass(frozen=True)
class ReplyDecision:
    allowed: bool
    reason: str = ""


def reply_decision(current: str, new: str, reason: str) -> ReplyDecision:
    """Whether a department's reply may move a problem from `current` to `new` (the same status:
    a reply without a change). A closed or declined problem takes no more replies; declining needs
    its reason; a status only moves forward (待受理 → 已受理 → 办理中 → 已办结, or 不予受理)."""
    now, then = ProblemStatus(current), ProblemStatus(new)
    if not _NEXT[now]:
        return ReplyDecision(False, f"问题已{STATUS_LABELS[now]}，不能再答复")
    if then == ProblemStatus.DECLINED and not reason.strip():
        return ReplyDecision(False, "不予受理须说明理由")
    if then != now and then not in _NEXT[now]:
        return ReplyDecision(False, f"问题不能从“{STATUS_LABELS[now]}”改为“{STATUS_LABELS[then]}”")
    return ReplyDecision(True)


@dataclass(frozen=True)
class DepartmentRecord:
    """One department's problems: how many are open, how many ended (办结 or 不予受理), and the
    mean whole days from raising to ending (None while none has ended)."""

    department: str
    open: int
    ended: int
    mean_days_to_end: float | None


def department_records(rows: list[tuple[str, date, date | None]]) -> list[DepartmentRecord]:
    """Each department's record from (department, raised on, ended on or None), sorted by
    department code: how departments are measured on their time to close (§五)."""
    by_department: dict[str, list[date | None]] = {}
    days: dict[str, list[int]] = {}
    for department, raised_on, ended_on in rows:
        by_department.setdefault(department, []).append(ended_on)
        if ended_on is not None:
            days.setdefault(department, []).append((ended_on - raised_on).days)
    records = []
    for department in sorted(by_department):
        ended = days.get(department, [])
        records.append(
            DepartmentRecord(
                department=department,
                open=sum(1 for e in by_department[department] if e is None),
                ended=len(ended),
                mean_days_to_end=round(sum(ended) / len(ended), 1) if ended else None,
            )
        )
    return records
