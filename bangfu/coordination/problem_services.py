"""Writes to the problem log (§五): raising a problem (routed by category, the department's users
notified) and a department's reply with a status change (the raiser notified). Audited."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bangfu.accounts.models import Role, User
from bangfu.coordination.domain.problems import (
    CATEGORY_DEPARTMENT,
    CATEGORY_LABELS,
    STATUS_LABELS,
    ProblemStatus,
    reply_decision,
)
from bangfu.coordination.models import Problem, ProblemReply
from bangfu.coordination.problem_selectors import PROVINCE_DEPARTMENT, problem_can_answer
from bangfu.coordination.selectors import partnerships_for_meeting
from bangfu.core.audit import audit_record
from bangfu.core.text import forbidden_characters_message
from bangfu.notifications.domain.kinds import PROBLEM_ANSWERED, PROBLEM_ROUTED
from bangfu.notifications.services import Message, notification_send

RAISING_ROLES = (Role.RECIPIENT, Role.HELPER, Role.COUNTY, Role.EXPERT)


@dataclass(frozen=True)
class ProblemDraft:
    category: str
    title: str
    description: str
    partnership_id: int | None = None


def _problem_link(problem: Problem) -> str:
    return reverse("coordination:problem_detail", args=[problem.pk])


@transaction.atomic
def problem_raise(*, actor: User, draft: ProblemDraft) -> Problem:
    """A hospital, county office or expert raises a problem about one of its partnerships (or,
    a county office, its county); the category routes it to its department, whose users are
    notified."""
    if actor.role not in RAISING_ROLES:
        raise PermissionDenied("您的角色不能提出问题")
    errors: dict[str, str] = {}
    if draft.category not in CATEGORY_LABELS:
        errors["category"] = "取值无效"
    for name, value, limit in (
        ("title", draft.title, 200),
        ("description", draft.description, 5000),
    ):
        if not value.strip():
            errors[name] = "必填"
        elif len(value) > limit:
            errors[name] = f"不能超过 {limit} 个字符"
        elif message := forbidden_characters_message(value):
            errors[name] = message
    partnership = None
    county_id = actor.county_id if actor.role == Role.COUNTY else None
    if draft.partnership_id is not None:
        partnership = partnerships_for_meeting(user=actor).filter(pk=draft.partnership_id).first()
        if partnership is None:
            errors["partnership_id"] = "帮扶关系不存在或不在您的范围内"
        else:
            county_id = partnership.recipient.county_id
    if county_id is None and "partnership_id" not in errors:
        errors["partnership_id"] = "请选择问题涉及的帮扶关系"
    if errors:
        raise ValidationError(errors)
    assert county_id is not None
    problem = Problem.objects.create(
        raised_by=actor,
        raised_by_institution_id=actor.institution_id
        if actor.role in (Role.RECIPIENT, Role.HELPER, Role.EXPERT)
        else None,
        partnership=partnership,
        county_id=county_id,
        category=draft.category,
        department=CATEGORY_DEPARTMENT[draft.category],
        title=draft.title.strip(),
        description=draft.description.strip(),
    )
    audit_record(
        actor=actor,
        action="problem_raise",
        obj=problem,
        after={"category": problem.category, "department": problem.department},
    )
    answerers = User.objects.filter(
        is_active=True, role=Role.OBSERVER, department=problem.department
    )
    if problem.department == PROVINCE_DEPARTMENT:
        answerers = answerers | User.objects.filter(is_active=True, role=Role.PROVINCE)
    notification_send(
        actor=actor,
        recipients=list(answerers.order_by("pk")),
        message=Message(
            kind=PROBLEM_ROUTED,
            title=f"转来的问题（{CATEGORY_LABELS[problem.category]}）：{problem.title}",
            body=problem.description[:500],
            link=_problem_link(problem),
            object_label=problem.title,
        ),
        obj=problem,
    )
    return problem


@transaction.atomic
def problem_reply(
    *, actor: User, problem: Problem, text: str, status: str, reason: str = ""
) -> ProblemReply:
    """The routed department answers, moving the status on (`domain.problems.reply_decision`);
    the raiser is notified of each reply."""
    if not problem_can_answer(actor, problem):
        raise PermissionDenied("只有承办部门可以答复")
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    errors: dict[str, str] = {}
    if status not in STATUS_LABELS:
        errors["status"] = "取值无效"
    if not text.strip():
        errors["text"] = "必填"
    elif len(text) > 5000:
        errors["text"] = "不能超过 5000 个字符"
    elif message := forbidden_characters_message(text + reason):
        errors["text"] = message
    if len(reason) > 1000:
        errors["reason"] = "不能超过 1000 个字符"
    if errors:
        raise ValidationError(errors)
    decision = reply_decision(problem.status, status, reason)
    if not decision.allowed:
        raise ValidationError({"status": decision.reason})
    reply = ProblemReply.objects.create(
        problem=problem, author=actor, text=text.strip(), status_after=status
    )
    before = problem.status
    problem.status = status
    if reason.strip():
        problem.status_reason = reason.strip()
    if status in (ProblemStatus.CLOSED, ProblemStatus.DECLINED):
        problem.closed_at = timezone.now()
    problem.save(update_fields=["status", "status_reason", "closed_at"])
    audit_record(
        actor=actor,
        action="problem_reply",
        obj=problem,
        before={"status": before},
        after={"status": status, "reply": reply.pk},
    )
    notification_send(
        actor=actor,
        recipients=[problem.raised_by],
        message=Message(
            kind=PROBLEM_ANSWERED,
            title=f"问题有了答复（{STATUS_LABELS[status]}）：{problem.title}",
            body=reply.text[:500],
            link=_problem_link(problem),
            object_label=problem.title,
        ),
        obj=problem,
    )
    return reply
