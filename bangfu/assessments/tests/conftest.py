from __future__ import annotations

import pytest
from django.utils import timezone

from bangfu.assessments.models import Assessment
from bangfu.assessments.services import assessment_year_open
from bangfu.partnerships.models import Partnership

MAIN_HELPER = "广州市番禺区中心医院"
MAIN_RECIPIENT = "威宁彝族回族苗族自治县人民医院"


@pytest.fixture
def year():
    """The current year: the demo opens the previous one, so tests open their own."""
    return timezone.localdate().year


@pytest.fixture
def opened(db, year):
    return assessment_year_open(actor=None, year=year, due_on=None)


@pytest.fixture
def weining(opened, year):
    """The assessment of the demo personas' partnership (demo_recipient, demo_helper; in
    demo_county's county and demo_prefecture's prefecture)."""
    return Assessment.objects.get(
        year=year,
        agreement__partnership__helper__name=MAIN_HELPER,
        agreement__partnership__recipient__name=MAIN_RECIPIENT,
    )


@pytest.fixture
def elsewhere(opened, year):
    """An assessment outside the 毕节 prefecture (out of the demo county/prefecture scope)."""
    return (
        Assessment.objects.filter(year=year)
        .exclude(agreement__partnership__recipient__county__prefecture__code="520500")
        .order_by("pk")
        .first()
    )


def all_ratings(assessment: Assessment) -> dict[str, str]:
    return {m.code: "完成" for m in assessment.agreement.measures.all()}


@pytest.fixture
def ready(weining, recipient_user):
    """The Weining assessment with every measure rated and the 成效 written."""
    from bangfu.assessments.services import AssessmentChanges, assessment_update

    return assessment_update(
        actor=recipient_user,
        assessment=weining,
        changes=AssessmentChanges(ratings=all_ratings(weining), results_text="完成了年度任务"),
    )


def partnership_of(assessment: Assessment) -> Partnership:
    return assessment.agreement.partnership
