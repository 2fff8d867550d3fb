"""People services: each write leaves one audit row; bad input is refused by field and writes
nothing; rules of §三(四), §五, §六, A1-(1), A1-(5), A1-(15) are enforced where they are rules."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.core.models import AuditEntry
from bangfu.people.models import Appointment, CoverageLink, Deployment, Expert, Mentorship
from bangfu.people.selectors import team_get_for_user, team_rows
from bangfu.people.services import (
    DeploymentInput,
    ExpertInput,
    appointment_create,
    coverage_link_add,
    deployment_create,
    deployment_end,
    expert_create,
    expert_update,
    mentorship_create,
    team_set_captain,
    title_application_create,
    title_application_decide,
)
from bangfu.people.tests.fixtures import ID_MASKED, ID_NUMBER, PAY, deploy, make_expert, today
from bangfu.registry.models import Department, Institution

pytestmark = pytest.mark.django_db


def counts():
    return (
        Expert.objects.count(),
        Deployment.objects.count(),
        Appointment.objects.count(),
        AuditEntry.objects.count(),
    )


def expert_input(home, **overrides):
    values = {
        "name": "新专家",
        "sex": "F",
        "title": "副高",
        "job_title": "副主任医师",
        "degree": "硕士",
        "home_institution_id": home.pk,
        "prior_year_pay": Decimal("250000"),
    } | overrides
    return ExpertInput(**values)


def test_expert_create_writes_the_expert_and_one_audit_row_with_sensitive_fields_masked(
    province_officer, pair
):
    before = counts()
    expert = expert_create(
        actor=province_officer, data=expert_input(pair.helper, id_number=ID_NUMBER.lower())
    )
    assert counts() == (before[0] + 1, before[1], before[2], before[3] + 1)
    assert expert.id_number == ID_NUMBER and expert.prior_year_pay == Decimal("250000")
    row = AuditEntry.objects.filter(object_type="people.expert", object_id=str(expert.pk)).get()
    assert row.actor == province_officer and row.action == "create"
    assert row.after["prior_year_pay"] == "***"
    assert row.after["id_number"] == ID_MASKED
    assert "250000" not in str(row.after) and ID_NUMBER not in str(row.after)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "  "}, "name", "请填写姓名"),
        ({"title": "特级"}, "title", "职称级别应为正高、副高、中级或初级"),
        (
            {"job_title": "主任医师"},
            "job_title",
            "专业技术职务“主任医师”属于正高，与职称级别不一致",
        ),
        ({"prior_year_pay": Decimal("-1")}, "prior_year_pay", "派驻前一年度薪酬不能为负数"),
        ({"id_number": "520526198001011239"}, "id_number", "身份证号校验位不正确"),
        ({"username": "no_such_user"}, "username", "账号“no_such_user”不存在"),
        ({"username": "demo_county"}, "username", "账号“demo_county”不是帮扶专家角色"),
    ],
)
def test_bad_expert_input_is_refused_by_field_and_writes_nothing(
    province_officer, pair, overrides, field, message
):
    before = counts()
    with pytest.raises(ValidationError) as info:
        expert_create(actor=province_officer, data=expert_input(pair.helper, **overrides))
    assert message in info.value.message_dict[field]
    assert counts() == before


def test_home_institution_must_be_a_helper_hospital(province_officer, pair):
    with pytest.raises(ValidationError) as info:
        expert_create(actor=province_officer, data=expert_input(pair.recipient))
    assert info.value.message_dict["home_institution"] == [f"「{pair.recipient.name}」不是帮扶医院"]


def test_a_helper_registers_only_its_own_staff(helper_user, pair):
    own = expert_create(actor=helper_user, data=expert_input(pair.helper))
    assert own.home_institution == pair.helper
    other_helper = Institution.objects.get(name="上海演示第7医院")
    with pytest.raises(ValidationError) as info:
        expert_create(actor=helper_user, data=expert_input(other_helper))
    assert info.value.message_dict["home_institution"] == ["帮扶医院只能登记本院派出的专家"]


@pytest.mark.parametrize(
    "who", ["recipient_user", "county_officer", "observer_user", "expert_user"]
)
def test_only_the_province_and_helpers_register_experts(request, who, pair):
    before = counts()
    with pytest.raises(PermissionDenied):
        expert_create(actor=request.getfixturevalue(who), data=expert_input(pair.helper))
    assert counts() == before


def test_the_same_identity_number_cannot_belong_to_two_experts(province_officer, expert, pair):
    with pytest.raises(ValidationError) as info:
        expert_create(actor=province_officer, data=expert_input(pair.helper, id_number=ID_NUMBER))
    assert info.value.message_dict["id_number"] == ["该身份证号已登记为其他专家"]


def test_changing_pay_is_audited_without_the_amounts(province_officer, expert):
    data = expert_input(
        expert.home_institution,
        name=expert.name,
        title="正高",
        job_title="主任医师",
        degree="博士",
        prior_year_pay=PAY + 1,
        id_number=ID_NUMBER,
        leadership_qualified=True,
    )
    expert_update(actor=province_officer, expert=expert, data=data)
    expert.refresh_from_db()
    assert expert.prior_year_pay == PAY + 1
    row = AuditEntry.objects.filter(object_type="people.expert", action="update").latest("id")
    assert row.after == {"prior_year_pay": "已修改（内容保密）", "sex": "F"}
    assert "300001" not in str(row.before) + str(row.after)


def test_a_helper_may_not_edit_another_hospitals_expert(helper_user, other_expert):
    data = expert_input(other_expert.home_institution)
    with pytest.raises(PermissionDenied):
        expert_update(actor=helper_user, expert=other_expert, data=data)


def test_two_on_site_deployments_of_one_expert_may_not_overlap(
    province_officer, expert, other_team
):
    before = counts()
    reason = {"helper_exception_reason": "测试：跨院支援"}
    with pytest.raises(ValidationError) as info:
        deploy(province_officer, other_team, expert, kind="short_term", months=2, **reason)
    assert "驻点时间不能重叠" in info.value.message_dict["start"][0]
    assert counts() == before
    remote = deploy(province_officer, other_team, expert, kind="remote", months=2, **reason)
    assert remote.kind == "remote"


def test_deployment_department_must_belong_to_the_recipient(province_officer, team, idle_expert):
    elsewhere = Department.objects.create(
        institution=Institution.objects.get(name="南明区人民医院"), name="测试外科"
    )
    with pytest.raises(ValidationError) as info:
        deploy(province_officer, team, idle_expert, department_id=elsewhere.pk)
    assert info.value.message_dict["department"] == ["派驻科室应为受扶医院的科室"]


def test_planned_end_before_start_is_refused(province_officer, team, idle_expert):
    with pytest.raises(ValidationError) as info:
        deployment_create(
            actor=province_officer,
            team=team,
            data=DeploymentInput(
                expert_id=idle_expert.pk,
                kind="resident",
                start=today(),
                planned_end=today() - timedelta(days=1),
            ),
        )
    assert info.value.message_dict["planned_end"] == ["计划结束日期不能早于开始日期"]


def test_a_recipient_deploys_on_its_own_partnerships_only(recipient_user, other_team, idle_expert):
    with pytest.raises(PermissionDenied):
        deploy(recipient_user, other_team, idle_expert)


def test_the_captain_must_be_a_member(province_officer, team, expert, idle_expert):
    with pytest.raises(ValidationError) as info:
        team_set_captain(actor=province_officer, team=team, captain=idle_expert)
    assert info.value.message_dict["captain"] == ["测试丙不是该队队员，请先登记派驻"]


def test_resident_for_two_years_may_be_vice_president_and_president(recipient_user, resident):
    for post in ("vice_president", "president"):
        appointment = appointment_create(
            actor=recipient_user, deployment=resident, post=post, start=resident.start
        )
        assert appointment.post == post
    assert AuditEntry.objects.filter(object_type="people.appointment").count() >= 2


def test_resident_planned_under_two_years_may_not_be_president(province_officer, team, idle_expert):
    deployment = deploy(province_officer, team, idle_expert, months=12)
    before = counts()
    with pytest.raises(ValidationError) as info:
        appointment_create(
            actor=province_officer, deployment=deployment, post="president", start=deployment.start
        )
    (message,) = info.value.message_dict["post"]
    assert message.startswith("不符合任受扶医院院长的条件")
    assert "常驻未满2年" in message and "§六" in message
    assert counts() == before


def test_an_expert_without_leadership_qualifications_is_not_appointed(province_officer, team, pair):
    e = make_expert(province_officer, "无资格", pair.helper, leadership_qualified=False)
    deployment = deploy(province_officer, team, e)
    with pytest.raises(ValidationError) as info:
        appointment_create(
            actor=province_officer, deployment=deployment, post="vice_president", start=today()
        )
    assert "不具备公立医院领导人员任职资格" in info.value.message_dict["post"][0]


def test_the_helper_does_not_appoint_the_recipients_leaders(helper_user, resident):
    with pytest.raises(PermissionDenied):
        appointment_create(
            actor=helper_user, deployment=resident, post="vice_president", start=resident.start
        )


def test_3x_links_are_for_resident_members_and_the_recipients_departments(
    province_officer, team, resident, departments, idle_expert
):
    link = coverage_link_add(
        actor=province_officer, deployment=resident, department=departments["眼科"]
    )
    assert AuditEntry.objects.filter(object_type="people.coveragelink", object_id=str(link.pk))
    with pytest.raises(ValidationError) as info:
        coverage_link_add(
            actor=province_officer, deployment=resident, department=departments["眼科"]
        )
    assert info.value.message_dict["department"] == ["已联系眼科"]
    short = deploy(province_officer, team, idle_expert, kind="short_term", months=2)
    with pytest.raises(ValidationError) as info:
        coverage_link_add(
            actor=province_officer, deployment=short, department=departments["麻醉科"]
        )
    assert info.value.message_dict["deployment"] == ["3X机制由常驻队员联系科室（A1-(15)）"]
    assert CoverageLink.objects.filter(deployment=short).count() == 0


def test_a_mentor_holds_at_least_associate_senior_title(province_officer, team, pair):
    junior = make_expert(
        province_officer, "主治甲", pair.helper, title="中级", job_title="主治医师", degree="学士"
    )
    deployment = deploy(province_officer, team, junior, kind="short_term", months=3)
    with pytest.raises(ValidationError) as info:
        mentorship_create(
            actor=province_officer, deployment=deployment, mentee_name="徒弟", start=today()
        )
    (message,) = info.value.message_dict["deployment"]
    assert "副主任医师以上" in message and "A1-(5)" in message
    assert not Mentorship.objects.filter(deployment=deployment).exists()


def test_a_senior_mentor_is_paired(province_officer, resident, departments):
    m = mentorship_create(
        actor=province_officer,
        deployment=resident,
        mentee_name="杨光",
        mentee_department=departments["内科"],
        start=today(),
    )
    assert m.mentee_department == departments["内科"]


def test_title_route_in_a_key_county_is_directed_and_without_letter_needs_one(
    expert_user, province_officer, resident
):
    assert resident.team.partnership.recipient.county.national_key_county
    directed = title_application_create(
        actor=expert_user,
        deployment=resident,
        applied_title="主任医师",
        has_entrustment_letter=True,
        submitted_on=today(),
    )
    assert directed.route == "directed"
    assert directed.valid_scope == "仅限威宁彝族回族苗族自治县有效"
    assert "§五" in directed.reasons
    # One open application per deployment: the first gets its result before the second.
    title_application_decide(
        actor=province_officer, application=directed, status="rejected", decided_on=today()
    )
    waiting = title_application_create(
        actor=expert_user,
        deployment=resident,
        applied_title="主任医师",
        has_entrustment_letter=False,
        submitted_on=today(),
    )
    assert waiting.route == "needs_entrustment_letter"


def test_title_route_outside_the_key_counties_is_county_level(province_officer, other_expert):
    application = title_application_create(
        actor=province_officer,
        deployment=other_expert.deployments.get(),
        applied_title="副主任医师",
        has_entrustment_letter=True,
        submitted_on=today(),
    )
    assert application.route == "county_level"


def test_the_helper_does_not_file_title_applications(helper_user, resident):
    with pytest.raises(PermissionDenied):
        title_application_create(
            actor=helper_user,
            deployment=resident,
            applied_title="主任医师",
            has_entrustment_letter=True,
            submitted_on=today(),
        )


def test_ending_a_deployment_records_the_actual_end_not_in_the_future(helper_user, resident):
    with pytest.raises(ValidationError) as info:
        deployment_end(actor=helper_user, deployment=resident, actual_end=today() + timedelta(1))
    assert info.value.message_dict["actual_end"] == ["实际结束日期不能晚于今天"]
    ended = deployment_end(actor=helper_user, deployment=resident, actual_end=today())
    assert ended.actual_end == today() and ended.effective_end == today()
    row = AuditEntry.objects.filter(object_type="people.deployment", action="end").latest("id")
    assert row.after == {"actual_end": today().isoformat()}


def test_team_check_warns_about_size_and_missing_insurance_citing_the_clauses(
    province_officer, team, expert
):
    (row,) = team_rows([team_get_for_user(user=province_officer, pk=team.pk)])
    messages = {f.code.value: f for f in row.check.findings}
    assert messages["team_too_small"].clause == "§三(四)；A1-(1)"
    assert "少于每批次3人" in messages["team_too_small"].message
    assert messages["insurance_missing"].grade.value == "must_fix"
    assert "captain_count" not in messages
