"""Meetings with decisions that become follow-up tasks: scope, lifecycle, notifications."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.coordination.domain.meetings import TaskStatus, task_status
from bangfu.coordination.models import FollowUpTask, Meeting
from bangfu.coordination.selectors import task_status_filter
from bangfu.core.models import AuditEntry
from bangfu.notifications.domain.kinds import TASK_ASSIGNED
from bangfu.notifications.models import Notification
from bangfu.partnerships.models import Partnership

pytestmark = pytest.mark.django_db

DUE = date(2026, 12, 31)


@pytest.mark.parametrize(
    ("due", "done_on", "today", "status"),
    [
        (date(2026, 6, 30), None, date(2026, 6, 29), TaskStatus.OPEN),
        (date(2026, 6, 30), None, date(2026, 6, 30), TaskStatus.OPEN),
        (date(2026, 6, 30), None, date(2026, 7, 1), TaskStatus.OVERDUE),
        (date(2026, 6, 30), date(2026, 7, 5), date(2026, 8, 1), TaskStatus.DONE),
    ],
)
def test_a_task_is_open_until_its_due_day_then_overdue_unless_done(due, done_on, today, status):
    assert task_status(due, done_on, today) is status


def _partnership_of(user):
    partnership = Partnership.objects.filter(recipient_id=user.institution_id).first()
    assert partnership is not None
    return partnership


def _meeting_body(partnership, owner_institution_id, **changes):
    body = {
        "kind": "consultation",
        "partnership_id": partnership.pk,
        "held_on": "2026-05-10",
        "title": "第二季度会商",
        "minutes": "双方通报了进展。",
        "decisions": [
            {
                "text": "完善胸痛中心建设方案",
                "owner_institution_id": owner_institution_id,
                "due": "2026-12-31",
            },
            {"text": "下季度继续派驻", "due": None},
        ],
    }
    body.update(changes)
    return body


def test_a_county_officer_records_a_meeting_and_the_hospital_gets_the_task(
    api_client, county_officer, recipient_user, helper_user
):
    partnership = _partnership_of(recipient_user)
    api_client.login(county_officer)
    response = api_client.post(
        "/api/v1/meetings", _meeting_body(partnership, recipient_user.institution_id)
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["level"] == "partnership" and body["kind_label"] == "会商会议"
    assert [o["kind"] for o in body["outcomes"]] == ["task", "decision"]
    [task] = body["tasks"]
    assert task["owner_institution_id"] == recipient_user.institution_id
    assert task["status"] == ("open" if timezone.localdate() <= DUE else "overdue")

    meeting = Meeting.objects.get(pk=body["id"])
    assert AuditEntry.objects.filter(action="meeting_create", object_id=str(meeting.pk)).exists()
    assert AuditEntry.objects.filter(action="task_assign", object_id=str(task["id"])).exists()
    notified = Notification.objects.filter(kind=TASK_ASSIGNED, object_id=str(task["id"]))
    assert recipient_user in [n.recipient for n in notified]
    assert helper_user not in [n.recipient for n in notified]

    # The hospital sees it on its to-do list; the helper hospital does not.
    api_client.login(recipient_user)
    mine = api_client.get("/api/v1/tasks", mine=1, status="open").json()
    assert task["id"] in [t["id"] for t in mine["items"]]
    api_client.login(helper_user)
    assert task["id"] not in [t["id"] for t in api_client.get("/api/v1/tasks").json()["items"]]
    assert api_client.post(f"/api/v1/tasks/{task['id']}/done", {}).status_code == 404

    # The county officer sees it but may not complete it; the hospital completes it.
    api_client.login(county_officer)
    assert task["id"] in [t["id"] for t in api_client.get("/api/v1/tasks").json()["items"]]
    assert api_client.post(f"/api/v1/tasks/{task['id']}/done", {}).status_code == 403
    api_client.login(recipient_user)
    done = api_client.post(f"/api/v1/tasks/{task['id']}/done", {"result_note": "方案已印发"})
    assert done.status_code == 200
    assert done.json()["status"] == "done" and done.json()["result_note"] == "方案已印发"
    assert api_client.post(f"/api/v1/tasks/{task['id']}/done", {}).status_code == 422
    assert AuditEntry.objects.filter(action="task_done", actor=recipient_user).exists()


def test_nobody_records_a_meeting_outside_their_scope(api_client, county_officer, expert_user):
    outside = Partnership.objects.exclude(recipient__county_id=county_officer.county_id).first()
    assert outside is not None
    api_client.login(county_officer)
    response = api_client.post(
        "/api/v1/meetings", _meeting_body(outside, outside.recipient_id, decisions=[])
    )
    assert response.status_code == 422
    assert "partnership_id" in response.json()["detail"]
    api_client.login(expert_user)
    inside = Partnership.objects.filter(recipient__county_id=county_officer.county_id).first()
    assert (
        api_client.post("/api/v1/meetings", _meeting_body(inside, None, decisions=[])).status_code
        == 403
    )
    assert Meeting.objects.filter(title="第二季度会商").count() == 0


def test_a_decision_with_an_owner_needs_a_due_day(api_client, county_officer, recipient_user):
    partnership = _partnership_of(recipient_user)
    api_client.login(county_officer)
    body = _meeting_body(
        partnership,
        None,
        decisions=[{"text": "x", "owner_institution_id": recipient_user.institution_id}],
    )
    response = api_client.post("/api/v1/meetings", body)
    assert response.status_code == 422
    assert "decisions.1.due" in response.json()["detail"]


def test_a_county_meeting_by_county_code_and_the_meeting_list_scope(
    api_client, county_officer, recipient_user, province_officer
):
    code = county_officer.county.code
    api_client.login(county_officer)
    response = api_client.post(
        "/api/v1/meetings",
        {
            "kind": "joint_conference",
            "county_code": code,
            "held_on": "2026-04-01",
            "title": "县联席会议",
        },
    )
    assert response.status_code == 201
    meeting_id = response.json()["id"]
    assert response.json()["level"] == "county" and response.json()["county_code"] == code
    api_client.login(province_officer)
    assert api_client.get(f"/api/v1/meetings/{meeting_id}").status_code == 200
    api_client.login(recipient_user)  # a hospital reads partnership meetings, not the county's
    assert api_client.get(f"/api/v1/meetings/{meeting_id}").status_code == 404


def test_the_status_filter_agrees_with_the_domain_on_every_task(
    api_client, county_officer, recipient_user
):
    partnership = _partnership_of(recipient_user)
    api_client.login(county_officer)
    for due in ("2026-01-01", "2026-06-30", "2026-12-31"):
        decision = {
            "text": f"任务 {due}",
            "owner_institution_id": recipient_user.institution_id,
            "due": due,
        }
        api_client.post("/api/v1/meetings", _meeting_body(partnership, None, decisions=[decision]))
    FollowUpTask.objects.filter(due=date(2026, 1, 1)).update(done_on=date(2026, 1, 2))
    today = date(2026, 6, 30)
    for task in FollowUpTask.objects.all():
        status = task_status(task.due, task.done_on, today)
        assert FollowUpTask.objects.filter(task_status_filter(status, today), pk=task.pk).exists()


def test_the_to_do_page_lists_the_task_and_the_owner_marks_it_done(
    client, county_officer, recipient_user, django_assert_max_num_queries
):
    partnership = _partnership_of(recipient_user)
    client.force_login(county_officer)
    response = client.post(
        reverse("coordination:meeting_create"),
        {
            "kind": "consultation",
            "partnership": partnership.pk,
            "held_on": "2026-05-10",
            "title": "页面登记的会商",
            "decision_1_text": "提交人才培养计划",
            "decision_1_owner": recipient_user.institution_id,
            "decision_1_due": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    task = FollowUpTask.objects.get(text="提交人才培养计划")

    client.force_login(recipient_user)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("coordination:task_list"))
    assert "提交人才培养计划" in page.content.decode()
    client.post(reverse("coordination:task_done", args=[task.pk]), {"result_note": "已提交"})
    task.refresh_from_db()
    assert task.done_on == timezone.localdate() and task.done_by == recipient_user

    client.force_login(county_officer)
    detail = client.get(reverse("coordination:meeting_detail", args=[task.meeting_id]))
    assert "已提交" in detail.content.decode()
    export = client.get(reverse("coordination:task_export") + "?mine=0")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_demo_has_meetings_with_an_overdue_task_and_reloading_adds_nothing(province_officer):
    from bangfu.coordination.demo import coordination_demo_load

    today = timezone.localdate()
    statuses = {task_status(t.due, t.done_on, today) for t in FollowUpTask.objects.all()}
    assert {TaskStatus.OVERDUE, TaskStatus.DONE, TaskStatus.OPEN} <= statuses
    counts = (Meeting.objects.count(), FollowUpTask.objects.count(), Notification.objects.count())
    coordination_demo_load(today=today)
    assert counts == (
        Meeting.objects.count(),
        FollowUpTask.objects.count(),
        Notification.objects.count(),
    )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


def test_a_meeting_keeps_checked_attachments_served_only_in_scope(
    client, settings, tmp_path, county_officer, recipient_user, helper_user
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    meeting = Meeting.objects.filter(level="county").first()
    assert meeting is not None
    client.force_login(county_officer)
    url = reverse("coordination:meeting_attachment_upload", args=[meeting.pk])
    client.post(url, {"file": SimpleUploadedFile("签到表.pdf", PDF)})
    client.post(url, {"file": SimpleUploadedFile("伪装.pdf", PNG)})
    client.post(url, {"file": SimpleUploadedFile("纪要.txt", b"hello")})
    [attachment] = meeting.attachments.all()
    assert attachment.name == "签到表.pdf"
    assert AuditEntry.objects.filter(action="meeting_attachment_add", actor=county_officer).exists()
    file_url = reverse("coordination:meeting_attachment_file", args=[meeting.pk, attachment.pk])
    assert b"".join(client.get(file_url).streaming_content) == PDF
    client.force_login(helper_user)  # the helper hospital does not read a county meeting
    assert client.get(file_url).status_code == 404
    assert client.post(url, {"file": SimpleUploadedFile("x.pdf", PDF)}).status_code == 404
    assert meeting.attachments.count() == 1
