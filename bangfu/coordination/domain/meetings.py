"""Meetings and their follow-up tasks (F11; 附件2 四(一)(二) 定期会商、联合督导; §七 调研、联席会议).

A meeting's agenda items end in outcomes (information, a decision, or a follow-up task, as in
OpenProject's "agenda item → outcome"). A task is open until done; past its due day and not
done it is overdue — computed, never stored (ADR 0001)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

MEETING_KIND_LABELS: dict[str, str] = {
    "consultation": "会商会议",
    "supervision": "联合督导",
    "survey": "调研",
    "joint_conference": "联席会议",
    "inspection": "现场检查",
}

MEETING_LEVEL_LABELS: dict[str, str] = {
    "partnership": "帮扶关系",
    "county": "县级",
    "prefecture": "市州级",
    "province": "省级",
}

OUTCOME_KIND_LABELS: dict[str, str] = {
    "information": "通报事项",
    "decision": "决定事项",
    "task": "跟进任务",
}


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return TASK_STATUS_LABELS[self]


TASK_STATUS_LABELS = {
    TaskStatus.OPEN: "进行中",
    TaskStatus.DONE: "已完成",
    TaskStatus.OVERDUE: "已逾期",
}


def task_status(due: date, done_on: date | None, today: date) -> TaskStatus:
    """Done once marked done (even late); otherwise overdue after its due day, else open. The
    due day itself is still open."""
    if done_on is not None:
        return TaskStatus.DONE
    if today > due:
        return TaskStatus.OVERDUE
    return TaskStatus.OPEN
