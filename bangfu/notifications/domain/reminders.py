"""Which reminders are due on a day (F11): a pure table of rules, run daily by `send_reminders`.

Each rule yields at most one `Reminder` per object, named by its milestone. A day the job did not
run is caught up on the next: the rule gives the milestone the object has reached by then, and
the inbox keeps one row per object, milestone and recipient, so running again on the same day
(or on a later day at the same milestone) sends nothing new.

- Expiring (§七 每3年为一个周期，期满后重新签订, no gap): an agreement in force, not terminated and
  not yet renewed by a later cycle, whose last day is at most 90, 30 or 7 days away.
- Not filed (附件2 五(三) 电子版分别报省、市、县卫生健康部门备案): a signed agreement still in its
  period, missing a filing level 30 days or more after signing.
- Not signed (附件2 五(一)): a draft, neither signed nor terminated, created 30 days ago or more
  and not past its end.
- Follow-up task (附件2 四(一) 会商议定事项): not done, due within 3 days, then once overdue.
- Insurance (§六; 附件2 四(三)3 不低于100万元保额的人身意外伤害保险): a policy ending within 30 days
  while its expert stays on site after it ends, and no other policy covers the day after.
- Statements waiting for approval (§六; 附件2 四(三): the recipient hospital pays, so it approves
  each expert's statement): from the 5th day of a month on, once per hospital for the previous
  month, when some expert who had deployment days there that month has no approved payment of
  that hospital overlapping it. The milestone names the month, so a later day of the same month
  sends nothing new; the next month looks at its own previous month only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bangfu.notifications.domain.kinds import (
    AGREEMENT_EXPIRING,
    AGREEMENT_UNFILED,
    AGREEMENT_UNSIGNED,
    INSURANCE_ENDING,
    STATEMENTS_PENDING,
    TASK_DUE,
)

EXPIRY_MILESTONES = (90, 30, 7)  # days before the last day, widest first
UNFILED_AFTER_DAYS = 30
UNSIGNED_AFTER_DAYS = 30
INSURANCE_WITHIN_DAYS = 30
TASK_DUE_WITHIN_DAYS = 3
# §六; 附件2 四(三): the recipient hospital pays the month's allowances, so it approves (核定)
# each expert's statement once the month has ended. The first days of the next month leave
# time for ending deployments and recording the month; from this day on it is reminded.
STATEMENT_REMINDER_DAY = 5

FILING_LEVEL_LABELS = {"province": "省卫健委", "prefecture": "市州卫健局", "county": "县卫健局"}


@dataclass(frozen=True)
class Reminder:
    kind: str
    milestone: str
    reason: str


@dataclass(frozen=True)
class AgreementReminderFacts:
    """One agreement as the reminder rules see it. `end` is its last day; `terminated_on` the
    first day no longer in force; `created_on` the day the draft was recorded."""

    id: int
    start: date
    end: date
    created_on: date
    signed_on: date | None = None
    terminated_on: date | None = None
    has_next_cycle: bool = False
    filed_levels: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Span:
    first: date
    last: date


@dataclass(frozen=True)
class InsuranceReminderFacts:
    """One insurance policy, the expert's other policies and the expert's deployments (first
    day to the actual or planned last day)."""

    id: int
    end: date
    other_policies: tuple[Span, ...] = ()
    deployments: tuple[Span, ...] = ()


@dataclass(frozen=True)
class StatementReminderFacts:
    """One recipient hospital and one calendar month (`month`: its first day): the experts with
    deployment days at the hospital in that month, and those of them with a payment of that
    hospital whose period overlaps the month (approved: an expert counts as waiting only when
    no such payment exists)."""

    recipient_id: int
    month: date
    served: frozenset[int] = frozenset()
    approved: frozenset[int] = frozenset()

    @property
    def waiting(self) -> frozenset[int]:
        return self.served - self.approved


def statement_reminder_month(on: date) -> date | None:
    """The month whose statements are reminded about on day `on` (its first day): the previous
    calendar month, from the STATEMENT_REMINDER_DAY on; None before it."""
    if on.day < STATEMENT_REMINDER_DAY:
        return None
    last_of_previous = on.replace(day=1) - timedelta(days=1)
    return last_of_previous.replace(day=1)


def month_last_day(first: date) -> date:
    """The last day of the month starting on `first`."""
    return (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)


def _iso(day: date) -> str:
    return day.isoformat()


def agreement_reminders(facts: AgreementReminderFacts, on: date) -> list[Reminder]:
    """The reminders due for one agreement on day `on` (see the module's rules)."""
    reminders: list[Reminder] = []
    terminated = facts.terminated_on is not None and facts.terminated_on <= on
    if terminated or on > facts.end:
        return reminders
    signed = facts.signed_on is not None and facts.signed_on <= on
    if signed and not facts.has_next_cycle:
        days_left = (facts.end - on).days
        reached = [m for m in EXPIRY_MILESTONES if days_left <= m]
        if reached:
            milestone = reached[-1]
            reminders.append(
                Reminder(
                    AGREEMENT_EXPIRING,
                    f"expiring_{milestone}",
                    f"协议将于{_iso(facts.end)}期满（还有{days_left}天，到期前{milestone}天提醒），"
                    "请及时续签，避免帮扶断档（§七）",
                )
            )
    if signed and facts.signed_on is not None:
        missing = [
            label for code, label in FILING_LEVEL_LABELS.items() if code not in facts.filed_levels
        ]
        since = (on - facts.signed_on).days
        if missing and since >= UNFILED_AFTER_DAYS:
            reminders.append(
                Reminder(
                    AGREEMENT_UNFILED,
                    f"unfiled_{UNFILED_AFTER_DAYS}",
                    f"协议已于{_iso(facts.signed_on)}签订{since}天，尚未报{'、'.join(missing)}备案"
                    "（附件2 五(三)）",
                )
            )
    if not signed and facts.signed_on is None:
        since = (on - facts.created_on).days
        if since >= UNSIGNED_AFTER_DAYS:
            reminders.append(
                Reminder(
                    AGREEMENT_UNSIGNED,
                    f"unsigned_{UNSIGNED_AFTER_DAYS}",
                    f"协议草稿已登记{since}天仍未签订（附件2 五(一)）",
                )
            )
    return reminders


def insurance_reminders(facts: InsuranceReminderFacts, on: date) -> list[Reminder]:
    """The reminder due for one insurance policy on day `on` (see the module's rules)."""
    days_left = (facts.end - on).days
    if not 0 <= days_left <= INSURANCE_WITHIN_DAYS:
        return []
    day_after = facts.end + timedelta(days=1)
    if any(span.first <= day_after <= span.last for span in facts.other_policies):
        return []
    on_site_after = any(
        span.first <= on <= span.last and span.last > facts.end for span in facts.deployments
    )
    if not on_site_after:
        return []
    return [
        Reminder(
            INSURANCE_ENDING,
            f"ending_{INSURANCE_WITHIN_DAYS}",
            f"意外伤害保险将于{_iso(facts.end)}到期（还有{days_left}天），专家仍在岗，"
            "请及时续保（§六；附件2 四(三)3）",
        )
    ]


def task_reminders(due: date, done_on: date | None, on: date) -> list[Reminder]:
    """The reminder due for one follow-up task on day `on`: once when its due day is at most
    3 days away, once more when it is overdue; none once done."""
    if done_on is not None:
        return []
    days_left = (due - on).days
    if days_left < 0:
        return [Reminder(TASK_DUE, "overdue", f"跟进任务已于{_iso(due)}到期，尚未办结")]
    if days_left <= TASK_DUE_WITHIN_DAYS:
        return [
            Reminder(
                TASK_DUE,
                f"due_{TASK_DUE_WITHIN_DAYS}",
                f"跟进任务将于{_iso(due)}到期（还有{days_left}天）",
            )
        ]
    return []


def statement_reminders(facts: StatementReminderFacts, on: date) -> list[Reminder]:
    """The reminder due for one hospital's statements of `facts.month` on day `on`: one, named
    by the month, while some expert is waiting and `on` is in the reminding window of the month
    (see the module's rules)."""
    if statement_reminder_month(on) != facts.month:
        return []
    waiting = len(facts.waiting)
    if not waiting:
        return []
    return [
        Reminder(
            STATEMENTS_PENDING,
            f"statements_{facts.month:%Y-%m}",
            f"{facts.month.month}月有 {waiting} 名专家的待遇结算待核定，请逐人核对待遇明细后核定"
            "（§六；附件2 四(三)）",
        )
    ]
