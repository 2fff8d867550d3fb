"""The department workspace (部门工作台, §五): each department account sees its own problems and
services, the province chooses any department, everyone else is refused; the API answers the
same cards."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bangfu.accounts.models import Department, Role, User
from bangfu.coordination.models import Problem
from bangfu.coordination.workspace_selectors import _SERVICE_CARDS
from bangfu.people.domain.department_services import DepartmentService
from bangfu.people.models import SciTechApplication, TitleEvaluationApplication

pytestmark = pytest.mark.django_db

URL = "/coordination/workspace/"
API = "/api/v1/departments/{}/workspace"


def _account(department: str) -> User:
    return User.objects.create_user(
        username=f"ws_{department}",
        password="x-Dept-Pass-9",
        role=Role.OBSERVER,
        department=department,
    )


def _cards(response) -> dict:
    return {c.key: c for c in response.context["workspace"].cards}


def test_every_service_has_a_workspace_card():
    assert set(_SERVICE_CARDS) == set(DepartmentService)


@pytest.mark.parametrize(
    ("department", "keys"),
    [
        ("science", ["problems", "scitech_applications"]),
        ("human_resources", ["problems", "title_applications"]),
        ("healthcare_security", ["problems", "insurance_briefings"]),
        ("health", ["problems", "appointment_letters"]),
        ("organization", ["problems"]),
    ],
)
def test_a_department_account_sees_its_own_problems_and_services(client, department, keys):
    client.force_login(_account(department))
    response = client.get(URL)
    assert response.status_code == 200
    workspace = response.context["workspace"]
    assert workspace.department == department
    assert [c.key for c in workspace.cards] == keys
    problems = _cards(response)["problems"]
    routed = Problem.objects.filter(department=department)
    assert problems.total == routed.count()
    assert problems.waiting == routed.exclude(status__in=["closed", "declined"]).count()
    shown = {i.id for i in problems.items}
    assert shown <= set(routed.values_list("pk", flat=True))
    assert all(i.link_label == "答复" for i in problems.items)  # routed to it: it answers


def test_the_province_reads_another_departments_problems_without_an_answer_link(
    client, province_officer
):
    client.force_login(province_officer)
    problems = _cards(client.get(URL, {"department": "human_resources"}))["problems"]
    assert problems.items  # the demo's 人社厅 problems still open
    assert all(i.link_label == "查看" for i in problems.items)
    problems = _cards(client.get(URL, {"department": "health"}))["problems"]
    assert all(i.link_label == "答复" for i in problems.items)  # 省卫健委 answers its own


def test_the_science_workspace_lists_open_projects_with_the_allowed_buttons(client):
    client.force_login(_account(Department.SCIENCE))
    card = _cards(client.get(URL))["scitech_applications"]
    open_ = SciTechApplication.objects.filter(status__in=["submitted", "accepted"])
    assert card.waiting == open_.count() >= 2  # the demo has one 已申报 and one 已受理
    assert card.total == SciTechApplication.objects.count()
    for item in card.items:
        expected = {"submitted": ["accepted", "rejected"], "accepted": ["approved", "rejected"]}
        assert [a.status for a in item.actions] == expected[item.status]
        assert item.action_url == reverse("people:scitech_status", args=[item.id])


def test_the_hr_workspace_offers_the_decision_on_waiting_title_applications(client):
    client.force_login(_account(Department.HUMAN_RESOURCES))
    card = _cards(client.get(URL))["title_applications"]
    waiting = TitleEvaluationApplication.objects.filter(status="submitted")
    assert card.waiting == waiting.count() >= 1
    assert {i.id for i in card.items} == set(waiting.values_list("pk", flat=True))
    assert all(
        i.link == reverse("people:title_application_decide", args=[i.id]) for i in card.items
    )


def test_the_hr_department_records_a_title_result(client):
    application = TitleEvaluationApplication.objects.filter(status="submitted").first()
    client.force_login(_account(Department.HUMAN_RESOURCES))
    response = client.post(
        reverse("people:title_application_decide", args=[application.pk]),
        {"status": "approved", "decided_on": application.submitted_on.isoformat()},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "approved"


def test_the_insurance_and_health_workspaces_list_what_waits(client):
    client.force_login(_account(Department.HEALTHCARE_SECURITY))
    briefings = _cards(client.get(URL))["insurance_briefings"]
    assert briefings.total >= 1 and briefings.waiting >= 1  # one briefed team, others waiting
    client.force_login(_account(Department.HEALTH))
    letters = _cards(client.get(URL))["appointment_letters"]
    assert letters.total >= 1 and letters.waiting >= 1
    assert all(i.link_label == "查看医院" for i in letters.items)  # only the province issues


def test_a_department_account_may_not_open_another_departments_workspace(client, api_client):
    science = _account(Department.SCIENCE)
    client.force_login(science)
    assert client.get(URL, {"department": "human_resources"}).status_code == 403
    assert client.get(URL, {"department": "science"}).status_code == 200
    api_client.login(science)
    response = api_client.get(API.format("human_resources"))
    assert (response.status_code, response.json()["detail"]) == (403, "只能查看本部门的工作台")


def test_the_province_chooses_any_department(client, province_officer):
    client.force_login(province_officer)
    assert client.get(URL).context["workspace"].department == "health"
    response = client.get(URL, {"department": "science"})
    assert response.context["workspace"].department == "science"
    assert 'data-testid="workspace-department-form"' in response.content.decode()
    card = _cards(response)["scitech_applications"]
    assert all(i.actions for i in card.items)  # the province may move them too
    assert client.get(URL, {"department": "nowhere"}).status_code == 404


@pytest.mark.parametrize(
    "persona_name",
    ["recipient_user", "helper_user", "county_officer", "prefecture_officer", "expert_user"],
)
def test_other_roles_are_refused(request, client, api_client, persona_name):
    user = request.getfixturevalue(persona_name)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    api_client.login(user)
    assert api_client.get(API.format("science")).status_code == 403


def test_an_observer_without_a_department_is_refused(client):
    user = User.objects.create_user(username="ws_none", role=Role.OBSERVER)
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 403


def test_the_api_answers_the_same_cards_as_the_page(client, api_client, province_officer):
    client.force_login(province_officer)
    page = _cards(client.get(URL, {"department": "science"}))
    api_client.login(province_officer)
    response = api_client.get(API.format("science"))
    assert response.status_code == 200
    body = response.json()
    assert (body["department"], body["department_label"]) == ("science", "省科技厅")
    assert {c["key"]: (c["waiting"], c["total"]) for c in body["cards"]} == {
        k: (c.waiting, c.total) for k, c in page.items()
    }
    scitech = next(c for c in body["cards"] if c["key"] == "scitech_applications")
    assert all(i["actions"] for i in scitech["items"])
    assert api_client.get(API.format("nowhere")).status_code == 404


def test_the_menu_has_the_workspace_for_department_accounts_only(client, recipient_user):
    client.force_login(_account(Department.SCIENCE))
    assert ("coordination:workspace", "部门工作台") in client.get("/").context["nav_items"]
    client.force_login(recipient_user)
    assert ("coordination:workspace", "部门工作台") not in client.get("/").context["nav_items"]


def test_the_workspace_reads_in_a_bounded_number_of_queries(
    client, province_officer, django_assert_max_num_queries
):
    client.force_login(province_officer)
    for department in ("science", "human_resources", "healthcare_security", "health"):
        with django_assert_max_num_queries(25):
            assert client.get(URL, {"department": department}).status_code == 200
