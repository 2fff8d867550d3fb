"""Department services belong to departments (§五, §六), and the 省科技厅 moves S&T project
applications through 已申报 → 已受理 → 已立项 / 不予立项 (§五): domain tables, the service's audit
row and notifications, the page action and the API's answers."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from bangfu.accounts.models import Department, Role, User
from bangfu.core.models import AuditEntry
from bangfu.notifications.domain.kinds import SCITECH_STATUS
from bangfu.notifications.models import Notification
from bangfu.people.domain.department_services import (
    SERVICE_DEPARTMENT,
    DepartmentService,
    department_services,
    may_record_title_result,
)
from bangfu.people.domain.scitech import (
    Refusal,
    scitech_next_statuses,
    scitech_status_decision,
)
from bangfu.people.models import SciTechApplication, Team
from bangfu.people.services import scitech_application_create

API = "/api/v1/department-services/scitech-applications"


# ---- which department handles which service (one table) ----


@pytest.mark.parametrize(
    ("department", "services"),
    [
        ("human_resources", ("title_applications",)),  # §五 人社厅负责职称申报评审
        ("science", ("scitech_applications",)),  # §五 科技厅 省级科技计划项目
        ("healthcare_security", ("insurance_briefings",)),  # §五 医保局 医保待遇政策
        ("health", ("appointment_letters",)),  # §六 省卫生健康委发放指导专家聘书
        ("organization", ()),
        ("culture_tourism", ()),
        ("united_front", ()),
        ("agriculture", ()),
        ("education", ()),
        ("tcm", ()),
    ],
)
def test_each_department_handles_its_services(department, services):
    assert department in Department.values
    assert tuple(s.value for s in department_services(department)) == services


def test_every_service_belongs_to_exactly_one_known_department():
    assert set(SERVICE_DEPARTMENT) == set(DepartmentService)
    assert set(SERVICE_DEPARTMENT.values()) <= set(Department.values)
    for service in DepartmentService:
        owners = [d for d in Department.values if service in department_services(d)]
        assert owners == [SERVICE_DEPARTMENT[service]]


@pytest.mark.parametrize(
    ("role", "department", "allowed"),
    [
        ("province", "", True),
        ("observer", "human_resources", True),
        ("observer", "science", False),
        ("observer", "", False),
        ("recipient", "", False),
        ("expert", "", False),
    ],
)
def test_title_results_are_recorded_by_the_hr_department_or_the_province(role, department, allowed):
    assert may_record_title_result(role, department) is allowed


# ---- S&T status lifecycle (domain) ----

SCIENCE = ("observer", "science")
PROVINCE = ("province", "")


@pytest.mark.parametrize(
    ("who", "current", "new", "note", "refusal"),
    [
        (SCIENCE, "submitted", "accepted", "", None),
        (SCIENCE, "submitted", "rejected", "不属于支持范围", None),
        (SCIENCE, "submitted", "rejected", "  ", Refusal.INVALID),  # a refusal needs its reason
        (SCIENCE, "submitted", "approved", "", Refusal.CONFLICT),  # accepted first
        (SCIENCE, "accepted", "approved", "", None),
        (SCIENCE, "accepted", "rejected", "经评审未入选", None),
        (SCIENCE, "accepted", "submitted", "", Refusal.CONFLICT),  # never backwards
        (SCIENCE, "accepted", "accepted", "", Refusal.CONFLICT),
        (SCIENCE, "approved", "rejected", "x", Refusal.CONFLICT),  # final
        (SCIENCE, "rejected", "accepted", "", Refusal.CONFLICT),  # final
        (SCIENCE, "submitted", "funded", "", Refusal.INVALID),
        (PROVINCE, "submitted", "accepted", "", None),
        (PROVINCE, "accepted", "approved", "", None),
        (("observer", "human_resources"), "submitted", "accepted", "", Refusal.FORBIDDEN),
        (("observer", ""), "submitted", "accepted", "", Refusal.FORBIDDEN),
        (("recipient", ""), "submitted", "accepted", "", Refusal.FORBIDDEN),
        (("helper", ""), "accepted", "approved", "", Refusal.FORBIDDEN),
        (("county", ""), "submitted", "accepted", "", Refusal.FORBIDDEN),
        (("expert", "science"), "submitted", "accepted", "", Refusal.FORBIDDEN),
    ],
)
def test_scitech_status_moves_forward_by_the_science_department_or_the_province(
    who, current, new, note, refusal
):
    role, department = who
    decision = scitech_status_decision(current, new, role=role, department=department, note=note)
    assert (decision.allowed, decision.refusal) == (refusal is None, refusal)
    assert decision.allowed or decision.reason  # every refusal says why, in Chinese


@pytest.mark.parametrize(
    ("who", "current", "buttons"),
    [
        (SCIENCE, "submitted", ("accepted", "rejected")),
        (SCIENCE, "accepted", ("approved", "rejected")),
        (SCIENCE, "approved", ()),
        (SCIENCE, "rejected", ()),
        (PROVINCE, "submitted", ("accepted", "rejected")),
        (("observer", "health"), "submitted", ()),
        (("recipient", ""), "accepted", ()),
    ],
)
def test_the_buttons_offered_are_the_changes_the_rules_accept(who, current, buttons):
    role, department = who
    assert scitech_next_statuses(current, role=role, department=department) == buttons


# ---- service, page and API ----


@pytest.fixture
def science_user(db):
    return User.objects.create_user(
        username="dept_science_test",
        password="x-Dept-Pass-9",
        role=Role.OBSERVER,
        department=Department.SCIENCE,
    )


@pytest.fixture
def application(db, province_officer, recipient_user, helper_user):
    """An application of the demo team from 番禺 (demo_helper) at 威宁 (demo_recipient)."""
    team = (
        Team.objects.filter(
            partnership__recipient_id=recipient_user.institution_id,
            partnership__helper_id=helper_user.institution_id,
        )
        .select_related("partnership")
        .order_by("pk")
        .first()
    )
    return scitech_application_create(
        actor=province_officer,
        team=team,
        project_title="测试：县域远程影像协同项目",
        programme="省级科技计划项目",
        submitted_on=date(2025, 9, 1),
    )


def test_the_science_department_accepts_an_application_with_an_audit_row_and_notices(
    science_user, application
):
    from bangfu.people.scitech_services import scitech_application_set_status

    partnership = application.team.partnership
    hospital_users = set(
        User.objects.filter(
            institution_id__in=[partnership.helper_id, partnership.recipient_id], is_active=True
        ).values_list("pk", flat=True)
    )
    assert hospital_users  # the demo has users at the main partnership's hospitals
    scitech_application_set_status(
        actor=science_user, application=application, status="accepted", note="材料齐全"
    )
    application.refresh_from_db()
    assert (application.status, application.decided_on, application.decision_note) == (
        "accepted",
        None,
        "材料齐全",
    )
    entry = AuditEntry.objects.filter(object_id=str(application.pk), action="status").get()
    assert entry.actor == science_user
    assert entry.before["status"] == "submitted" and entry.after["status"] == "accepted"
    notices = Notification.objects.filter(kind=SCITECH_STATUS, object_id=str(application.pk))
    assert set(notices.values_list("recipient_id", flat=True)) == hospital_users
    assert "已受理" in notices.first().title


def test_a_final_decision_is_dated_and_a_refusal_writes_nothing(science_user, application):
    from django.core.exceptions import PermissionDenied, ValidationError

    from bangfu.people.scitech_services import StatusConflict, scitech_application_set_status

    with pytest.raises(ValidationError) as missing_reason:
        scitech_application_set_status(
            actor=science_user, application=application, status="rejected"
        )
    assert missing_reason.value.message_dict == {"note": ["不予立项须说明理由"]}
    hr = User.objects.create_user(
        username="dept_hr_test", role=Role.OBSERVER, department=Department.HUMAN_RESOURCES
    )
    with pytest.raises(PermissionDenied):
        scitech_application_set_status(actor=hr, application=application, status="accepted")
    assert not AuditEntry.objects.filter(object_id=str(application.pk), action="status").exists()
    scitech_application_set_status(actor=science_user, application=application, status="accepted")
    scitech_application_set_status(actor=science_user, application=application, status="approved")
    application.refresh_from_db()
    assert application.status == "approved" and application.decided_on is not None
    with pytest.raises(StatusConflict):
        scitech_application_set_status(
            actor=science_user, application=application, status="rejected", note="x"
        )


def test_api_moves_the_status_and_refuses_with_403_409_422_404(
    api_client, science_user, recipient_user, application
):
    url = f"{API}/{application.pk}/status"
    api_client.login(science_user)
    response = api_client.post(url, {"status": "accepted", "note": "受理"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["status_label"], body["decision_note"]) == (
        "accepted",
        "已受理",
        "受理",
    )
    assert body["next_statuses"] == ["approved", "rejected"]

    response = api_client.post(url, {"status": "accepted"})
    assert response.status_code == 409
    assert "不能从“已受理”改为“已受理”" in response.json()["detail"]

    response = api_client.post(url, {"status": "rejected", "note": ""})
    assert response.status_code == 422
    assert response.json()["detail"] == "note：不予立项须说明理由"

    response = api_client.post(url, {"status": "funded"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "status"

    api_client.login(recipient_user)  # the team's own hospital reads it, but does not decide
    response = api_client.post(url, {"status": "approved"})
    assert response.status_code == 403
    assert response.json()["detail"] == "只有省科技厅或省卫健委可以更新科技项目状态"

    api_client.login(science_user)
    response = api_client.post(f"{API}/999999999/status", {"status": "accepted"})
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == "accepted"


def test_the_page_action_moves_the_status_and_shows_a_refusal(client, science_user, application):
    client.force_login(science_user)
    url = reverse("people:scitech_status", args=[application.pk])
    back = reverse("coordination:workspace")
    response = client.post(url, {"status": "accepted", "next": back}, follow=True)
    assert response.redirect_chain[-1][0] == back
    assert "已更新为已受理" in response.content.decode()
    response = client.post(url, {"status": "rejected", "next": back}, follow=True)
    assert "不予立项须说明理由" in response.content.decode()
    response = client.post(url, {"status": "approved", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "people:department_services"
    )
    application.refresh_from_db()
    assert application.status == "approved"


def test_the_page_action_is_403_for_a_hospital(client, helper_user, application):
    client.force_login(helper_user)
    response = client.post(
        reverse("people:scitech_status", args=[application.pk]), {"status": "accepted"}
    )
    assert response.status_code == 403
    assert SciTechApplication.objects.get(pk=application.pk).status == "submitted"
