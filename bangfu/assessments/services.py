"""Writes to the yearly self-assessments: open a year, edit a draft, act in the review chain,
attach files (§七, issue #12). Each write is one transaction with one audit row."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bangfu.accounts.models import Role, User
from bangfu.assessments.domain.review import (
    LEVEL_CODES,
    Action,
    Status,
    is_editable,
    rating_from,
    ratings_problems,
    review_step,
    submission_problems,
)
from bangfu.assessments.models import Approval, Assessment, AssessmentAttachment
from bangfu.assessments.selectors import (
    Editor,
    agreements_in_force_during,
    assessment_editor,
    last_level,
    measure_codes,
    user_level,
)
from bangfu.capability.services import capability_values_confirm
from bangfu.core.audit import audit_record
from bangfu.core.text import forbidden_characters_message
from bangfu.core.uploads import SCAN_KINDS, FileKind, upload_checked, upload_kind
from bangfu.notifications.domain.kinds import ASSESSMENT_APPROVED, ASSESSMENT_RETURNED
from bangfu.notifications.services import Message, institution_users, notification_send
from bangfu.registry.scope import scope_for_user

ATTACHMENT_CONTENT_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.JPEG: "image/jpeg",
    FileKind.PNG: "image/png",
}


class ReviewRefused(PermissionDenied):
    """The review chain refuses this action now (out of turn, wrong level, locked): 403."""


@dataclass(frozen=True)
class YearOpened:
    year: int
    created: int
    existing: int


@transaction.atomic
def assessment_year_open(*, actor: User | None, year: int, due_on: date | None) -> YearOpened:
    """Create one draft self-assessment per agreement in force at any time in ``year``
    (§七 每年开展一次自查自评). Idempotent: agreements that already have one are left alone
    (their due date too), so a re-run adds only newly qualifying agreements."""
    if actor is not None and scope_for_user(actor).role != Role.PROVINCE:
        raise PermissionDenied("只有省卫生健康委可以开启年度自查自评")
    agreements = agreements_in_force_during(year)
    have = set(
        Assessment.objects.filter(year=year, agreement__in=agreements).values_list(
            "agreement_id", flat=True
        )
    )
    created = 0
    for agreement in agreements:
        if agreement.pk in have:
            continue
        assessment = Assessment.objects.create(agreement=agreement, year=year, due_on=due_on)
        audit_record(
            actor=actor,
            action="assessment_open",
            obj=assessment,
            after={"agreement": agreement.pk, "year": year, "due_on": due_on},
        )
        created += 1
    return YearOpened(year=year, created=created, existing=len(have))


def _locked(assessment: Assessment) -> Assessment:
    """Re-read the row under a lock so two reviewers cannot both act on the same status."""
    return Assessment.objects.select_for_update().get(pk=assessment.pk)


def _text_problems(fields: Mapping[str, str | None]) -> dict[str, str]:
    problems = {}
    for name, value in fields.items():
        if value is None:
            continue
        message = forbidden_characters_message(value)
        if message:
            problems[name] = message
    return problems


@dataclass(frozen=True)
class AssessmentChanges:
    """What an edit changes; None leaves a field as it is."""

    ratings: Mapping[str, str] | None = None
    results_text: str | None = None
    problems_text: str | None = None
    next_steps_text: str | None = None
    helper_comments: str | None = None


@transaction.atomic
def assessment_update(
    *, actor: User, assessment: Assessment, changes: AssessmentChanges
) -> Assessment:
    """Edit a draft or returned assessment: the recipient hospital its ratings and narrative
    (成效、问题、下一步), the helper hospital its comments. Locked or submitted: refused."""
    editor = assessment_editor(actor, assessment)
    if editor is None:
        raise PermissionDenied("只有帮扶关系双方的医院可以填写自查自评")
    current = _locked(assessment)
    if not is_editable(Status(current.status)):
        raise PermissionDenied(
            f"当前状态为“{Status(current.status).label}”，不能修改（已提交或已验收）"
        )
    hospital_fields = {
        "ratings": changes.ratings,
        "results_text": changes.results_text,
        "problems_text": changes.problems_text,
        "next_steps_text": changes.next_steps_text,
    }
    if editor is Editor.HELPER and any(v is not None for v in hospital_fields.values()):
        raise PermissionDenied("帮扶医院只能填写帮扶医院意见，自评与总结由受扶医院填写")
    if editor is Editor.RECIPIENT and changes.helper_comments is not None:
        raise PermissionDenied("帮扶医院意见由帮扶医院填写")
    problems = _text_problems(
        {
            "results_text": changes.results_text,
            "problems_text": changes.problems_text,
            "next_steps_text": changes.next_steps_text,
            "helper_comments": changes.helper_comments,
        }
    )
    if changes.ratings is not None:
        rating_errors = ratings_problems(changes.ratings, measure_codes(assessment))
        if rating_errors:
            problems["ratings"] = "；".join(rating_errors)
    if problems:
        raise ValidationError(problems)
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    updated = []
    if changes.ratings is not None:
        ratings = {}
        for code, text in changes.ratings.items():
            rating = rating_from(text)
            assert rating is not None  # checked above
            ratings[code] = rating.value
        merged = {**current.ratings, **ratings}
        if merged != current.ratings:
            before["ratings"], after["ratings"] = current.ratings, merged
            current.ratings = merged
            updated.append("ratings")
    for name in ("results_text", "problems_text", "next_steps_text", "helper_comments"):
        value = getattr(changes, name)
        if value is not None and value != getattr(current, name):
            before[name], after[name] = getattr(current, name), value
            setattr(current, name, value)
            updated.append(name)
    if updated:
        current.save(update_fields=[*updated, "updated_at"])
        audit_record(
            actor=actor, action="assessment_update", obj=current, before=before, after=after
        )
    return current


@transaction.atomic
def assessment_act(
    *, actor: User, assessment: Assessment, action: Action, comment: str = ""
) -> Assessment:
    """Submit, approve, return or reopen (domain.review decides; §七). Each step is stored as an
    Approval row (level, decision, person, time, comment) and audited."""
    message = forbidden_characters_message(comment)
    if message:
        raise ValidationError({"comment": message})
    level = user_level(actor)
    if action is Action.SUBMIT and assessment_editor(actor, assessment) is not Editor.RECIPIENT:
        raise ReviewRefused("只有该协议的受扶医院可以提交自查自评（§七 强化自查自评）")
    current = _locked(assessment)
    status = Status(current.status)
    step = review_step(status, level, action, last_level=last_level(assessment), comment=comment)
    if step.new_status is None:
        if action in (Action.RETURN, Action.REOPEN) and not comment.strip() and level:
            # The only refusal a comment would lift: a 422 naming the field.
            retry = review_step(
                status, level, action, last_level=last_level(assessment), comment="-"
            )
            if retry.allowed:
                raise ValidationError({"comment": step.refusal})
        raise ReviewRefused(step.refusal)
    if action is Action.SUBMIT:
        missing = submission_problems(
            current.ratings, measure_codes(assessment), current.results_text
        )
        if missing:
            raise ValidationError("；".join(missing))
    assert level is not None  # an allowed step has a level
    now = timezone.now()
    Approval.objects.create(
        assessment=current,
        level=LEVEL_CODES[level],
        decision=step.decision,
        by=actor,
        at=now,
        comment=comment.strip(),
    )
    updated = ["status", "updated_at"]
    before_status = current.status
    current.status = step.new_status.value
    if action is Action.SUBMIT:
        current.submitted_at = now
        updated.append("submitted_at")
    current.save(update_fields=updated)
    if action is Action.APPROVE and current.status == "county_approved":
        # The county reviews the year's capability indicator values with the assessment (§一,
        # §七): approving it confirms the hospital's values still pending for that year.
        capability_values_confirm(
            actor=actor,
            institution=current.agreement.partnership.recipient,
            year=current.year,
            when_none="skip",
        )
    _notify_review_step(actor, current, action, comment.strip())
    audit_record(
        actor=actor,
        action=f"assessment_{action.value}",
        obj=current,
        before={"status": before_status},
        after={"status": current.status, "comment": comment.strip()},
    )
    return current


def _notify_review_step(actor: User, assessment: Assessment, action: Action, comment: str) -> None:
    """The recipient hospital hears when its self-assessment is returned, reopened or approved
    at a level (F11); the comment travels with it."""
    if action is Action.SUBMIT:
        return
    partnership = assessment.agreement.partnership
    returned = action in (Action.RETURN, Action.REOPEN)
    status_label = dict(Assessment._meta.get_field("status").flatchoices).get(
        assessment.status, assessment.status
    )
    notification_send(
        actor=actor,
        recipients=institution_users([partnership.recipient_id]),
        message=Message(
            kind=ASSESSMENT_RETURNED if returned else ASSESSMENT_APPROVED,
            title=f"{assessment.year} 年自查自评{'被退回' if returned else '审核通过'}：{status_label}",
            body=comment,
            link=reverse("assessments:assessment_detail", args=[assessment.pk]),
            object_label=f"{partnership.recipient.name}（{partnership.helper.name}）",
        ),
        obj=assessment,
    )


@transaction.atomic
def assessment_attachment_add(
    *, actor: User, assessment: Assessment, upload: UploadedFile[bytes]
) -> AssessmentAttachment:
    """Attach a PDF or photo to a draft; either side of the partnership may (content checked)."""
    if assessment_editor(actor, assessment) is None:
        raise PermissionDenied("只有帮扶关系双方的医院可以上传附件")
    current = _locked(assessment)
    if not is_editable(Status(current.status)):
        raise PermissionDenied("已提交或已验收的自查自评不能再上传附件")
    stored = upload_checked(upload, field="file", label="附件", kinds=SCAN_KINDS)
    kind = upload_kind(upload, SCAN_KINDS)
    assert kind is not None  # accepted by upload_checked
    name = (upload.name or "attachment").rsplit("/", 1)[-1][:200]
    attachment = AssessmentAttachment(
        assessment=current,
        name=name,
        content_type=ATTACHMENT_CONTENT_TYPES[kind],
        uploaded_by=actor,
    )
    attachment.file.save(stored, upload, save=False)
    attachment.save()
    audit_record(
        actor=actor,
        action="assessment_attachment_add",
        obj=current,
        after={"file": attachment.file.name, "name": name},
    )
    return attachment
