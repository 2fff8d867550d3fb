"""The yearly self-assessment and its review chain (§七 强化自查自评; issue #12).

§七: 省内受扶县级医院要认真研究落实与省外三甲医院帮扶协作协议明确的各项帮扶工作任务，每年开展一次
自查自评，自查结果向县级卫生健康部门报备. The platform binds DHIS2-like approval levels to the
administrative hierarchy: the recipient hospital submits, the county health bureau approves or
returns, then the prefecture, and the province's approval is the acceptance.

Statuses: draft → submitted → county_approved → prefecture_approved → accepted, and returned
(editable again, the returning comment shown). Who acts:
- submit: the hospital, while the assessment is a draft or returned;
- approve / return: only the level that holds it — the county when submitted, the prefecture when
  county_approved, the province when prefecture_approved (the province's approve is the
  acceptance); a return needs a comment;
- reopen: a level higher than the one that last acted, with a reason; an accepted assessment only
  the province may reopen. A reopened assessment is returned (editable, the reason shown).
After acceptance the assessment is locked: nothing edits it, only the province reopens it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum

CLAUSE = "§七 强化自查自评"


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    COUNTY_APPROVED = "county_approved"
    PREFECTURE_APPROVED = "prefecture_approved"
    ACCEPTED = "accepted"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.DRAFT: "草稿",
    Status.SUBMITTED: "已提交（待县审核）",
    Status.COUNTY_APPROVED: "县已审核（待市州审核）",
    Status.PREFECTURE_APPROVED: "市州已审核（待省验收）",
    Status.ACCEPTED: "省已验收",
    Status.RETURNED: "已退回（待修改）",
}


class Level(IntEnum):
    """Approval levels, lowest first: the order decides who is "higher"."""

    HOSPITAL = 1
    COUNTY = 2
    PREFECTURE = 3
    PROVINCE = 4

    @property
    def code(self) -> str:
        return LEVEL_CODES[self]

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]


LEVEL_CODES = {
    Level.HOSPITAL: "hospital",
    Level.COUNTY: "county",
    Level.PREFECTURE: "prefecture",
    Level.PROVINCE: "province",
}
LEVEL_LABELS = {
    Level.HOSPITAL: "受扶医院",
    Level.COUNTY: "县级卫生健康部门",
    Level.PREFECTURE: "市州卫生健康部门",
    Level.PROVINCE: "省卫生健康委",
}
LEVEL_BY_CODE = {code: level for level, code in LEVEL_CODES.items()}

# The user roles (accounts.Role values) that act at each level; other roles act at none.
LEVEL_OF_ROLE: Mapping[str, Level] = {
    "recipient": Level.HOSPITAL,
    "county": Level.COUNTY,
    "prefecture": Level.PREFECTURE,
    "province": Level.PROVINCE,
}


class Action(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    REOPEN = "reopen"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.SUBMIT: "提交",
    Action.APPROVE: "审核通过",
    Action.RETURN: "退回",
    Action.REOPEN: "重新打开",
}

# The decision stored on each Approval row is the action taken.
DECISION_LABELS = {
    "submit": "提交",
    "approve": "通过",
    "accept": "验收通过",
    "return": "退回",
    "reopen": "重新打开",
}

# Which level holds an assessment in each status (the one that approves or returns it).
HOLDER: Mapping[Status, Level] = {
    Status.DRAFT: Level.HOSPITAL,
    Status.RETURNED: Level.HOSPITAL,
    Status.SUBMITTED: Level.COUNTY,
    Status.COUNTY_APPROVED: Level.PREFECTURE,
    Status.PREFECTURE_APPROVED: Level.PROVINCE,
}

APPROVED_TO: Mapping[Status, Status] = {
    Status.SUBMITTED: Status.COUNTY_APPROVED,
    Status.COUNTY_APPROVED: Status.PREFECTURE_APPROVED,
    Status.PREFECTURE_APPROVED: Status.ACCEPTED,
}

EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
NOT_SUBMITTED = EDITABLE


def level_of_role(role: str) -> Level | None:
    return LEVEL_OF_ROLE.get(role)


def is_locked(status: Status) -> bool:
    """Accepted by the province: nothing changes it any more (§七; only a provincial reopen)."""
    return status is Status.ACCEPTED


def is_editable(status: Status) -> bool:
    """The hospital's and the helper's fields change only while a draft or returned."""
    return status in EDITABLE


@dataclass(frozen=True)
class Step:
    """The outcome of asking for an action: the new status, or why not (`refusal`, Chinese)."""

    action: Action
    new_status: Status | None
    decision: str
    refusal: str

    @property
    def allowed(self) -> bool:
        return self.new_status is not None


def _refused(action: Action, reason: str) -> Step:
    return Step(action, None, "", f"{reason}（{CLAUSE}）")


def review_step(
    status: Status,
    level: Level | None,
    action: Action,
    *,
    last_level: Level | None,
    comment: str,
) -> Step:
    """What ``action`` by a user acting at ``level`` does to an assessment in ``status``
    (rules in the module docstring). ``last_level`` is the level of the latest recorded step
    (None when nothing was recorded); ``comment`` is the comment or the reopening reason."""
    if level is None:
        return _refused(action, "您的角色不参与自查自评的提交与审核")
    if action is Action.SUBMIT:
        if level is not Level.HOSPITAL:
            return _refused(action, "只有受扶医院可以提交自查自评")
        if status not in EDITABLE:
            return _refused(action, f"当前状态为“{status.label}”，不能再次提交")
        return Step(action, Status.SUBMITTED, "submit", "")
    if action in (Action.APPROVE, Action.RETURN):
        holder = HOLDER.get(status)
        if holder is None or holder is Level.HOSPITAL:
            return _refused(action, f"当前状态为“{status.label}”，没有待审核的内容")
        if level is not holder:
            return _refused(
                action, f"当前状态为“{status.label}”，应由{holder.label}审核，不是您所在的层级"
            )
        if action is Action.RETURN:
            if not comment.strip():
                return _refused(action, "退回时必须填写意见")
            return Step(action, Status.RETURNED, "return", "")
        new = APPROVED_TO[status]
        return Step(action, new, "accept" if new is Status.ACCEPTED else "approve", "")
    # REOPEN
    if status in EDITABLE:
        return _refused(action, f"当前状态为“{status.label}”，已可编辑，无需重新打开")
    if level is Level.HOSPITAL:
        return _refused(action, "受扶医院不能重新打开已提交的自查自评")
    if status is Status.ACCEPTED and level is not Level.PROVINCE:
        return _refused(action, "省已验收的自查自评只有省卫生健康委可以重新打开")
    if status is not Status.ACCEPTED and last_level is not None and level <= last_level:
        return _refused(action, f"只有高于最近处理层级（{last_level.label}）的部门可以重新打开")
    if not comment.strip():
        return _refused(action, "重新打开时必须填写原因")
    return Step(action, Status.RETURNED, "reopen", "")


def actions_available(
    status: Status, level: Level | None, *, last_level: Level | None
) -> list[Action]:
    """The actions the buttons offer (a comment assumed given where one is needed)."""
    return [
        action
        for action in Action
        if review_step(status, level, action, last_level=last_level, comment="-").allowed
    ]


# ---- the hospital's self-rating per measure ----


class Rating(StrEnum):
    COMPLETED = "completed"
    BASICALLY_COMPLETED = "basically_completed"
    NOT_COMPLETED = "not_completed"

    @property
    def label(self) -> str:
        return RATING_LABELS[self]


RATING_LABELS = {
    Rating.COMPLETED: "完成",
    Rating.BASICALLY_COMPLETED: "基本完成",
    Rating.NOT_COMPLETED: "未完成",
}
_RATING_BY_TEXT = {**{r.value: r for r in Rating}, **{v: k for k, v in RATING_LABELS.items()}}


def rating_from(text: str) -> Rating | None:
    """A rating from its code or its Chinese label (完成 / 基本完成 / 未完成); None if neither."""
    return _RATING_BY_TEXT.get(text.strip())


def ratings_problems(ratings: Mapping[str, str], measure_codes: frozenset[str]) -> list[str]:
    """Why these ratings cannot be stored: a measure not chosen in the agreement, or a value that
    is not one of the three ratings."""
    problems = []
    for code in sorted(ratings):
        if code not in measure_codes:
            problems.append(f"措施 {code} 不在该协议选定的措施中")
        elif rating_from(ratings[code]) is None:
            problems.append(f"措施 {code} 的自评应为 完成、基本完成 或 未完成")
    return problems


def submission_problems(
    ratings: Mapping[str, str], measure_codes: frozenset[str], results_text: str
) -> list[str]:
    """What is missing before the hospital may submit: a rating for every chosen measure and the
    成效 narrative (the self-check is on the agreement's tasks, §七)."""
    problems = []
    missing = sorted(c for c in measure_codes if rating_from(ratings.get(c, "")) is None)
    if missing:
        problems.append("以下措施尚未自评：" + "、".join(missing))
    if not results_text.strip():
        problems.append("请填写工作成效")
    return problems
