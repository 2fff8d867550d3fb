"""The demo: last year opened, every status present, the personas' assessment a draft."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.assessments.demo import assessments_demo_load
from bangfu.assessments.domain.review import Status
from bangfu.assessments.models import Assessment
from bangfu.assessments.selectors import assessment_get_for_user

pytestmark = pytest.mark.django_db


def test_the_demo_has_every_status_for_last_year():
    year = timezone.localdate().year - 1
    statuses = set(
        Assessment.objects.filter(year=year, is_demo=True).values_list("status", flat=True)
    )
    assert statuses == {s.value for s in Status}
    returned = Assessment.objects.filter(year=year, status="returned").first()
    assert returned.approvals.filter(decision="return").exclude(comment="").exists()


def test_the_personas_assessment_is_a_draft_in_their_scope(
    recipient_user, county_officer, prefecture_officer
):
    year = timezone.localdate().year - 1
    main = Assessment.objects.get(
        year=year,
        agreement__partnership__recipient=recipient_user.institution_id,
        agreement__partnership__helper__name="广州市番禺区中心医院",
    )
    assert main.status == "draft"
    for user in (recipient_user, county_officer, prefecture_officer):
        assert assessment_get_for_user(user=user, pk=main.pk) == main


def test_loading_again_changes_nothing():
    province = User.objects.get(username="demo_province")
    before = Assessment.objects.count()
    assert assessments_demo_load(actor=province, today=timezone.localdate()) == 0
    assert Assessment.objects.count() == before


def test_a_fresh_load_creates_every_demo_assessment():
    Assessment.objects.all().delete()
    province = User.objects.get(username="demo_province")
    created = assessments_demo_load(actor=province, today=timezone.localdate())
    assert created == Assessment.objects.count() > 0
