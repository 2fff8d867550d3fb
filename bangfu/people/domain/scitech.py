"""The status of a provincial S&T project application (§五 省科技厅负责鼓励支持帮扶专家团队申报
省级科技计划项目).

An expert team's application is 已申报 when recorded; the 省科技厅 accepts it (已受理) and then
approves it (已立项) or not (不予立项, with the reason); it may also refuse one it has not accepted.
已立项 and 不予立项 are final. Only the 省科技厅's department accounts and the province office move
it. Role and department codes are those of `accounts.Role` / `accounts.Department`, as strings."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bangfu.people.domain.department_services import DepartmentService, service_department


class ScitechStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    APPROVED = "approved"
    REJECTED = "rejected"


STATUS_LABELS: dict[ScitechStatus, str] = {
    ScitechStatus.SUBMITTED: "已申报",
    ScitechStatus.ACCEPTED: "已受理",
    ScitechStatus.APPROVED: "已立项",
    ScitechStatus.REJECTED: "不予立项",
}

# The verb on the button that moves an application to the status.
ACTION_LABELS: dict[ScitechStatus, str] = {
    ScitechStatus.ACCEPTED: "受理",
    ScitechStatus.APPROVED: "立项",
    ScitechStatus.REJECTED: "不予立项",
}

_NEXT: dict[ScitechStatus, tuple[ScitechStatus, ...]] = {
    ScitechStatus.SUBMITTED: (ScitechStatus.ACCEPTED, ScitechStatus.REJECTED),
    ScitechStatus.ACCEPTED: (ScitechStatus.APPROVED, ScitechStatus.REJECTED),
    ScitechStatus.APPROVED: (),
    ScitechStatus.REJECTED: (),
}

FINAL_STATUSES: frozenset[ScitechStatus] = frozenset(s for s, n in _NEXT.items() if not n)
OPEN_STATUSES: tuple[ScitechStatus, ...] = tuple(s for s, n in _NEXT.items() if n)


class Refusal(StrEnum):
    """Why a change is refused: not this user's to make (403), not from this status (409),
    the request itself is incomplete or unknown (422)."""

    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    INVALID = "invalid"


@dataclass(frozen=True)
class StatusDecision:
    allowed: bool
    refusal: Refusal | None = None
    reason: str = ""


def scitech_may_decide(role: str, department: str) -> bool:
    """The 省科技厅's department accounts (§五) and the province office move an application."""
    if role == "province":
        return True
    science = service_department(DepartmentService.SCITECH_APPLICATIONS)
    return role == "observer" and department == science


def scitech_status_decision(
    current: str, new: str, *, role: str, department: str, note: str = ""
) -> StatusDecision:
    """Whether this user may move an application from `current` to `new`: the 省科技厅 or the
    province (§五); only forward along 已申报 → 已受理 → 已立项 / 不予立项; 不予立项 needs its
    reason in `note`."""
    if not scitech_may_decide(role, department):
        return StatusDecision(
            False, Refusal.FORBIDDEN, "只有省科技厅或省卫健委可以更新科技项目状态"
        )
    if new not in STATUS_LABELS:
        return StatusDecision(False, Refusal.INVALID, f"未知的状态“{new}”")
    now, then = ScitechStatus(current), ScitechStatus(new)
    if now in FINAL_STATUSES:
        return StatusDecision(
            False, Refusal.CONFLICT, f"该项目已{STATUS_LABELS[now]}，状态不能再变更"
        )
    if then not in _NEXT[now]:
        return StatusDecision(
            False,
            Refusal.CONFLICT,
            f"项目状态不能从“{STATUS_LABELS[now]}”改为“{STATUS_LABELS[then]}”",
        )
    if then == ScitechStatus.REJECTED and not note.strip():
        return StatusDecision(False, Refusal.INVALID, "不予立项须说明理由")
    return StatusDecision(True)


def scitech_next_statuses(current: str, *, role: str, department: str) -> tuple[ScitechStatus, ...]:
    """The statuses this user may move the application to now (the buttons a page shows): each
    one `scitech_status_decision` accepts, given a reason where one is needed."""
    if current not in STATUS_LABELS:
        return ()
    return tuple(
        s
        for s in _NEXT[ScitechStatus(current)]
        if scitech_status_decision(current, s, role=role, department=department, note="-").allowed
    )
