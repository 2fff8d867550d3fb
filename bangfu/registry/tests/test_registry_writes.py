"""Registry writes: the programme group is editable data with an audit trail (F1, F12)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bangfu.core.models import AuditEntry
from bangfu.registry.models import County, Institution

pytestmark = pytest.mark.django_db

URL = reverse("registry:county_set_group", args=["520102"])


def test_province_officer_moves_a_district_into_the_target_group_and_history_shows_it(
    client, province_officer
):
    client.force_login(province_officer)
    response = client.post(
        URL,
        {
            "programme_group": "target",
            "programme_group_basis": "黔卫健函〔2025〕1号",
            "programme_group_verified": "on",
        },
    )
    assert response.status_code == 302
    county = County.objects.get(code="520102")
    assert (county.programme_group, county.programme_group_verified) == ("target", True)
    entry = AuditEntry.objects.get(
        object_type="registry.county", object_id=str(county.pk), action="update"
    )
    assert entry.actor == province_officer
    assert entry.before["programme_group"] == "other"
    assert entry.after["programme_group"] == "target"
    page = client.get(reverse("registry:county_detail", args=["520102"])).content.decode()
    assert "黔卫健函〔2025〕1号" in page
    assert "已核实" in page
    assert "demo_province" in page  # the history table names the actor


def test_missing_basis_is_refused_with_a_field_message_and_nothing_changes(
    client, province_officer
):
    client.force_login(province_officer)
    response = client.post(URL, {"programme_group": "target", "programme_group_basis": ""})
    assert response.status_code == 400
    assert "programme_group_basis" in response.context["group_form"].errors
    assert County.objects.get(code="520102").programme_group == "other"
    assert not AuditEntry.objects.filter(object_type="registry.county", action="update").exists()


def test_unknown_group_is_refused(client, province_officer):
    client.force_login(province_officer)
    response = client.post(URL, {"programme_group": "both", "programme_group_basis": "x"})
    assert response.status_code == 400
    assert County.objects.get(code="520102").programme_group == "other"


@pytest.mark.parametrize("who", ["prefecture_officer", "observer_user"])
def test_other_roles_cannot_change_the_group(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    code = "520526"
    response = client.post(
        reverse("registry:county_set_group", args=[code]),
        {"programme_group": "other", "programme_group_basis": "x"},
    )
    assert response.status_code == 403
    assert County.objects.get(code=code).programme_group == "target"


def test_out_of_scope_county_write_is_404(client, county_officer):
    client.force_login(county_officer)
    response = client.post(URL, {"programme_group": "target", "programme_group_basis": "x"})
    assert response.status_code == 404


def test_edit_form_is_only_offered_to_the_province(client, province_officer, prefecture_officer):
    client.force_login(prefecture_officer)
    assert (
        "修改项目分组"
        not in client.get(reverse("registry:county_detail", args=["520526"])).content.decode()
    )
    client.force_login(province_officer)
    assert (
        "修改项目分组"
        in client.get(reverse("registry:county_detail", args=["520526"])).content.decode()
    )


def test_admin_edit_of_master_data_is_audited(client, province_officer):
    client.force_login(province_officer)
    inst = Institution.objects.get(name="威宁彝族回族苗族自治县人民医院")
    response = client.get(reverse("admin:registry_institution_change", args=[inst.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "grade": "三乙",
            "county": inst.county_id,
            "prefecture": inst.prefecture_id,
            "regions": "[]",
            "departments-TOTAL_FORMS": "0",
            "departments-INITIAL_FORMS": "0",
        }
    )
    data.pop("strong_specialties", None)
    response = client.post(reverse("admin:registry_institution_change", args=[inst.pk]), data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else ""
    )
    entry = AuditEntry.objects.filter(
        object_type="registry.institution", object_id=str(inst.pk), action="update"
    ).first()
    assert entry.before == {"grade": "二甲"} and entry.after == {"grade": "三乙"}
    assert entry.note == "后台管理"


def test_admin_is_in_chinese(client, province_officer):
    client.force_login(province_officer)
    page = client.get(reverse("admin:index")).content.decode()
    assert "基础数据管理" in page and "县（市、区、特区）" in page


def test_adding_departments_is_idempotent_audited_and_refuses_unknown_codes(province_officer):
    from django.core.exceptions import ValidationError

    from bangfu.registry.services import institution_add_departments

    hospital = Institution.objects.get(name="威宁彝族回族苗族自治县中医医院")
    assert (
        institution_add_departments(
            actor=province_officer, institution=hospital, specialty_codes=["50", "21"]
        )
        == 2
    )
    assert (
        institution_add_departments(
            actor=province_officer, institution=hospital, specialty_codes=["50"]
        )
        == 0
    )
    assert sorted(hospital.departments.values_list("name", flat=True)) == ["中医科", "康复医学科"]
    entries = AuditEntry.objects.filter(
        object_type="registry.institution", object_id=str(hospital.pk)
    )
    assert entries[0].action == "add_departments"
    assert entries[0].after == {"departments": ["中医科", "康复医学科"]}
    assert entries.filter(action="add_departments").count() == 1
    with pytest.raises(ValidationError, match="99"):
        institution_add_departments(
            actor=province_officer, institution=hospital, specialty_codes=["99", "03"]
        )
    assert hospital.departments.count() == 2


def test_demo_county_hospitals_have_clinical_departments():
    hospital = Institution.objects.get(name="威宁彝族回族苗族自治县人民医院")
    names = set(hospital.departments.values_list("name", flat=True))
    assert {"内科", "外科", "重症医学科", "病理科"} <= names
