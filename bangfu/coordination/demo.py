"""Demo meetings: a 会商 between 番禺 and 威宁 with two follow-up tasks (one overdue), a county
supervision with a task done, a provincial joint conference; problems in every status for
several departments (§五); then the day's reminders (F11).
Running it twice changes nothing (the meetings are recognised by title; reminders are sent once
per milestone)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from bangfu.accounts.models import Department, User
from bangfu.coordination.models import FollowUpTask, Meeting, Problem
from bangfu.coordination.problem_services import ProblemDraft, problem_raise, problem_reply
from bangfu.coordination.services import (
    DecisionDraft,
    MeetingDraft,
    meeting_create,
    task_mark_done,
)
from bangfu.core.audit import audit_record
from bangfu.notifications.services import reminders_send
from bangfu.partnerships.models import Partnership

MAIN_HELPER = "广州市番禺区中心医院"
MAIN_RECIPIENT = "威宁彝族回族苗族自治县人民医院"
CONSULTATION_TITLE = "番禺—威宁 季度会商会议（演示）"


def coordination_demo_load(*, today: date | None = None) -> None:
    today = today or timezone.localdate()
    if not Meeting.objects.filter(title=CONSULTATION_TITLE).exists():
        _meetings(today)
    if not Problem.objects.exists():
        _problems()
    reminders_send(on=today)


def _problems() -> None:
    """Problems in every status for several departments; the demo observer is the 人社厅's."""
    users = {u.username: u for u in User.objects.filter(username__startswith="demo_")}
    observer = users.get("demo_observer")
    recipient, county, province = (
        users.get("demo_recipient"),
        users.get("demo_county"),
        users.get("demo_province"),
    )
    partnership = Partnership.objects.filter(
        helper__name=MAIN_HELPER, recipient__name=MAIN_RECIPIENT
    ).first()
    if None in (observer, recipient, county, province) or partnership is None:
        return
    assert observer is not None and recipient is not None and county is not None
    assert province is not None
    if not observer.department:
        observer.department = Department.HUMAN_RESOURCES
        observer.save(update_fields=["department"])
        audit_record(
            actor=None, action="update", obj=observer, after={"department": observer.department}
        )

    def raised(actor: User, category: str, title: str, description: str) -> Problem:
        return problem_raise(
            actor=actor,
            draft=ProblemDraft(
                category=category,
                title=title,
                description=description,
                partnership_id=partnership.pk if actor.role != "county" else None,
            ),
        )

    closed = raised(recipient, "title", "派驻专家帮扶经历在职称评审中的认定", "请明确认定办法。")
    problem_reply(actor=observer, problem=closed, text="已受理。", status="accepted")
    problem_reply(
        actor=observer, problem=closed, text="帮扶经历可计入基层服务年限。", status="closed"
    )
    accepted = raised(county, "title", "县医院高级职称评审名额", "名额不足，影响骨干留任。")
    problem_reply(actor=observer, problem=accepted, text="已受理，正在核实。", status="accepted")
    working = raised(recipient, "living", "帮扶专家周转住房", "周转房尚缺 2 套。")
    problem_reply(actor=province, problem=working, text="已协调县政府调配。", status="in_progress")
    declined = raised(county, "other", "县医院新院区建设资金", "请求省级补助。")
    problem_reply(
        actor=province,
        problem=declined,
        text="不属本平台协调事项。",
        status="declined",
        reason="属基本建设投资，请按项目申报程序办理",
    )
    raised(
        recipient,
        "insurance_catalogue",
        "新技术收费项目未纳入医保目录",
        "帮扶开展的新技术无法收费。",
    )
    raised(recipient, "research", "联合申报省级科研项目", "请明确省外专家作为负责人的条件。")


def _meetings(today: date) -> None:
    partnership = Partnership.objects.filter(
        helper__name=MAIN_HELPER, recipient__name=MAIN_RECIPIENT
    ).first()
    users = {u.username: u for u in User.objects.filter(username__startswith="demo_")}
    county, province = users.get("demo_county"), users.get("demo_province")
    if partnership is None or county is None or province is None:
        return
    meeting_create(
        actor=county,
        draft=MeetingDraft(
            kind="consultation",
            title=CONSULTATION_TITLE,
            held_on=today - timedelta(days=45),
            partnership_id=partnership.pk,
            place="威宁县人民医院会议室",
            attendee_names="番禺区中心医院帮扶队、威宁县人民医院院办、威宁县卫健局",
            minutes="双方通报上季度帮扶进展，商定胸痛中心建设和人才培养安排。",
            information=("帮扶队本季度完成教学查房 24 次、手术带教 11 台。",),
            decisions=(
                DecisionDraft(
                    text="报送胸痛中心建设方案",
                    due=today - timedelta(days=10),
                    owner_institution_id=partnership.recipient_id,
                ),
                DecisionDraft(
                    text="选派 2 名骨干到番禺区中心医院进修",
                    due=today + timedelta(days=30),
                    owner_institution_id=partnership.helper_id,
                ),
                DecisionDraft(text="下次会商于下季度末召开"),
            ),
        ),
    )
    supervision = meeting_create(
        actor=county,
        draft=MeetingDraft(
            kind="supervision",
            title="威宁县帮扶工作联合督导（演示）",
            held_on=today - timedelta(days=20),
            county_code=partnership.recipient.county.code if partnership.recipient.county else "",
            minutes="督导组检查了帮扶协议执行和专家在岗情况。",
            decisions=(
                DecisionDraft(
                    text="补齐帮扶专家考勤记录",
                    due=today + timedelta(days=10),
                    owner_institution_id=partnership.recipient_id,
                ),
            ),
        ),
    )
    recipient = users.get("demo_recipient")
    task = FollowUpTask.objects.filter(meeting=supervision).first()
    if recipient is not None and task is not None:
        task_mark_done(
            actor=recipient, task=task, done_on=today - timedelta(days=5), result_note="已补齐"
        )
    meeting_create(
        actor=province,
        draft=MeetingDraft(
            kind="joint_conference",
            title="省外三甲医院帮扶工作联席会议（演示）",
            held_on=today - timedelta(days=60),
            minutes="通报全省帮扶协议签订与续签情况，部署年度调研。",
            information=("各市州于年底前完成年度自查自评。",),
        ),
    )
