"""County plans: yearly targets with progress, review note, kept versions, gap lists (§七)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bangfu.capability.demo import county_plans_demo_load
from bangfu.capability.models import CountyPlanVersion, CountyPlanYear
from bangfu.capability.selectors import plan_gaps_for_user, plan_year_for_user
from bangfu.capability.services import county_plan_year_save
from bangfu.core.models import AuditEntry
from bangfu.partnerships.models import CountyPlan
from bangfu.partnerships.services import county_plan_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_plans(province_officer) -> None:
    county_plans_demo_load(actor=province_officer, today=timezone.localdate())


@pytest.fixture
def plan(demo_plans) -> CountyPlan:
    return CountyPlan.objects.select_related("county").get(county__code="520526")


def test_demo_plan_has_targets_progress_and_versions(plan, county_officer):
    year = timezone.localdate().year
    py = plan_year_for_user(user=county_officer, plan_id=plan.pk, year=year)
    assert py.can_edit
    targets = {m.code: m.target for m in py.measures}
    assert targets == {"M01": 4, "M04": 12, "M05": 6}
    assert any(m.achieved > 0 for m in py.measures)
    assert all(m.reached == (m.achieved >= (m.target or 0)) for m in py.measures)
    assert {row.indicator.code for row in py.indicators} == {"DX-11", "DX-24", "OUT-03"}
    assert [v.number for v in py.versions] == sorted((v.number for v in py.versions), reverse=True)
    assert len(py.versions) >= 2


def test_each_save_keeps_the_previous_version(plan, county_officer):
    year = timezone.localdate().year
    before = CountyPlanVersion.objects.filter(plan=plan).count()
    row = CountyPlanYear.objects.get(plan=plan, year=year)
    old_targets = dict(row.measure_targets)
    county_plan_year_save(
        actor=county_officer,
        plan=plan,
        year=year,
        measure_targets={"M01": 5},
        indicator_targets={"DX-24": 35},
        review_note="调整：增加派驻",
    )
    versions = list(CountyPlanVersion.objects.filter(plan=plan))
    assert len(versions) == before + 1
    assert versions[0].snapshot["years"][str(year)]["measure_targets"] == old_targets
    assert versions[0].saved_by == county_officer
    row.refresh_from_db()
    assert row.measure_targets == {"M01": 5} and row.indicator_targets == {"DX-24": "35"}
    # A save of the plan itself through the partnerships service keeps a version too.
    county_plan_save(
        actor=county_officer,
        county=plan.county,
        cycle_start=plan.cycle_start,
        goals="新的帮扶目标",
        measure_codes=plan.measure_codes,
    )
    latest = CountyPlanVersion.objects.filter(plan=plan).first()
    assert latest is not None and latest.number == before + 2
    assert latest.snapshot["goals"] != "新的帮扶目标"
    assert AuditEntry.objects.filter(
        action="county_plan_year_save", object_id=str(plan.pk)
    ).exists()


def test_targets_are_checked_all_at_once_and_nothing_is_written(plan, county_officer):
    year = timezone.localdate().year
    before = CountyPlanVersion.objects.filter(plan=plan).count()
    with pytest.raises(ValidationError) as caught:
        county_plan_year_save(
            actor=county_officer,
            plan=plan,
            year=year,
            measure_targets={"M01": "x", "M20": 3},
            indicator_targets={"DX-24": 300},
        )
    errors = caught.value.message_dict
    assert set(errors) == {"measure_M01", "measure_M20", "indicator_DX-24"}
    assert CountyPlanVersion.objects.filter(plan=plan).count() == before


def test_only_county_and_above_in_scope_set_targets(plan, recipient_user, helper_user):
    for user in (recipient_user, helper_user):
        with pytest.raises(PermissionDenied):
            county_plan_year_save(
                actor=user,
                plan=plan,
                year=timezone.localdate().year,
                measure_targets={},
                indicator_targets={},
            )


def test_plan_page_saves_and_lists_versions(client, plan, county_officer, recipient_user):
    year = timezone.localdate().year
    url = f"/capability/plans/{plan.pk}/{year}/"
    client.force_login(county_officer)
    response = client.post(
        url, {"measure_M01": "7", "new_code_0": "DX-05", "new_value_0": "是", "review_note": "好"}
    )
    assert response.status_code == 302
    row = CountyPlanYear.objects.get(plan=plan, year=year)
    assert row.measure_targets["M01"] == 7 and row.indicator_targets["DX-05"] is True
    html = client.get(url).content.decode()
    assert 'data-testid="plan-versions"' in html and "第 1 版" in html
    client.force_login(recipient_user)
    assert client.post(url, {"measure_M01": "1"}).status_code == 403


def test_gap_lists(demo_plans, province_officer):
    gaps = plan_gaps_for_user(user=province_officer, today=timezone.localdate())
    assert "520526" not in {c.code for c in gaps.counties_without_plan}
    assert "520521" not in {c.code for c in gaps.counties_without_plan}
    assert len(gaps.counties_without_plan) >= 60
    assert [p.county.code for p in gaps.plans_without_targets] == ["520524"]


def test_changing_the_plan_in_partnerships_keeps_its_version_here(plan, county_officer):
    """partnerships' county_plan_save tells capability (a signal) before it changes the plan."""
    before = CountyPlanVersion.objects.filter(plan=plan).count()
    old_goals = plan.goals
    county_plan_save(
        actor=county_officer,
        county=plan.county,
        cycle_start=plan.cycle_start,
        goals="新的帮扶目标",
        measure_codes=list(plan.measure_codes),
        agreement_ids=list(plan.agreements.values_list("pk", flat=True)),
    )
    versions = list(CountyPlanVersion.objects.filter(plan=plan))
    assert len(versions) == before + 1
    assert versions[0].snapshot["goals"] == old_goals
    assert versions[0].note == "方案调整" and versions[0].saved_by == county_officer
    plan.refresh_from_db()
    assert plan.goals == "新的帮扶目标"
