"""People services refuse dates outside 2000-01-01–2100-12-31, naming the field (issue #9)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from bangfu.core.models import AuditEntry
from bangfu.people.models import Deployment, TitleEvaluationApplication
from bangfu.people.services import (
    DeploymentInput,
    deployment_create,
    deployment_end,
    title_application_create,
)

pytestmark = pytest.mark.django_db

RANGE = "2000-01-01 至 2100-12-31"


def test_deployment_create_refuses_a_planned_end_in_year_9999(province_officer, team, idle_expert):
    before = (Deployment.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as exc:
        deployment_create(
            actor=province_officer,
            team=team,
            data=DeploymentInput(
                expert_id=idle_expert.pk,
                kind="resident",
                start=date(2025, 1, 1),
                planned_end=date(9999, 12, 31),
            ),
        )
    assert list(exc.value.message_dict) == ["planned_end"]
    assert RANGE in exc.value.message_dict["planned_end"][0]
    assert (Deployment.objects.count(), AuditEntry.objects.count()) == before


def test_deployment_end_and_title_application_refuse_implausible_dates(province_officer, resident):
    with pytest.raises(ValidationError) as exc:
        deployment_end(actor=province_officer, deployment=resident, actual_end=date(1999, 12, 31))
    assert list(exc.value.message_dict) == ["actual_end"]
    before = TitleEvaluationApplication.objects.count()
    with pytest.raises(ValidationError) as exc:
        title_application_create(
            actor=province_officer,
            deployment=resident,
            applied_title="主任医师",
            has_entrustment_letter=True,
            submitted_on=date(2101, 1, 1),
        )
    assert "submitted_on" in exc.value.message_dict
    assert TitleEvaluationApplication.objects.count() == before
