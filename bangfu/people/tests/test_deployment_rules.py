"""Deployments that make sense (issue #10): the expert belongs to the team's helper unless an
exception is recorded with its reason (§三(四)); every day lies within a signed agreement in
force of the partnership (§七; 附件2 五(一)), and days outside one earn nothing with the reason
on the statement; an A1-(16) short trip may overlap an on-site deployment."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bangfu.core.models import AuditEntry
from bangfu.people.domain.deployments import (
    Span,
    first_ungoverned_days,
    may_overlap,
    refused_days,
)
from bangfu.people.domain.experts import DeploymentKind as K
from bangfu.people.models import Deployment
from bangfu.people.tests.fixtures import deploy, new_team, today

D = date


@pytest.mark.parametrize(
    ("kind", "other", "allowed"),
    [
        (K.RESIDENT, K.RESIDENT, False),
        (K.RESIDENT, K.SHORT_TERM, False),
        (K.FLEXIBLE, K.SILVER_AGE, False),
        (K.RESIDENT, K.REMOTE, True),
        (K.REMOTE, K.REMOTE, True),
        (K.SHORT_TRIP, K.RESIDENT, True),
        (K.RESIDENT, K.SHORT_TRIP, True),
        (K.SHORT_TRIP, K.FLEXIBLE, True),
        (K.SHORT_TRIP, K.SHORT_TRIP, False),
        (K.SHORT_TRIP, K.REMOTE, True),
    ],
)
def test_overlap_rule_allows_remote_help_and_a_short_trip_beside_an_on_site_stay(
    kind, other, allowed
):
    assert may_overlap(kind, other) is allowed
    assert may_overlap(other, kind) is allowed


def test_a_short_trip_is_not_a_stay_on_site():
    assert not K.SHORT_TRIP.on_site
    assert K.RESIDENT.on_site and not K.REMOTE.on_site


@pytest.mark.parametrize(
    ("governed", "first", "last", "gap"),
    [
        ([], D(2026, 1, 1), D(2026, 1, 31), Span(D(2026, 1, 1), D(2026, 1, 31))),
        ([Span(D(2025, 1, 1), D(2027, 12, 31))], D(2026, 1, 1), D(2026, 12, 31), None),
        ([Span(D(2026, 3, 1), D(2028, 2, 28))], D(2026, 1, 1), D(2026, 12, 31), Span(D(2026, 1, 1), D(2026, 2, 28))),
        ([Span(D(2024, 1, 1), D(2026, 6, 30))], D(2026, 1, 1), D(2026, 12, 31), Span(D(2026, 7, 1), D(2026, 12, 31))),
        (
            [Span(D(2026, 7, 1), D(2026, 12, 31)), Span(D(2026, 1, 1), D(2026, 5, 31))],
            D(2026, 1, 1),
            D(2026, 12, 31),
            Span(D(2026, 6, 1), D(2026, 6, 30)),
        ),
    ],
)  # fmt: skip
def test_first_ungoverned_days(governed, first, last, gap):
    assert first_ungoverned_days(governed, first, last) == gap


AGREED = [Span(D(2025, 1, 1), D(2027, 12, 31))]


@pytest.mark.parametrize(
    ("first", "last", "renewable_after", "refused"),
    [
        # inside the agreement
        (D(2026, 1, 1), D(2026, 12, 31), D(2027, 12, 31), None),
        # a year before it started (the measured bug): refused
        (D(2024, 1, 1), D(2024, 12, 31), D(2027, 12, 31), Span(D(2024, 1, 1), D(2024, 12, 31))),
        # starts before, runs into it: refused for the days before
        (D(2024, 12, 1), D(2025, 6, 30), D(2027, 12, 31), Span(D(2024, 12, 1), D(2024, 12, 31))),
        # runs past the end of the last agreement: the renewal will govern those days
        (D(2027, 6, 1), D(2028, 5, 31), D(2027, 12, 31), None),
        # starts after the end: refused
        (D(2028, 1, 1), D(2028, 5, 31), D(2027, 12, 31), Span(D(2028, 1, 1), D(2028, 5, 31))),
        # no signed agreement left (terminated or draft): every ungoverned day refuses
        (D(2027, 6, 1), D(2028, 5, 31), None, Span(D(2028, 1, 1), D(2028, 5, 31))),
    ],
)  # fmt: skip
def test_refused_days(first, last, renewable_after, refused):
    assert refused_days(AGREED, first, last, renewable_after) == refused


@pytest.mark.django_db
def test_an_expert_of_another_helper_needs_a_recorded_exception(
    client, province_officer, expert, other_team
):
    helper = other_team.partnership.helper
    before = (Deployment.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as info:
        deploy(province_officer, other_team, expert, kind="remote", months=2)
    message = info.value.message_dict["helper_exception_reason"][0]
    assert expert.name in message
    assert expert.home_institution.name in message and helper.name in message
    assert (Deployment.objects.count(), AuditEntry.objects.count()) == before

    recorded = deploy(
        province_officer,
        other_team,
        expert,
        kind="remote",
        months=2,
        helper_exception_reason="  受扶医院急需心内科远程会诊  ",
    )
    assert recorded.helper_exception_reason == "受扶医院急需心内科远程会诊"
    audit = AuditEntry.objects.filter(action="create").latest("id")
    assert audit.after["helper_exception_reason"] == "受扶医院急需心内科远程会诊"

    client.force_login(province_officer)
    page = client.get(reverse("people:team_detail", args=[other_team.pk])).content.decode()
    assert "例外派驻" in page and "受扶医院急需心内科远程会诊" in page


@pytest.mark.django_db
def test_an_expert_of_the_helper_records_no_exception(province_officer, team, idle_expert):
    d = deploy(province_officer, team, idle_expert, helper_exception_reason="无需")
    assert d.helper_exception_reason == ""


@pytest.mark.django_db
def test_a_deployment_outside_the_agreement_is_refused_with_its_dates(
    province_officer, team, idle_expert
):
    agreement = team.partnership.agreements.order_by("cycle_number").first()
    before = (Deployment.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as info:
        deploy(province_officer, team, idle_expert, start=agreement.start - timedelta(days=365))
    message = info.value.message_dict["start"][0]
    assert "不在该帮扶关系已签订且有效的帮扶协议期内" in message
    assert agreement.start.isoformat() in message and agreement.end.isoformat() in message
    assert (Deployment.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_a_short_trip_may_overlap_the_stay_but_not_another_short_trip(
    province_officer, expert, other_team, other_pair
):
    reason = "附件1（十六）相邻受扶县巡诊"
    start = today() - timedelta(days=10)
    trip = deploy(
        province_officer,
        other_team,
        expert,
        kind="short_trip",
        start=start,
        months=1,
        helper_exception_reason=reason,
    )
    assert trip.kind == "short_trip"
    with pytest.raises(ValidationError) as info:
        deploy(
            province_officer,
            new_team(province_officer, other_pair),
            expert,
            kind="short_trip",
            start=start + timedelta(days=3),
            months=1,
            helper_exception_reason=reason,
        )
    assert "驻点时间不能重叠" in info.value.message_dict["start"][0]


@pytest.mark.django_db
def test_api_creates_a_deployment_with_the_same_rules(
    api_client, province_officer, expert, other_team
):
    api_client.login(province_officer)
    payload = {
        "team_id": other_team.pk,
        "expert_id": expert.pk,
        "kind": "short_trip",
        "start": (today() - timedelta(days=5)).isoformat(),
        "planned_end": (today() + timedelta(days=5)).isoformat(),
    }
    before = Deployment.objects.count()
    refused = api_client.post("/api/v1/deployments", payload)
    assert refused.status_code == 422
    assert any(e["field"].endswith("helper_exception_reason") for e in refused.json()["errors"])
    assert Deployment.objects.count() == before
    created = api_client.post(
        "/api/v1/deployments", payload | {"helper_exception_reason": "附件1（十六）相邻县巡诊"}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["kind"] == "short_trip"
    assert body["helper_exception_reason"] == "附件1（十六）相邻县巡诊"
