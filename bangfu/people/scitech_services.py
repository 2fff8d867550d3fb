"""The 省科技厅's decisions on S&T project applications (§五): one write, audited, and the two
hospitals of the applying team told.

Refusals follow `people.domain.scitech.scitech_status_decision`: not the user's to make is
`PermissionDenied` (403), not from the current status is `StatusConflict` (409), an incomplete
request (no reason for 不予立项) is a `ValidationError` naming the field (422)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from bangfu.accounts.models import User
from bangfu.core.audit import audit_record, model_snapshot
from bangfu.core.clock import today_local
from bangfu.core.duplicates import DuplicateError
from bangfu.notifications.domain.kinds import SCITECH_STATUS
from bangfu.notifications.services import Message, institution_users, notification_send
from bangfu.people.domain.scitech import (
    FINAL_STATUSES,
    STATUS_LABELS,
    Refusal,
    ScitechStatus,
    scitech_status_decision,
)
from bangfu.people.models import SciTechApplication

DECISION_FIELDS = ("status", "decided_on", "decision_note")


class StatusConflict(DuplicateError):
    """The application's status does not allow the change (e.g. already decided, or moved on
    by someone else meanwhile). A `DuplicateError` so the API answers 409 like any conflict
    with stored data."""


@transaction.atomic
def scitech_application_set_status(
    *, actor: User, application: SciTechApplication, status: str, note: str = ""
) -> SciTechApplication:
    """Move an application to `status` (已受理, 已立项, 不予立项) if `scitech_status_decision`
    allows it; a final decision is dated today. Writes one audit row and tells the users of the
    team's helper and recipient hospitals."""
    application = (
        SciTechApplication.objects.select_for_update()
        .select_related("team__partnership__helper", "team__partnership__recipient")
        .get(pk=application.pk)
    )
    note = note.strip()
    decision = scitech_status_decision(
        application.status, status, role=actor.role, department=actor.department, note=note
    )
    if decision.refusal == Refusal.FORBIDDEN or not actor.is_active:
        raise PermissionDenied(decision.reason or "账号已停用")
    if decision.refusal == Refusal.CONFLICT:
        raise StatusConflict({"status": [decision.reason]})
    if decision.refusal == Refusal.INVALID:
        field = "status" if status not in STATUS_LABELS else "note"
        raise ValidationError({field: [decision.reason]})
    before = model_snapshot(application, DECISION_FIELDS)
    new = ScitechStatus(status)
    application.status = new.value
    application.decision_note = note[:500]
    application.decided_on = today_local() if new in FINAL_STATUSES else None
    application.save(update_fields=list(DECISION_FIELDS))
    audit_record(
        actor=actor,
        action="status",
        obj=application,
        before=before,
        after=model_snapshot(application, DECISION_FIELDS),
    )
    partnership = application.team.partnership
    label = STATUS_LABELS[new]
    notification_send(
        actor=actor,
        recipients=institution_users([partnership.helper_id, partnership.recipient_id]),
        message=Message(
            kind=SCITECH_STATUS,
            title=f"科技项目“{application.project_title}”{label}",
            body=note,
            link=reverse("people:department_services"),
            object_label=f"{partnership.helper.name} → {partnership.recipient.name} "
            f"第{application.team.batch}批帮扶队",
        ),
        obj=application,
    )
    return application
