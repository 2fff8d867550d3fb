"""The province office corrects an institution's grade and departments (page and API, audited);
a helper whose grade was 未填 then counts as 省外三甲 for an agreement (§一)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from bangfu.core.models import AuditEntry
from bangfu.registry.models import Department, Institution

pytestmark = pytest.mark.django_db


@pytest.fixture
def helper(db) -> Institution:
    inst = Institution.objects.get(name="浙江省人民医院")
    Institution.objects.filter(pk=inst.pk).update(grade="")
    inst.refresh_from_db()
    return inst


class Api:
    """PATCH with a bearer token (the shared `api_client` fixture only gets and posts)."""

    def __init__(self, client, user):
        from bangfu.accounts.services import token_create

        self.client = client
        self.headers = {"Authorization": f"Bearer {token_create(user=user)}"}

    def patch(self, path, payload):
        return self.client.patch(
            path, json.dumps(payload), content_type="application/json", headers=self.headers
        )


def _audits(inst: Institution) -> int:
    return AuditEntry.objects.filter(object_id=str(inst.pk), action="update").count()


def test_province_sets_grade_and_departments_through_the_api(client, province_officer, helper):
    api = Api(client, province_officer)
    before = _audits(helper)
    response = api.patch(
        f"/api/v1/institutions/{helper.pk}",
        {"grade": "三甲", "add_departments": ["心血管内科", "急诊科"]},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["grade"] == "三甲"
    assert {d["name"] for d in body["departments"]} >= {"心血管内科", "急诊科"}
    helper.refresh_from_db()
    assert helper.grade == "三甲"
    assert _audits(helper) == before + 1
    entry = AuditEntry.objects.filter(object_id=str(helper.pk), action="update").latest("pk")
    assert entry.before == {"grade": ""} and entry.after["grade"] == "三甲"
    # Removing an unused department, and a bad grade refused with the choices listed.
    dept = Department.objects.get(institution=helper, name="急诊科")
    removed = api.patch(f"/api/v1/institutions/{helper.pk}", {"remove_department_ids": [dept.pk]})
    assert removed.status_code == 200
    assert not Department.objects.filter(pk=dept.pk).exists()
    bad = api.patch(f"/api/v1/institutions/{helper.pk}", {"grade": "特级"})
    assert bad.status_code == 422
    assert "等级应为" in json.dumps(bad.json(), ensure_ascii=False)
    helper.refresh_from_db()
    assert helper.grade == "三甲"


@pytest.mark.parametrize("who", ["county_officer", "observer_user", "helper_user"])
def test_others_cannot_edit_institutions(client, request, who, helper):
    api = Api(client, request.getfixturevalue(who))
    response = api.patch(f"/api/v1/institutions/{helper.pk}", {"grade": "三甲"})
    assert response.status_code in (403, 404)
    helper.refresh_from_db()
    assert helper.grade == ""


def test_province_edits_on_the_page_and_others_see_no_form(
    client, province_officer, observer_user, helper
):
    url = reverse("registry:institution_detail", args=[helper.pk])
    client.force_login(observer_user)
    assert 'data-testid="institution-edit"' not in client.get(url).content.decode()
    denied = client.post(reverse("registry:institution_edit", args=[helper.pk]), {"grade": "三甲"})
    assert denied.status_code == 403
    client.force_login(province_officer)
    assert 'data-testid="institution-edit"' in client.get(url).content.decode()
    response = client.post(
        reverse("registry:institution_edit", args=[helper.pk]),
        {"grade": "三甲", "add_departments": "肿瘤科\n"},
    )
    assert response.status_code == 302
    helper.refresh_from_db()
    assert helper.grade == "三甲"
    assert helper.departments.filter(name="肿瘤科").exists()
    duplicate = client.post(
        reverse("registry:institution_edit", args=[helper.pk]), {"add_departments": "肿瘤科"}
    )
    assert duplicate.status_code == 400
    assert "科室「肿瘤科」已存在" in duplicate.content.decode()
