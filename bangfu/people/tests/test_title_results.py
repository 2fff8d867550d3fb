"""A title application's result (§五, 省人社厅) is recorded once: the 登记结果 link is offered by the
same rules the service enforces (who may record it, and only while the application waits), and a
recorded result is never rewritten (409, nothing changed)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from bangfu.accounts.models import Department, Role, User
from bangfu.core.models import AuditEntry
from bangfu.people.services import title_application_create
from bangfu.people.tests.fixtures import deploy, make_expert, new_team

pytestmark = pytest.mark.django_db

API = "/api/v1/department-services/title-applications"


@pytest.fixture
def application(province_officer, pair):
    team = new_team(province_officer, pair)
    deployment = deploy(
        province_officer, team, make_expert(province_officer, "结果测试", pair.helper)
    )
    return title_application_create(
        actor=province_officer,
        deployment=deployment,
        applied_title="主任医师",
        has_entrustment_letter=False,
        submitted_on=deployment.start + timedelta(days=1),
    )


def _observer(department: str) -> User:
    return User.objects.create_user(
        username=f"dept_{department}_t", role=Role.OBSERVER, department=department
    )


def _decide_link(client, user, application) -> bool:
    client.force_login(user)
    page = client.get(reverse("people:department_services"))
    assert page.status_code == 200
    assert application in page.context["s"].title_applications  # listed either way
    return reverse("people:title_application_decide", args=[application.pk]) in page.text


@pytest.mark.parametrize(
    ("who", "offered"),
    [("province", True), (Department.HUMAN_RESOURCES, True), (Department.SCIENCE, False)],
)
def test_the_record_result_link_follows_the_service_rule(
    client, province_officer, application, who, offered
):
    user = province_officer if who == "province" else _observer(who)
    assert _decide_link(client, user, application) is offered
    response = client.post(
        reverse("people:title_application_decide", args=[application.pk]),
        {
            "status": "approved",
            "decided_on": (application.submitted_on + timedelta(days=3)).isoformat(),
        },
    )
    application.refresh_from_db()
    assert application.status == ("approved" if offered else "submitted")
    if not offered:
        assert response.status_code == 403
    # once recorded, nobody is offered the link again
    assert _decide_link(client, user, application) is False


def test_a_recorded_result_is_never_rewritten(api_client, application):
    hr = _observer(Department.HUMAN_RESOURCES)
    api_client.login(hr)
    url = f"{API}/{application.pk}/decide"
    day = application.submitted_on + timedelta(days=5)
    first = api_client.post(url, {"status": "approved", "decided_on": day.isoformat()})
    assert first.status_code == 200, first.content
    again = api_client.post(url, {"status": "rejected", "decided_on": date(2099, 1, 1).isoformat()})
    assert again.status_code == 409
    assert "已登记评审结果" in again.json()["detail"]
    application.refresh_from_db()
    assert (application.status, application.decided_on) == ("approved", day)
    assert AuditEntry.objects.filter(action="decide", object_id=str(application.pk)).count() == 1
