"""One open title application per deployment (issue 9): a second application while the first
still waits for its result is refused, by the service (409 over the API) and by the database;
once the result is recorded the expert may apply again."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from bangfu.core.duplicates import DuplicateError
from bangfu.core.models import AuditEntry
from bangfu.people.models import ApplicationStatus, TitleEvaluationApplication
from bangfu.people.services import title_application_create, title_application_decide

pytestmark = pytest.mark.django_db

API = "/api/v1/department-services"


def _apply(actor, deployment, submitted_on=date(2025, 3, 1)):
    return title_application_create(
        actor=actor,
        deployment=deployment,
        applied_title="主任医师",
        has_entrustment_letter=True,
        submitted_on=submitted_on,
    )


def test_a_second_open_application_for_the_deployment_is_refused(province_officer, resident):
    _apply(province_officer, resident)
    counts = (TitleEvaluationApplication.objects.count(), AuditEntry.objects.count())
    with pytest.raises(DuplicateError) as caught:
        _apply(province_officer, resident, submitted_on=date(2025, 4, 1))
    (message,) = caught.value.message_dict["deployment"]
    assert "2025-03-01 申报“主任医师”" in message and "尚待评审结果" in message
    assert (TitleEvaluationApplication.objects.count(), AuditEntry.objects.count()) == counts


def test_after_the_result_the_expert_may_apply_again(province_officer, resident):
    first = _apply(province_officer, resident)
    title_application_decide(
        actor=province_officer,
        application=first,
        status=ApplicationStatus.REJECTED,
        decided_on=date(2025, 6, 1),
    )
    second = _apply(province_officer, resident, submitted_on=date(2025, 7, 1))
    assert second.pk != first.pk
    assert resident.title_applications.count() == 2


def test_the_database_keeps_one_open_application_per_deployment(province_officer, resident):
    first = _apply(province_officer, resident)
    fields = {
        "deployment": resident,
        "applied_title": first.applied_title,
        "route": first.route,
        "valid_scope": first.valid_scope,
        "reasons": first.reasons,
        "submitted_on": date(2025, 5, 1),
    }
    TitleEvaluationApplication.objects.create(**fields, status=ApplicationStatus.APPROVED)
    with pytest.raises(IntegrityError), transaction.atomic():
        TitleEvaluationApplication.objects.create(**fields)


def test_the_api_answers_409_for_a_second_open_application(api_client, expert_user, resident):
    api_client.login(expert_user)
    body = {
        "deployment_id": resident.pk,
        "applied_title": "主任医师",
        "has_entrustment_letter": True,
        "submitted_on": "2025-07-01",
    }
    assert api_client.post(f"{API}/title-applications", body).status_code == 201
    again = api_client.post(f"{API}/title-applications", body)
    assert again.status_code == 409, again.content
    assert "尚待评审结果" in again.json()["detail"]
    assert resident.title_applications.count() == 1


def test_the_form_shows_the_second_open_application_refused(client, province_officer, resident):
    _apply(province_officer, resident)
    client.force_login(province_officer)
    response = client.post(
        reverse("people:title_application_create"),
        {"deployment": resident.pk, "applied_title": "主任医师", "submitted_on": "2025-07-01"},
    )
    assert response.status_code == 400
    assert "尚待评审结果" in response.content.decode()
    assert resident.title_applications.count() == 1
