"""Correcting a deployment (issue #10): `deployment_update` applies the rules of registering one
— within a signed agreement in force (§七), the expert of the team's helper unless an exception
is recorded (§三(四)), on site in one place at a time except A1-(16) short trips, the programme's
date window — and records the change with before and after. The edit page, the team page's
and the deployment list's 修改 links and `PUT /api/v1/deployments/{id}` use the same service and
the same permission (`people.access.can_manage_team`): a party of the partnership or the
province; a reader who may not manage gets 403, one who cannot read the deployment 404, and a
refused change writes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from bangfu.core.models import AuditEntry
from bangfu.people import access
from bangfu.people.models import Deployment
from bangfu.people.services import DeploymentInput, deployment_end, deployment_update
from bangfu.people.tests.fixtures import deploy, new_team, today

pytestmark = pytest.mark.django_db


def _input(d: Deployment, **changes) -> DeploymentInput:
    values = {
        "expert_id": None,
        "kind": d.kind,
        "start": d.start,
        "planned_end": d.planned_end,
        "department_id": d.department_id,
        "helper_exception_reason": d.helper_exception_reason,
    } | changes
    return DeploymentInput(**values)


def _snapshot(d: Deployment) -> tuple[object, ...]:
    d.refresh_from_db()
    return (d.kind, d.start, d.planned_end, d.department_id, d.helper_exception_reason)


def _audits() -> int:
    """Audit rows on deployments (an API token's issue writes its own)."""
    return AuditEntry.objects.filter(object_type__endswith="deployment").count()


def test_a_valid_change_is_saved_and_audited_with_before_and_after(
    province_officer, resident, departments
):
    old_end = resident.planned_end
    new_end = old_end - timedelta(days=30)
    updated = deployment_update(
        actor=province_officer,
        deployment=resident,
        data=_input(resident, planned_end=new_end, department_id=departments["眼科"].pk),
    )
    assert (updated.planned_end, updated.department_id) == (new_end, departments["眼科"].pk)
    assert _snapshot(resident)[2:4] == (new_end, departments["眼科"].pk)
    entry = AuditEntry.objects.filter(
        action="update", object_type__endswith="deployment", object_id=str(resident.pk)
    ).latest("id")
    assert entry.before == {
        "department": departments["内科"].pk,
        "planned_end": old_end.isoformat(),
    }
    assert entry.after == {"department": departments["眼科"].pk, "planned_end": new_end.isoformat()}


def test_an_unchanged_form_writes_no_audit_row(province_officer, resident):
    before = _audits()
    deployment_update(actor=province_officer, deployment=resident, data=_input(resident))
    assert _audits() == before


def _refused(actor, deployment, **changes) -> dict[str, list[str]]:
    kept, audits = _snapshot(deployment), _audits()
    with pytest.raises(ValidationError) as info:
        deployment_update(actor=actor, deployment=deployment, data=_input(deployment, **changes))
    assert _snapshot(deployment) == kept and _audits() == audits  # nothing written
    return info.value.message_dict


def test_days_outside_the_agreement_are_refused_with_its_dates(province_officer, resident):
    agreement = resident.team.partnership.agreements.order_by("cycle_number").first()
    errors = _refused(province_officer, resident, start=agreement.start - timedelta(days=365))
    assert "不在该帮扶关系已签订且有效的帮扶协议期内" in errors["start"][0]
    assert agreement.start.isoformat() in errors["start"][0]


def test_dates_out_of_order_or_outside_the_programme_window_are_refused(province_officer, resident):
    errors = _refused(province_officer, resident, planned_end=resident.start - timedelta(days=1))
    assert errors["planned_end"] == ["计划结束日期不能早于开始日期"]
    assert "start" in _refused(province_officer, resident, start=date(1999, 12, 31))


def test_a_start_after_the_recorded_actual_end_is_refused(province_officer, resident):
    ended_on = today() - timedelta(days=5)
    deployment_end(actor=province_officer, deployment=resident, actual_end=ended_on)
    errors = _refused(province_officer, resident, start=ended_on + timedelta(days=1))
    assert errors["start"] == [f"开始日期不能晚于已登记的实际结束日期 {ended_on:%Y-%m-%d}"]


def test_the_expert_cannot_be_swapped(province_officer, resident, idle_expert):
    errors = _refused(province_officer, resident, expert_id=idle_expert.pk)
    assert "不能更换派驻的专家" in errors["expert"][0]


def test_an_expert_of_another_helper_keeps_needing_the_exception(
    province_officer, expert, other_team
):
    remote = deploy(
        province_officer,
        other_team,
        expert,
        kind="remote",
        months=2,
        helper_exception_reason="远程会诊",
    )
    errors = _refused(province_officer, remote, helper_exception_reason="  ")
    assert expert.home_institution.name in errors["helper_exception_reason"][0]
    deployment_update(
        actor=province_officer,
        deployment=remote,
        data=_input(remote, helper_exception_reason="心内科远程会诊"),
    )
    assert _snapshot(remote)[4] == "心内科远程会诊"


def test_overlap_is_refused_except_for_an_a1_16_short_trip(province_officer, pair, idle_expert):
    first = deploy(province_officer, new_team(province_officer, pair), idle_expert, months=3)
    later = deploy(
        province_officer,
        new_team(province_officer, pair),
        idle_expert,
        start=first.planned_end + timedelta(days=1),
        months=1,
    )
    overlapping = {"start": first.planned_end - timedelta(days=10)}
    errors = _refused(province_officer, later, **overlapping)
    assert "驻点时间不能重叠" in errors["start"][0] and "附件1（十六）" in errors["start"][0]
    deployment_update(
        actor=province_officer,
        deployment=later,
        data=_input(later, kind="short_trip", **overlapping),
    )
    assert _snapshot(later)[:2] == ("short_trip", overlapping["start"])
    # a deployment does not clash with itself when its own dates move
    deployment_update(
        actor=province_officer,
        deployment=first,
        data=_input(first, start=first.start + timedelta(days=1)),
    )


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("province_officer", True),
        ("helper_user", True),
        ("recipient_user", True),
        ("prefecture_officer", False),
        ("county_officer", False),
        ("expert_user", False),
        ("observer_user", False),
    ],
)
def test_only_the_province_and_the_parties_may_change_it(request, resident, who, allowed):
    user = request.getfixturevalue(who)
    assert access.can_manage_team(user, resident.team.partnership) is allowed
    data = _input(resident, planned_end=resident.planned_end - timedelta(days=1))
    if allowed:
        deployment_update(actor=user, deployment=resident, data=data)
        assert _snapshot(resident)[2] == data.planned_end
        return
    kept, audits = _snapshot(resident), _audits()
    with pytest.raises(PermissionDenied):
        deployment_update(actor=user, deployment=resident, data=data)
    assert _snapshot(resident) == kept and _audits() == audits


# ---- the page ----


def _form(d: Deployment, **changes) -> dict[str, str]:
    data = {
        "kind": d.kind,
        "start": d.start.isoformat(),
        "planned_end": d.planned_end.isoformat(),
        "department": str(d.department_id or ""),
        "helper_exception_reason": d.helper_exception_reason,
    }
    return data | {k: str(v) for k, v in changes.items()}


def test_a_party_corrects_it_on_the_edit_page(client, recipient_user, resident):
    client.force_login(recipient_user)
    url = reverse("people:deployment_edit", args=[resident.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["planned_end"] == resident.planned_end
    new_end = resident.planned_end - timedelta(days=7)
    response = client.post(url, _form(resident, planned_end=new_end.isoformat()))
    assert response.status_code == 302
    assert response["Location"] == reverse("people:team_detail", args=[resident.team_id])
    assert _snapshot(resident)[2] == new_end


def test_the_edit_page_sets_and_clears_the_department(
    client, recipient_user, resident, departments
):
    client.force_login(recipient_user)
    url = reverse("people:deployment_edit", args=[resident.pk])
    changed = _form(resident, kind="short_term", department=departments["眼科"].pk)
    assert client.post(url, changed).status_code == 302
    assert _snapshot(resident)[0::3] == ("short_term", departments["眼科"].pk)
    assert client.post(url, _form(resident, department="")).status_code == 302
    assert _snapshot(resident)[3] is None


def test_a_party_registers_one_on_the_team_page_form(
    client, helper_user, team, idle_expert, departments
):
    start = today() - timedelta(days=100)
    client.force_login(helper_user)
    response = client.post(
        reverse("people:deployment_create", args=[team.pk]),
        {
            "expert": str(idle_expert.pk),
            "kind": "short_term",
            "start": start.isoformat(),
            "planned_end": (start + timedelta(days=60)).isoformat(),
            "department": str(departments["麻醉科"].pk),
            "helper_exception_reason": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:team_detail", args=[team.pk])
    created = Deployment.objects.get(expert=idle_expert)
    assert (created.team_id, created.kind, created.start, created.planned_end) == (
        team.pk,
        "short_term",
        start,
        start + timedelta(days=60),
    )
    assert (created.department_id, created.helper_exception_reason) == (
        departments["麻醉科"].pk,
        "",
    )


def test_the_edit_page_shows_the_refusal_on_its_field(client, helper_user, resident):
    client.force_login(helper_user)
    kept, audits = _snapshot(resident), _audits()
    response = client.post(
        reverse("people:deployment_edit", args=[resident.pk]),
        _form(resident, planned_end=(resident.start - timedelta(days=1)).isoformat()),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["planned_end"] == ["计划结束日期不能早于开始日期"]
    assert _snapshot(resident) == kept and _audits() == audits


@pytest.mark.parametrize(
    ("who", "status"),
    [("county_officer", 403), ("observer_user", 403), ("expert_user", 403)],
)
def test_readers_who_may_not_manage_get_403_and_nothing_changes(
    client, request, resident, who, status
):
    client.force_login(request.getfixturevalue(who))
    url = reverse("people:deployment_edit", args=[resident.pk])
    kept, audits = _snapshot(resident), _audits()
    assert client.get(url).status_code == status
    response = client.post(url, _form(resident, planned_end=resident.start.isoformat()))
    assert response.status_code == status
    assert _snapshot(resident) == kept and _audits() == audits


def test_a_helper_of_another_partnership_cannot_find_it(client, helper_user, other_expert):
    other = other_expert.deployments.get()
    client.force_login(helper_user)
    url = reverse("people:deployment_edit", args=[other.pk])
    kept = _snapshot(other)
    assert client.get(url).status_code == 404
    assert client.post(url, _form(other, planned_end=other.start.isoformat())).status_code == 404
    assert _snapshot(other) == kept


def test_edit_links_follow_can_manage_team(client, persona, world, resident):
    """The team page and the deployment list offer 修改 exactly where the service accepts it."""
    client.force_login(persona)
    edit_url = reverse("people:deployment_edit", args=[resident.pk])
    allowed = access.can_manage_team(persona, resident.team.partnership)
    team_page = client.get(reverse("people:team_detail", args=[resident.team_id]))
    if team_page.status_code == 200:
        assert (edit_url in team_page.content.decode()) == allowed, persona.username
    listing = client.get(reverse("people:deployment_list"), {"q": resident.expert.name})
    html = listing.content.decode()
    if f'data-id="{resident.pk}"' in html:
        assert (edit_url in html) == allowed, persona.username
        end_url = reverse("people:deployment_end", args=[resident.pk])
        assert (end_url in html) == allowed, persona.username
    assert (client.get(edit_url).status_code == 200) == allowed, persona.username


# ---- the API ----


def _put(client, user, path, payload):
    from bangfu.accounts.services import token_create

    return client.put(
        path,
        payload,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_create(user=user)}"},
    )


def _body(d: Deployment, **changes) -> dict[str, object]:
    return {
        "kind": d.kind,
        "start": d.start.isoformat(),
        "planned_end": d.planned_end.isoformat(),
        "department_id": d.department_id,
        "helper_exception_reason": d.helper_exception_reason,
    } | changes


def test_the_api_puts_the_same_change(client, helper_user, resident, departments):
    new_end = resident.planned_end - timedelta(days=3)
    response = _put(
        client,
        helper_user,
        f"/api/v1/deployments/{resident.pk}",
        _body(resident, planned_end=new_end.isoformat(), department_id=departments["麻醉科"].pk),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["planned_end"] == new_end.isoformat() and body["department"] == "麻醉科"
    assert _snapshot(resident)[2] == new_end


def test_the_api_refuses_naming_the_field_and_writes_nothing(
    client, helper_user, county_officer, resident, other_expert
):
    path = f"/api/v1/deployments/{resident.pk}"
    kept, audits = _snapshot(resident), _audits()
    agreement = resident.team.partnership.agreements.order_by("cycle_number").first()
    early = (agreement.start - timedelta(days=365)).isoformat()
    response = _put(client, helper_user, path, _body(resident, start=early))
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"].endswith("start") and "协议期" in error["message"]
    response = _put(client, helper_user, path, _body(resident, kind="holiday"))
    assert response.status_code == 422
    assert any(e["field"].endswith("kind") for e in response.json()["errors"])
    assert _put(client, county_officer, path, _body(resident)).status_code == 403
    other = other_expert.deployments.get()
    assert (
        _put(client, helper_user, f"/api/v1/deployments/{other.pk}", _body(other)).status_code
        == 404
    )
    assert _snapshot(resident) == kept and _audits() == audits
