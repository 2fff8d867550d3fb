"""The create/edit pages as a user drives them: success redirects with a message, service errors
come back on the field (status 400), other roles get 403, destructive actions ask first."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.core.models import AuditEntry
from bangfu.people.models import AppointmentLetter, CoverageLink, Expert, TitleEvaluationApplication
from bangfu.people.services import coverage_link_add, title_application_create
from bangfu.people.tests.fixtures import VISIBLE, today
from bangfu.registry.models import Institution

pytestmark = pytest.mark.django_db


def expert_form(home, **overrides):
    return {
        "name": "页面专家",
        "sex": "M",
        "title": "副高",
        "job_title": "副主任医师",
        "degree": "硕士",
        "home_institution": home.pk,
        "prior_year_pay": "220000",
        "id_number": "",
        "phone": "",
    } | overrides


def test_province_registers_an_expert_through_the_page(client, province_officer, pair):
    client.force_login(province_officer)
    response = client.post(reverse("people:expert_create"), expert_form(pair.helper))
    expert = Expert.objects.get(name="页面专家")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:expert_detail", args=[expert.pk])
    page = client.get(response["Location"]).content.decode()
    assert "已登记专家「页面专家」" in page and "220000.00" in page


def test_a_service_error_comes_back_on_its_field(client, province_officer, pair):
    client.force_login(province_officer)
    response = client.post(
        reverse("people:expert_create"),
        expert_form(pair.helper, id_number="520526198001011239"),
    )
    assert response.status_code == 400
    assert 'data-field="id_number">身份证号校验位不正确' in response.content.decode()
    assert not Expert.objects.filter(name="页面专家").exists()


def test_the_helper_form_offers_only_its_own_hospital_preselected(client, helper_user, pair):
    client.force_login(helper_user)
    form = client.get(reverse("people:expert_create")).context["form"]
    assert list(form.fields["home_institution"].queryset) == [pair.helper]
    assert form.initial["home_institution"] == pair.helper.pk
    assert "username" not in form.fields  # only the province links accounts
    other = Institution.objects.get(name="上海演示第7医院")
    response = client.post(reverse("people:expert_create"), expert_form(other))
    assert response.status_code == 400  # not a choice for this helper
    assert not Expert.objects.filter(name="页面专家").exists()


@pytest.mark.parametrize("who", ["recipient_user", "county_officer", "observer_user"])
def test_other_roles_cannot_open_the_expert_form(request, client, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("people:expert_create")).status_code == 403


def test_the_recipient_recognises_an_outstanding_expert_with_a_reason(
    client, recipient_user, expert
):
    client.force_login(recipient_user)
    url = reverse("people:recognition_create", args=[expert.pk])
    start = timezone.localdate().replace(day=1).isoformat()
    refused = client.post(url, {"start": start, "reason": ""})
    assert refused.status_code == 400
    done = client.post(url, {"start": start, "reason": "年度考核优秀"})
    assert done.status_code == 302
    expert.refresh_from_db()
    assert expert.outstanding
    row = AuditEntry.objects.filter(action="recognise").latest("id")
    assert row.note == "年度考核优秀"


def test_team_batches_are_unique_per_partnership(client, recipient_user, team):
    client.force_login(recipient_user)
    response = client.post(
        reverse("people:team_create"), {"partnership": team.partnership_id, "batch": team.batch}
    )
    assert response.status_code == 400
    assert f"该帮扶关系已有第{team.batch}批帮扶队" in response.content.decode()


def test_ending_a_deployment_asks_for_confirmation(client, helper_user, resident):
    client.force_login(helper_user)
    html = client.get(reverse("people:deployment_end", args=[resident.pk])).content.decode()
    assert "return confirm(" in html


def test_removing_a_3x_link_asks_first_and_only_managers_may(
    client, province_officer, county_officer, resident, departments, team
):
    link = coverage_link_add(
        actor=province_officer, deployment=resident, department=departments["眼科"]
    )
    url = reverse("people:coverage_link_remove", args=[team.pk, link.pk])
    client.force_login(province_officer)
    assert (
        "确认删除该3X联系科室"
        in client.get(reverse("people:team_detail", args=[team.pk])).content.decode()
    )
    client.force_login(county_officer)
    assert client.post(url).status_code == 403
    assert CoverageLink.objects.filter(pk=link.pk).exists()
    client.force_login(province_officer)
    assert client.post(url).status_code == 302
    assert not CoverageLink.objects.filter(pk=link.pk).exists()
    assert AuditEntry.objects.filter(object_type="people.coveragelink", action="delete").exists()


def test_the_expert_files_a_title_application_and_sees_the_route(client, expert_user, resident):
    client.force_login(expert_user)
    response = client.post(
        reverse("people:title_application_create"),
        {
            "deployment": resident.pk,
            "applied_title": "主任医师",
            "has_entrustment_letter": "on",
            "submitted_on": today().isoformat(),
        },
        follow=True,
    )
    assert (
        "评审路径：定向评价定向使用（仅限威宁彝族回族苗族自治县有效）" in response.content.decode()
    )


def test_department_services_follow_the_scope(client, persona, world, province_officer):
    application = title_application_create(
        actor=province_officer,
        deployment=world["甲"].deployments.get(),
        applied_title="主任医师",
        has_entrustment_letter=False,
        submitted_on=today(),
    )
    client.force_login(persona)
    services = client.get(reverse("people:department_services")).context["s"]
    listed = application in services.title_applications
    assert listed == ("甲" in VISIBLE[persona.username])
    assert TitleEvaluationApplication.objects.filter(pk=application.pk).exists()


def test_only_the_province_issues_letters_of_appointment(
    client, province_officer, helper_user, pair
):
    client.force_login(helper_user)
    assert client.get(reverse("people:letter_create")).status_code == 403
    client.force_login(province_officer)
    response = client.post(
        reverse("people:letter_create"),
        {
            "helper": pair.helper.pk,
            "head_name": "张院长",
            "position": "院长",
            "letter_number": "黔卫聘〔2025〕1号",
            "issued_on": date(2025, 6, 1).isoformat(),
        },
    )
    assert response.status_code == 302
    assert AppointmentLetter.objects.filter(helper=pair.helper, head_name="张院长").exists()
    client.force_login(helper_user)  # the helper reads its own letter
    services = client.get(reverse("people:department_services")).context["s"]
    assert [letter.head_name for letter in services.appointment_letters] == ["张院长"]
