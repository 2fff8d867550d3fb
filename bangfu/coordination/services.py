"""Writes to meetings and follow-up tasks: recording a meeting with its decisions (each with an
owner becomes a task, whose owners are notified) and marking a task done. Audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse

from bangfu.accounts.models import Role, User
from bangfu.coordination.domain.meetings import MEETING_KIND_LABELS
from bangfu.coordination.models import (
    AgendaItem,
    FollowUpTask,
    Meeting,
    MeetingAttachment,
    Outcome,
)
from bangfu.coordination.selectors import (
    HOSPITAL_ROLES,
    owner_institutions_for_meeting,
    partnerships_for_meeting,
)
from bangfu.core.audit import audit_record
from bangfu.core.text import forbidden_characters_message
from bangfu.core.uploads import SCAN_KINDS, upload_checked
from bangfu.notifications.domain.kinds import TASK_ASSIGNED
from bangfu.notifications.services import Message, notification_send
from bangfu.registry.models import County, Institution, Prefecture
from bangfu.registry.scope import scope_for_user

RECORDING_ROLES = (Role.PROVINCE, Role.PREFECTURE, Role.COUNTY, Role.RECIPIENT, Role.HELPER)


@dataclass(frozen=True)
class DecisionDraft:
    text: str
    due: date | None = None
    owner_institution_id: int | None = None
    owner_user_id: int | None = None


@dataclass(frozen=True)
class MeetingDraft:
    kind: str
    title: str
    held_on: date
    partnership_id: int | None = None
    county_code: str = ""
    prefecture_code: str = ""
    place: str = ""
    minutes: str = ""
    attendee_names: str = ""
    information: Sequence[str] = field(default_factory=tuple)
    decisions: Sequence[DecisionDraft] = field(default_factory=tuple)


def _text_problem(
    errors: dict[str, str], name: str, value: str, limit: int, required: bool
) -> None:
    if required and not value.strip():
        errors[name] = "必填"
    elif len(value) > limit:
        errors[name] = f"不能超过 {limit} 个字符"
    else:
        message = forbidden_characters_message(value)
        if message:
            errors[name] = message


@transaction.atomic
def meeting_create(*, actor: User, draft: MeetingDraft) -> Meeting:
    """Record a meeting. Its level follows what it concerns: a partnership, a county, a
    prefecture, or (none given) the province. The actor must read what it concerns and every
    task owner. Each decision with an owner becomes a follow-up task and notifies its owners."""
    scope = scope_for_user(actor)
    if scope.role not in RECORDING_ROLES:
        raise PermissionDenied("您的角色不能登记会商与督导")
    errors: dict[str, str] = {}
    if draft.kind not in MEETING_KIND_LABELS:
        errors["kind"] = "取值无效"
    _text_problem(errors, "title", draft.title, 200, True)
    _text_problem(errors, "place", draft.place, 200, False)
    _text_problem(errors, "attendee_names", draft.attendee_names, 1000, False)
    _text_problem(errors, "minutes", draft.minutes, 20000, False)
    meeting = Meeting(
        kind=draft.kind,
        title=draft.title.strip(),
        held_on=draft.held_on,
        place=draft.place.strip(),
        minutes=draft.minutes,
        attendee_names=draft.attendee_names.strip(),
        created_by=actor,
    )
    if draft.partnership_id is not None:
        meeting.level = "partnership"
        partnership = partnerships_for_meeting(user=actor).filter(pk=draft.partnership_id).first()
        if partnership is None:
            errors["partnership_id"] = "帮扶关系不存在或不在您的范围内"
        meeting.partnership = partnership
    elif draft.county_code:
        meeting.level = "county"
        county = (
            scope.counties(County.objects.filter(code=draft.county_code)).first()
            if scope.role in (Role.PROVINCE, Role.PREFECTURE, Role.COUNTY)
            else None
        )
        if county is None:
            errors["county_code"] = "县不存在或不在您的范围内"
        meeting.county = county
    elif draft.prefecture_code:
        meeting.level = "prefecture"
        prefecture = (
            scope.prefectures(Prefecture.objects.filter(code=draft.prefecture_code)).first()
            if scope.role in (Role.PROVINCE, Role.PREFECTURE)
            else None
        )
        if prefecture is None:
            errors["prefecture_code"] = "市州不存在或不在您的范围内"
        meeting.prefecture = prefecture
    else:
        meeting.level = "province"
        if scope.role != Role.PROVINCE:
            errors["partnership_id"] = "请选择帮扶关系或县（省级会议由省卫健委登记）"
    owners = _decision_owners(actor, draft.decisions, errors)
    for number, text in enumerate(draft.information, start=1):
        _text_problem(errors, f"information.{number}", text, 1000, True)
    if errors:
        raise ValidationError(errors)
    meeting.save()
    audit_record(
        actor=actor,
        action="meeting_create",
        obj=meeting,
        after={
            "kind": meeting.kind,
            "level": meeting.level,
            "title": meeting.title,
            "held_on": meeting.held_on,
            "decisions": len(draft.decisions),
        },
    )
    if draft.information:
        notes = AgendaItem.objects.create(meeting=meeting, position=1, title="通报事项")
        for text in draft.information:
            Outcome.objects.create(agenda_item=notes, kind="information", text=text.strip())
    if draft.decisions:
        item = AgendaItem.objects.create(
            meeting=meeting, position=2 if draft.information else 1, title="决定事项"
        )
        for decision, owner in zip(draft.decisions, owners, strict=True):
            outcome = Outcome.objects.create(
                agenda_item=item, kind="task" if owner else "decision", text=decision.text.strip()
            )
            if owner is not None and decision.due is not None:
                _task_create(actor, meeting, outcome, owner, decision.due)
    return meeting


def _decision_owners(
    actor: User, decisions: Sequence[DecisionDraft], errors: dict[str, str]
) -> list[Institution | User | None]:
    institutions = owner_institutions_for_meeting(user=actor)
    scope = scope_for_user(actor)
    owners: list[Institution | User | None] = []
    for number, decision in enumerate(decisions, start=1):
        name = f"decisions.{number}"
        _text_problem(errors, f"{name}.text", decision.text, 1000, True)
        owner: Institution | User | None = None
        if decision.owner_institution_id is not None and decision.owner_user_id is not None:
            errors[name] = "责任单位与责任人只能填一个"
        elif decision.owner_institution_id is not None:
            owner = institutions.filter(pk=decision.owner_institution_id).first()
            if owner is None:
                errors[f"{name}.owner_institution_id"] = "责任单位不存在或不在您的范围内"
        elif decision.owner_user_id is not None:
            candidate = User.objects.filter(pk=decision.owner_user_id, is_active=True).first()
            readable = candidate is not None and (
                scope.whole_province
                or (
                    candidate.institution_id is not None
                    and institutions.filter(pk=candidate.institution_id).exists()
                )
                or (
                    candidate.county_id is not None
                    and scope.counties(County.objects.filter(pk=candidate.county_id)).exists()
                )
                or candidate.pk == actor.pk
            )
            if not readable:
                errors[f"{name}.owner_user_id"] = "责任人不存在或不在您的范围内"
            else:
                owner = candidate
        if owner is not None and decision.due is None:
            errors[f"{name}.due"] = "有责任单位或责任人的决定事项须填写完成期限"
        owners.append(owner)
    return owners


def _task_create(
    actor: User, meeting: Meeting, outcome: Outcome, owner: Institution | User, due: date
) -> FollowUpTask:
    task = FollowUpTask.objects.create(
        meeting=meeting,
        outcome=outcome,
        text=outcome.text,
        owner_institution=owner if isinstance(owner, Institution) else None,
        owner_user=owner if isinstance(owner, User) else None,
        due=due,
    )
    audit_record(
        actor=actor,
        action="task_assign",
        obj=task,
        after={
            "meeting": meeting.pk,
            "owner_institution": task.owner_institution_id,
            "owner_user": task.owner_user_id,
            "due": due,
        },
    )
    if isinstance(owner, User):
        recipients = [owner]
    else:
        recipients = list(
            User.objects.filter(institution=owner, role__in=HOSPITAL_ROLES, is_active=True)
            .exclude(role=Role.EXPERT)
            .order_by("pk")
        )
    notification_send(
        actor=actor,
        recipients=recipients,
        message=Message(
            kind=TASK_ASSIGNED,
            title=f"新的跟进任务：{task.text[:80]}",
            body=f"来自{MEETING_KIND_LABELS[meeting.kind]}“{meeting.title}”（{meeting.held_on:%Y-%m-%d}），"
            f"完成期限 {due:%Y-%m-%d}。",
            link=reverse("coordination:task_list") + "?mine=1",
            object_label=meeting.title,
        ),
        obj=task,
    )
    return task


def task_can_complete(user: User, task: FollowUpTask) -> bool:
    """The owner marks a task done: the owning user, or a user of the owning institution."""
    if task.owner_user_id is not None:
        return task.owner_user_id == user.pk
    return user.role in HOSPITAL_ROLES and user.institution_id == task.owner_institution_id


@transaction.atomic
def task_mark_done(
    *, actor: User, task: FollowUpTask, done_on: date, result_note: str = ""
) -> FollowUpTask:
    if not task_can_complete(actor, task):
        raise PermissionDenied("只有任务的责任单位或责任人可以办结")
    task = FollowUpTask.objects.select_for_update().get(pk=task.pk)
    if task.done_on is not None:
        raise ValidationError({"task": "该任务已办结"})
    errors: dict[str, str] = {}
    _text_problem(errors, "result_note", result_note, 1000, False)
    if errors:
        raise ValidationError(errors)
    task.done_on = done_on
    task.done_by = actor
    task.result_note = result_note.strip()
    task.save(update_fields=["done_on", "done_by", "result_note"])
    audit_record(
        actor=actor,
        action="task_done",
        obj=task,
        after={"done_on": done_on, "result_note": task.result_note},
    )
    return task


ATTACHMENT_KINDS = SCAN_KINDS


def meeting_can_attach(user: User, meeting: Meeting) -> bool:
    """Those who record meetings add files to the meetings they read (the caller has read it)."""
    return user.role in RECORDING_ROLES


@transaction.atomic
def meeting_attachment_add(
    *, actor: User, meeting: Meeting, upload: UploadedFile[bytes]
) -> MeetingAttachment:
    """Keep a file with the meeting: refused unless its content is a PDF, JPEG or PNG matching
    its name (`core.uploads`)."""
    if not meeting_can_attach(actor, meeting):
        raise PermissionDenied("您的角色不能上传会议附件")
    stored = upload_checked(upload, field="file", label="会议附件", kinds=ATTACHMENT_KINDS)
    attachment = MeetingAttachment(meeting=meeting, uploaded_by=actor, name=stored[:200])
    attachment.file.save(stored, upload, save=False)
    attachment.save()
    audit_record(
        actor=actor,
        action="meeting_attachment_add",
        obj=attachment,
        after={"meeting": meeting.pk, "file": attachment.file.name},
    )
    return attachment
