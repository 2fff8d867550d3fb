"""The problem log (§五): routing by category, scope per department, replies and notifications."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bangfu.accounts.models import Department, Role, User
from bangfu.coordination.domain.problems import CATEGORY_DEPARTMENT, reply_decision
from bangfu.coordination.models import Problem
from bangfu.core.models import AuditEntry
from bangfu.notifications.domain.kinds import PROBLEM_ANSWERED, PROBLEM_ROUTED
from bangfu.notifications.models import Notification
from bangfu.partnerships.models import Partnership

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("category", "department"),
    [
        ("post", "organization"),
        ("title", "human_resources"),
        ("insurance_catalogue", "healthcare_security"),
        ("research", "science"),
        ("tourism_card", "culture_tourism"),
        ("living", "health"),
        ("other", "health"),
    ],
)
def test_each_category_routes_to_its_department(category, department):
    assert CATEGORY_DEPARTMENT[category] == department
    assert department in Department.values


@pytest.mark.parametrize(
    ("current", "new", "reason", "allowed"),
    [
        ("submitted", "accepted", "", True),
        ("submitted", "submitted", "", True),  # a reply without a change
        ("submitted", "declined", "", False),  # declining needs its reason
        ("submitted", "declined", "不属本部门职责", True),
        ("accepted", "in_progress", "", True),
        ("in_progress", "accepted", "", False),  # never backwards
        ("in_progress", "closed", "", True),
        ("closed", "closed", "", False),  # closed: no more replies
        ("declined", "accepted", "", False),
    ],
)
def test_a_reply_moves_the_status_forward_only(current, new, reason, allowed):
    assert reply_decision(current, new, reason).allowed is allowed


def _department_user(department: str) -> User:
    return User.objects.create_user(
        username=f"dept_{department}",
        password="x-Dept-Pass-9",
        role=Role.OBSERVER,
        department=department,
    )


def _raise(api_client, user, category="title", partnership=None):
    partnership = (
        partnership or Partnership.objects.filter(recipient_id=user.institution_id).first()
    )
    api_client.login(user)
    return api_client.post(
        "/api/v1/problems",
        {
            "category": category,
            "title": "专家职称评审材料互认",
            "description": "派驻专家的帮扶经历如何在职称评审中认定？",
            "partnership_id": partnership.pk,
        },
    )


def test_a_hospital_raises_a_problem_the_department_answers_and_the_raiser_is_notified(
    api_client, recipient_user, county_officer
):
    hrss = _department_user(Department.HUMAN_RESOURCES)
    science = _department_user(Department.SCIENCE)
    response = _raise(api_client, recipient_user)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["department"] == "human_resources" and body["status"] == "submitted"
    problem_id = body["id"]
    assert Notification.objects.filter(recipient=hrss, kind=PROBLEM_ROUTED).exists()
    assert AuditEntry.objects.filter(action="problem_raise", object_id=str(problem_id)).exists()

    # Routed to 人社厅 only: 科技厅 neither sees nor answers it; the county office sees it.
    api_client.login(science)
    assert api_client.get(f"/api/v1/problems/{problem_id}").status_code == 404
    seen = api_client.get("/api/v1/problems").json()["items"]
    assert problem_id not in [p["id"] for p in seen]
    assert {p["department"] for p in seen} <= {"science"}
    api_client.login(county_officer)
    assert api_client.get(f"/api/v1/problems/{problem_id}").status_code == 200
    reply = {"text": "已受理", "status": "accepted"}
    assert api_client.post(f"/api/v1/problems/{problem_id}/replies", reply).status_code == 403

    api_client.login(hrss)
    assert problem_id in [p["id"] for p in api_client.get("/api/v1/problems").json()["items"]]
    response = api_client.post(f"/api/v1/problems/{problem_id}/replies", reply)
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert [r["text"] for r in response.json()["replies"]] == ["已受理"]
    notice = Notification.objects.get(
        recipient=recipient_user, kind=PROBLEM_ANSWERED, object_id=str(problem_id)
    )
    assert notice.link == f"/coordination/problems/{problem_id}/"

    declined = {"text": "不予受理", "status": "declined"}
    response = api_client.post(f"/api/v1/problems/{problem_id}/replies", declined)
    assert response.status_code == 422 and "理由" in response.json()["detail"]
    closed = {"text": "已协调互认", "status": "closed"}
    assert api_client.post(f"/api/v1/problems/{problem_id}/replies", closed).status_code == 200
    problem = Problem.objects.get(pk=problem_id)
    assert problem.status == "closed" and problem.closed_at is not None
    answered = Notification.objects.filter(
        recipient=recipient_user, kind=PROBLEM_ANSWERED, object_id=str(problem_id)
    )
    assert answered.count() == 2


def test_the_province_office_answers_health_problems_and_others_cannot_raise(
    api_client, recipient_user, province_officer, helper_user
):
    problem_id = _raise(api_client, recipient_user, category="living").json()["id"]
    api_client.login(province_officer)
    reply = {"text": "协调解决住房", "status": "in_progress"}
    assert api_client.post(f"/api/v1/problems/{problem_id}/replies", reply).status_code == 200
    api_client.login(helper_user)  # the helper hospital did not raise it and is not above it
    assert api_client.get(f"/api/v1/problems/{problem_id}").status_code == 404
    no_department = User.objects.create_user(
        username="observer_without_department", password="x-Dept-Pass-9", role=Role.OBSERVER
    )
    api_client.login(no_department)  # an observer without a department sees no problems
    assert api_client.get("/api/v1/problems").json()["count"] == 0
    outside = Partnership.objects.exclude(recipient_id=recipient_user.institution_id).first()
    assert _raise(api_client, recipient_user, partnership=outside).status_code == 422
    api_client.login(province_officer)
    body = {"category": "other", "title": "x", "description": "y"}
    assert api_client.post("/api/v1/problems", body).status_code == 403


def test_the_demo_has_problems_in_every_status_for_several_departments():
    problems = Problem.objects.all()
    assert set(problems.values_list("status", flat=True)) == {
        "submitted",
        "accepted",
        "in_progress",
        "closed",
        "declined",
    }
    assert problems.values("department").distinct().count() >= 4


def test_the_pages_raise_and_answer_a_problem(client, county_officer):
    hrss = _department_user(Department.HUMAN_RESOURCES)
    client.force_login(county_officer)
    response = client.post(
        reverse("coordination:problem_create"),
        {"category": "title", "title": "县医院职称评审名额", "description": "名额不足"},
    )
    assert response.status_code == 302
    problem = Problem.objects.get(title="县医院职称评审名额")
    assert problem.county_id == county_officer.county_id and problem.department == "human_resources"
    client.force_login(hrss)
    url = reverse("coordination:problem_detail", args=[problem.pk])
    client.post(url, {"text": "不属本部门职责", "status": "declined", "reason": "请向省卫健委反映"})
    problem.refresh_from_db()
    assert problem.status == "declined" and problem.status_reason == "请向省卫健委反映"
    client.force_login(county_officer)
    page = client.get(url).content.decode()
    assert "请向省卫健委反映" in page and "reply-form" not in page


def test_departments_are_measured_on_open_and_ended_problems_and_days_to_end():
    from datetime import date

    from bangfu.coordination.domain.problems import department_records

    rows = [
        ("science", date(2026, 1, 1), date(2026, 1, 11)),
        ("science", date(2026, 1, 1), date(2026, 1, 21)),
        ("science", date(2026, 2, 1), None),
        ("health", date(2026, 3, 1), None),
    ]
    health, science = department_records(rows)
    assert (health.department, health.open, health.ended, health.mean_days_to_end) == (
        "health",
        1,
        0,
        None,
    )
    assert (science.open, science.ended, science.mean_days_to_end) == (1, 2, 15.0)


def test_the_problem_list_shows_each_departments_record(client, province_officer):
    client.force_login(province_officer)
    page = client.get(reverse("coordination:problem_list"))
    labels = [label for label, _record in page.context["department_records"]]
    assert "省人社厅" in labels and "省医保局" in labels
    assert 'data-testid="department-records"' in page.content.decode()


def test_a_problem_the_service_refuses_is_shown_again_with_its_reason(client, recipient_user):
    """No partnership chosen by a hospital: the service's keyed error tops the form, 400."""
    client.force_login(recipient_user)
    response = client.post(
        reverse("coordination:problem_create"),
        {"category": "title", "title": "职称评审名额", "description": "名额不足"},
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "partnership_id：请选择问题涉及的帮扶关系"
    ]
    assert not Problem.objects.filter(title="职称评审名额").exists()
