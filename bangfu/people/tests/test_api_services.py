"""The department-services API (F13; §五, §六): title applications, S&T projects, insurance
briefings and letters of appointment, each listed exactly as the department-services page scopes
it, written through the services with one audit row each, refused in Chinese naming the field with
nothing written. Expectations are written out, not derived from the scope code."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangfu.core.models import AuditEntry
from bangfu.people.models import (
    AppointmentLetter,
    InsuranceBriefing,
    SciTechApplication,
    TitleEvaluationApplication,
)
from bangfu.people.services import (
    appointment_letter_create,
    insurance_briefing_create,
    scitech_application_create,
    title_application_create,
)
from bangfu.people.tests.fixtures import ID_NUMBER, OTHER_ID_NUMBER, deploy, make_expert, new_team

pytestmark = pytest.mark.django_db

API = "/api/v1/department-services"
LIST_PATHS = (
    "title-applications",
    "scitech-applications",
    "insurance-briefings",
    "appointment-letters",
)
EVERYONE = {
    "demo_province",
    "demo_observer",
    "demo_prefecture",
    "demo_county",
    "demo_recipient",
    "demo_helper",
    "demo_expert",
}
WHOLE_PROVINCE = {"demo_province", "demo_observer"}
# Which of the rows of 甲 (on `pair`: 番禺 → 威宁) and 乙 (on `other_pair`: 上海第7 → 南明) each
# persona reads. Title applications follow the deployment; S&T projects and briefings follow the
# team (an expert reads the teams it is deployed in); letters follow the helper hospital's
# partnerships.
READERS = {
    "title-applications": {"甲": EVERYONE, "乙": WHOLE_PROVINCE},
    "scitech-applications": {"甲": EVERYONE, "乙": WHOLE_PROVINCE},
    "insurance-briefings": {"甲": EVERYONE, "乙": WHOLE_PROVINCE},
    "appointment-letters": {"甲": EVERYONE - {"demo_expert"}, "乙": WHOLE_PROVINCE},
}
SEARCH = {
    "title-applications": "测试",  # expert names 测试甲 / 测试乙
    "scitech-applications": "接口项目",
    "insurance-briefings": "接口培训",
    "appointment-letters": "接口院长",
}


def _items(api_client, path, **params):
    response = api_client.get(f"{API}/{path}", page_size=500, **params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return body["items"]


def _counts():
    return (
        TitleEvaluationApplication.objects.count(),
        SciTechApplication.objects.count(),
        InsuranceBriefing.objects.count(),
        AppointmentLetter.objects.count(),
        AuditEntry.objects.count(),
    )


def _latest_audit(object_type):
    return AuditEntry.objects.filter(object_type=object_type).latest("id")


@pytest.fixture
def services(world, team, other_team, province_officer):
    """One row of each service for 甲's side (`team`) and 乙's side (`other_team`)."""
    rows: dict[str, dict[str, object]] = {p: {} for p in LIST_PATHS}
    for key, t in (("甲", team), ("乙", other_team)):
        deployment = world[key].deployments.get()
        rows["title-applications"][key] = title_application_create(
            actor=province_officer,
            deployment=deployment,
            applied_title="主任医师",
            has_entrustment_letter=True,
            submitted_on=date(2025, 3, 1),
        )
        rows["scitech-applications"][key] = scitech_application_create(
            actor=province_officer,
            team=t,
            project_title=f"接口项目{key}",
            programme="省级科技计划项目",
            submitted_on=date(2025, 4, 1),
        )
        rows["insurance-briefings"][key] = insurance_briefing_create(
            actor=province_officer,
            team=t,
            held_on=date(2025, 5, 1),
            topic=f"接口培训{key}",
            attendees=12,
        )
        rows["appointment-letters"][key] = appointment_letter_create(
            actor=province_officer,
            helper=t.partnership.helper,
            head_name=f"接口院长{key}",
            letter_number=f"API-L-{key}",
            issued_on=date(2025, 6, 1),
        )
    return rows


# ---- reads ----


@pytest.mark.parametrize("path", LIST_PATHS)
def test_each_list_holds_exactly_the_rows_in_scope(api_client, persona, services, path):
    api_client.login(persona)
    ids = {i["id"] for i in _items(api_client, path, q=SEARCH[path])}
    expected = {
        services[path][key].pk
        for key, readers in READERS[path].items()
        if persona.username in readers
    }
    assert ids == expected


@pytest.mark.parametrize("path", LIST_PATHS)
def test_lists_hold_the_same_rows_as_the_department_services_page(
    client, api_client, persona, services, path
):
    attribute = path.replace("-", "_")
    client.force_login(persona)
    page = client.get("/people/department-services/").context["s"]
    api_client.login(persona)
    ids = {i["id"] for i in _items(api_client, path)}
    assert ids == {o.pk for o in getattr(page, attribute)}


def test_items_describe_the_service_without_pay_or_identity(
    api_client, province_officer, services, world, team
):
    api_client.login(province_officer)
    (title,) = _items(api_client, "title-applications", q="测试甲")
    assert title["expert_id"] == world["甲"].pk
    assert title["recipient_name"] == "威宁彝族回族苗族自治县人民医院"
    assert title["status"] == "submitted" and title["status_label"] == "已申报"
    assert title["route_label"] and title["valid_scope"]
    assert any("§五" in r for r in title["reasons"])
    (project,) = _items(api_client, "scitech-applications", q="接口项目甲")
    assert (project["team_id"], project["batch"]) == (team.pk, team.batch)
    assert project["helper_name"] == "广州市番禺区中心医院"
    (briefing,) = _items(api_client, "insurance-briefings", q="接口培训甲")
    assert (briefing["attendees"], briefing["held_on"]) == (12, "2025-05-01")
    (letter,) = _items(api_client, "appointment-letters", q="接口院长甲")
    assert (letter["letter_number"], letter["position"]) == ("API-L-甲", "院长")
    for path in LIST_PATHS:
        text = api_client.get(f"{API}/{path}", page_size=500).content.decode()
        for secret in ("300000", ID_NUMBER, OTHER_ID_NUMBER, "prior_year_pay", "id_number"):
            assert secret not in text, (path, secret)


def test_filters_narrow_by_expert_team_status_and_helper(
    api_client, province_officer, services, world, team, pair
):
    api_client.login(province_officer)
    by_expert = _items(api_client, "title-applications", expert=world["乙"].pk)
    assert [i["id"] for i in by_expert] == [services["title-applications"]["乙"].pk]
    assert _items(api_client, "title-applications", q="测试", status="approved") == []
    by_team = _items(api_client, "scitech-applications", team=team.pk, q="接口项目")
    assert [i["id"] for i in by_team] == [services["scitech-applications"]["甲"].pk]
    by_team = _items(api_client, "insurance-briefings", team=team.pk, q="接口培训")
    assert [i["id"] for i in by_team] == [services["insurance-briefings"]["甲"].pk]
    by_helper = _items(api_client, "appointment-letters", helper=pair.helper_id, q="接口院长")
    assert [i["id"] for i in by_helper] == [services["appointment-letters"]["甲"].pk]
    bad = api_client.get(f"{API}/title-applications", status="maybe")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"


def test_title_application_detail_in_scope_and_404_outside(api_client, persona, services):
    api_client.login(persona)
    for key, application in services["title-applications"].items():
        response = api_client.get(f"{API}/title-applications/{application.pk}")
        if persona.username in READERS["title-applications"][key]:
            assert response.status_code == 200
            assert response.json()["id"] == application.pk
        else:
            assert response.status_code == 404
            assert response.json()["detail"] == "未找到该职称申报"


def test_anonymous_gets_401_and_writes_nothing(api_client, services):
    before = _counts()
    for path in LIST_PATHS:
        assert api_client.get(f"{API}/{path}").status_code == 401
        assert api_client.post(f"{API}/{path}", {}).status_code == 401
    application = services["title-applications"]["甲"].pk
    assert api_client.get(f"{API}/title-applications/{application}").status_code == 401
    decide = {"status": "approved", "decided_on": "2025-09-01"}
    assert (
        api_client.post(f"{API}/title-applications/{application}/decide", decide).status_code == 401
    )
    assert _counts() == before


def test_an_inactive_account_gets_401(api_client, outsider, services):
    api_client.login(outsider)
    before = _counts()
    for path in LIST_PATHS:
        assert api_client.get(f"{API}/{path}").status_code == 401
        assert api_client.post(f"{API}/{path}", {}).status_code == 401
    assert _counts() == before


# ---- writes ----


def test_an_expert_files_their_own_title_application_and_the_route_is_decided(
    api_client, expert_user, resident
):
    api_client.login(expert_user)
    before = _counts()
    response = api_client.post(
        f"{API}/title-applications",
        {
            "deployment_id": resident.pk,
            "applied_title": " 主任医师 ",
            "has_entrustment_letter": True,
            "submitted_on": "2025-07-01",
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["applied_title"], created["expert_name"]) == ("主任医师", "测试甲")
    assert created["route"] and created["reasons"]
    assert _counts()[0] == before[0] + 1 and _counts()[-1] == before[-1] + 1
    row = _latest_audit("people.titleevaluationapplication")
    assert (row.actor, row.action, row.object_id) == (expert_user, "create", str(created["id"]))


def test_the_province_records_the_evaluation_result(api_client, province_officer, services):
    application = services["title-applications"]["乙"]
    api_client.login(province_officer)
    before = AuditEntry.objects.count()
    response = api_client.post(
        f"{API}/title-applications/{application.pk}/decide",
        {"status": "approved", "decided_on": "2025-09-01"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status_label"] == "已通过"
    assert response.json()["decided_on"] == "2025-09-01"
    assert AuditEntry.objects.count() == before + 1
    row = _latest_audit("people.titleevaluationapplication")
    assert (row.actor, row.action, row.after) == (
        province_officer,
        "decide",
        {"status": "approved", "decided_on": "2025-09-01"},
    )


def test_deciding_out_of_scope_is_404_and_in_scope_without_the_role_is_403(
    api_client, county_officer, recipient_user, services
):
    mine, other = services["title-applications"]["甲"], services["title-applications"]["乙"]
    decide = {"status": "approved", "decided_on": "2025-09-01"}
    api_client.login(county_officer)
    before = _counts()
    response = api_client.post(f"{API}/title-applications/{other.pk}/decide", decide)
    assert (response.status_code, response.json()["detail"]) == (404, "未找到该职称申报")
    api_client.login(recipient_user)
    after_login = _counts()
    response = api_client.post(f"{API}/title-applications/{mine.pk}/decide", decide)
    assert (response.status_code, response.json()["detail"]) == (
        403,
        "只有省人社厅或省级管理员可以登记评审结果",
    )
    assert _counts() == after_login
    assert _counts()[:-1] == before[:-1]
    mine.refresh_from_db()
    assert (mine.status, mine.decided_on) == ("submitted", None)


def test_a_bad_decision_is_a_422_naming_the_field(api_client, province_officer, services):
    application = services["title-applications"]["甲"]
    api_client.login(province_officer)
    before = _counts()
    early = api_client.post(
        f"{API}/title-applications/{application.pk}/decide",
        {"status": "rejected", "decided_on": "2025-01-01"},
    )
    assert early.status_code == 422
    assert "decided_on：评审结果日期不能早于申报日期" in early.json()["detail"]
    unknown = api_client.post(
        f"{API}/title-applications/{application.pk}/decide",
        {"status": "submitted", "decided_on": "2025-09-01"},
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "status"
    assert _counts() == before
    application.refresh_from_db()
    assert application.status == "submitted"


@pytest.mark.parametrize(
    ("who", "path", "body", "object_type"),
    [
        (
            "helper_user",
            "scitech-applications",
            {"project_title": "县域胸痛中心建设", "submitted_on": "2025-08-01"},
            "people.scitechapplication",
        ),
        (
            "recipient_user",
            "insurance-briefings",
            {"held_on": "2025-08-02", "topic": "贵州省医保支付政策", "attendees": 9},
            "people.insurancebriefing",
        ),
    ],
)
def test_a_party_records_a_team_service(api_client, request, team, who, path, body, object_type):
    actor = request.getfixturevalue(who)
    api_client.login(actor)
    before = AuditEntry.objects.count()
    response = api_client.post(f"{API}/{path}", body | {"team_id": team.pk})
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["team_id"], created["recipient_id"]) == (team.pk, team.partnership.recipient_id)
    assert AuditEntry.objects.count() == before + 1
    row = _latest_audit(object_type)
    assert (row.actor, row.action, row.object_id) == (actor, "create", str(created["id"]))


def test_the_province_issues_a_letter_of_appointment(api_client, province_officer, pair):
    api_client.login(province_officer)
    before = AuditEntry.objects.count()
    response = api_client.post(
        f"{API}/appointment-letters",
        {
            "helper_id": pair.helper_id,
            "head_name": "接口院长丙",
            "letter_number": "API-L-NEW",
            "issued_on": "2025-09-09",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["helper_name"] == "广州市番禺区中心医院"
    assert response.json()["position"] == "院长"
    assert AuditEntry.objects.count() == before + 1
    row = _latest_audit("people.appointmentletter")
    assert (row.actor, row.action) == (province_officer, "create")


def test_bad_bodies_get_422_naming_the_field_and_nothing_is_written(
    api_client, province_officer, services, resident, team, pair
):
    api_client.login(province_officer)
    letter = {
        "helper_id": pair.helper_id,
        "head_name": "接口院长",
        "letter_number": "API-L-BAD",
        "issued_on": "2025-09-09",
    }
    cases = [
        (
            "title-applications",
            {"deployment_id": resident.pk, "applied_title": " ", "submitted_on": "2025-07-01"},
            "applied_title：请填写申报的职称",
        ),
        (
            "scitech-applications",
            {"team_id": team.pk, "project_title": " ", "submitted_on": "2025-07-01"},
            "project_title：请填写项目名称",
        ),
        (
            "insurance-briefings",
            {"team_id": team.pk, "held_on": "2025-07-01", "topic": "医保", "attendees": -1},
            "attendees：参加人数不能为负数",
        ),
        (
            "insurance-briefings",
            {"team_id": team.pk, "held_on": "2025-07-01", "topic": " "},
            "topic：请填写培训内容",
        ),
        (
            "appointment-letters",
            letter | {"helper_id": pair.recipient_id},
            f"helper：「{pair.recipient.name}」不是帮扶医院",
        ),
        (
            "appointment-letters",
            letter | {"letter_number": "API-L-甲"},
            "letter_number：聘书编号“API-L-甲”已存在",
        ),
        ("appointment-letters", letter | {"head_name": ""}, "head_name：请填写主要负责人姓名"),
    ]
    for path, body, fragment in cases:
        before = _counts()
        response = api_client.post(f"{API}/{path}", body)
        assert response.status_code == 422, (path, response.content)
        assert fragment in response.json()["detail"], (path, response.json())
        assert _counts() == before, path


@pytest.mark.parametrize(
    ("path", "missing"),
    [
        ("title-applications", "submitted_on"),
        ("scitech-applications", "project_title"),
        ("insurance-briefings", "held_on"),
        ("appointment-letters", "letter_number"),
    ],
)
def test_a_missing_field_is_a_422_naming_it(
    api_client, province_officer, resident, team, pair, path, missing
):
    complete = {
        "title-applications": {
            "deployment_id": resident.pk,
            "applied_title": "主任医师",
            "submitted_on": "2025-07-01",
        },
        "scitech-applications": {
            "team_id": team.pk,
            "project_title": "项目",
            "submitted_on": "2025-07-01",
        },
        "insurance-briefings": {"team_id": team.pk, "held_on": "2025-07-01", "topic": "医保"},
        "appointment-letters": {
            "helper_id": pair.helper_id,
            "head_name": "院长",
            "letter_number": "API-L-MISSING",
            "issued_on": "2025-07-01",
        },
    }[path]
    del complete[missing]
    api_client.login(province_officer)
    before = _counts()
    response = api_client.post(f"{API}/{path}", complete)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [missing]
    assert f"{missing}：必填" in response.json()["detail"]
    assert _counts() == before


def test_referencing_rows_out_of_scope_is_404_and_writes_nothing(
    api_client, expert_user, recipient_user, world, other_team, team, pair
):
    api_client.login(expert_user)
    before = _counts()
    response = api_client.post(
        f"{API}/title-applications",
        {
            "deployment_id": world["乙"].deployments.get().pk,
            "applied_title": "主任医师",
            "submitted_on": "2025-07-01",
        },
    )
    assert (response.status_code, response.json()["detail"]) == (404, "未找到该派驻记录")
    response = api_client.post(  # an expert reads its own team but does not write to it
        f"{API}/scitech-applications",
        {"team_id": team.pk, "project_title": "项目", "submitted_on": "2025-07-01"},
    )
    assert response.status_code == 403
    response = api_client.post(
        f"{API}/scitech-applications",
        {"team_id": other_team.pk, "project_title": "项目", "submitted_on": "2025-07-01"},
    )
    assert (response.status_code, response.json()["detail"]) == (404, "未找到该帮扶队")
    assert _counts() == before
    api_client.login(recipient_user)
    before = _counts()
    for path, body in (
        (
            "scitech-applications",
            {"project_title": "项目", "submitted_on": "2025-07-01"},
        ),
        ("insurance-briefings", {"held_on": "2025-07-01", "topic": "医保"}),
    ):
        response = api_client.post(f"{API}/{path}", body | {"team_id": other_team.pk})
        assert (response.status_code, response.json()["detail"]) == (404, "未找到该帮扶队"), path
    response = api_client.post(
        f"{API}/appointment-letters",
        {
            "helper_id": pair.helper_id,
            "head_name": "院长",
            "letter_number": "API-L-404",
            "issued_on": "2025-07-01",
        },
    )
    assert (response.status_code, response.json()["detail"]) == (404, "未找到该机构")
    assert _counts() == before


def test_in_scope_without_the_right_is_403_and_writes_nothing(
    api_client, helper_user, county_officer, resident, team, pair
):
    api_client.login(helper_user)
    before = _counts()
    title = api_client.post(
        f"{API}/title-applications",
        {"deployment_id": resident.pk, "applied_title": "主任医师", "submitted_on": "2025-07-01"},
    )
    assert (title.status_code, title.json()["detail"]) == (
        403,
        "只有专家本人、受扶医院或省卫健委可以登记职称申报",
    )
    briefing = api_client.post(
        f"{API}/insurance-briefings",
        {"team_id": team.pk, "held_on": "2025-07-01", "topic": "医保"},
    )
    assert (briefing.status_code, briefing.json()["detail"]) == (
        403,
        "只有省卫健委或受扶医院可以登记医保政策培训",
    )
    letter = api_client.post(
        f"{API}/appointment-letters",
        {
            "helper_id": pair.helper_id,
            "head_name": "院长",
            "letter_number": "API-L-403",
            "issued_on": "2025-07-01",
        },
    )
    assert (letter.status_code, letter.json()["detail"]) == (403, "聘书由省卫生健康委发放")
    assert _counts() == before
    api_client.login(county_officer)
    before = _counts()
    project = api_client.post(
        f"{API}/scitech-applications",
        {"team_id": team.pk, "project_title": "项目", "submitted_on": "2025-07-01"},
    )
    assert project.status_code == 403
    assert _counts() == before


# ---- query counts ----


def _grow(actor, pair, n=4):
    """More teams on the partnership, each with a member, a title application, an S&T project,
    a briefing and a letter."""
    for i in range(n):
        t = new_team(actor, pair)
        e = make_expert(actor, f"加量{i}", pair.helper)
        d = deploy(actor, t, e)
        title_application_create(
            actor=actor,
            deployment=d,
            applied_title="副主任医师",
            has_entrustment_letter=False,
            submitted_on=d.start + timedelta(days=1),
        )
        scitech_application_create(
            actor=actor, team=t, project_title=f"加量项目{i}", programme="", submitted_on=d.start
        )
        insurance_briefing_create(actor=actor, team=t, held_on=d.start, topic="医保", attendees=3)
        appointment_letter_create(
            actor=actor,
            helper=pair.helper,
            head_name=f"加量院长{i}",
            letter_number=f"GROW-L-{i}",
            issued_on=d.start,
        )


@pytest.mark.parametrize("path", LIST_PATHS)
def test_query_count_is_constant_as_rows_grow(
    api_client, province_officer, recipient_user, pair, services, path
):
    api_client.login(recipient_user)
    url = f"{API}/{path}"
    api_client.get(url)  # the first call stamps the token's last use

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = api_client.get(url, page_size=500)
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    before, count = queries()
    _grow(province_officer, pair)
    after, grown = queries()
    assert grown > count
    assert after == before
    assert before <= 10, before
