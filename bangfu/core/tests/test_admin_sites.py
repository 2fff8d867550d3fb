"""The back office of people, incentives, partnerships and matching: in Chinese, superusers only,
audited, and never listing or searching an expert's pay or identity number (ADR 0004)."""

# The shared fixtures are imported by name, so pytest finds them; tests then take them as arguments.
# ruff: noqa: F811

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from bangfu.core.models import AuditEntry
from bangfu.incentives.models import HealthCheck, Payment
from bangfu.incentives.services import health_check_create
from bangfu.matching.models import MatchingRound
from bangfu.matching.services import match_preference_set, matching_round_run
from bangfu.partnerships.domain.lifecycle import AgreementStatus
from bangfu.partnerships.models import Agreement
from bangfu.partnerships.services import county_plan_save
from bangfu.people.models import Expert
from bangfu.people.services import (
    appointment_letter_create,
    insurance_briefing_create,
    scitech_application_create,
)
from bangfu.people.tests.fixtures import (  # noqa: F401
    ID_MASKED,
    ID_NUMBER,
    PAY,
    departments,
    expert,
    pair,
    team,
)
from bangfu.registry.models import Institution

pytestmark = pytest.mark.django_db

APP_LABELS = ("people", "incentives", "partnerships", "matching")
MODELS = sorted(
    (m for label in APP_LABELS for m in apps.get_app_config(label).get_models()),
    key=lambda m: m._meta.label,
)


def _institution(name: str) -> Institution:
    return Institution.objects.get(name=name)


@pytest.fixture
def one_of_each(province_officer, expert, team):
    """At least one row of every model, added through the services (the demo data lacks some)."""
    helper = team.partnership.helper
    recipient = team.partnership.recipient
    health_check_create(actor=province_officer, expert=expert, checked_on=date(2025, 3, 1))
    scitech_application_create(
        actor=province_officer,
        team=team,
        project_title="后台测试项目",
        programme="",
        submitted_on=date(2025, 3, 1),
    )
    insurance_briefing_create(
        actor=province_officer, team=team, held_on=date(2025, 3, 2), topic="医保培训", attendees=5
    )
    appointment_letter_create(
        actor=province_officer,
        helper=helper,
        head_name="后台院长",
        letter_number="HT-ADMIN-1",
        issued_on=date(2025, 3, 3),
    )
    county_plan_save(
        actor=province_officer, county=recipient.county, cycle_start=date(2025, 1, 1), goals="目标"
    )
    match_preference_set(actor=province_officer, institution=recipient, ranked_ids=[helper.pk])
    matching_round_run(
        actor=province_officer,
        method="optimal",
        recipient_ids=[_institution("赫章县人民医院").pk, _institution("纳雍县人民医院").pk],
        helper_ids=[_institution("中山市人民医院").pk, _institution("浙江省人民医院").pk],
    )
    Payment.objects.create(  # a frozen payment (normally made by statement_approve)
        expert=expert,
        recipient=team.partnership.recipient,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 1, 31),
        lines=[],
        total=Decimal("0.00"),
        policy_version="guizhou_2025",
        basis="后台测试",
        approved_by=province_officer,
        approved_at=timezone.now(),
    )
    empty = [m._meta.label for m in MODELS if not m.objects.exists()]
    assert not empty, empty


def test_every_model_of_these_apps_is_in_the_admin():
    missing = [m._meta.label for m in MODELS if m not in admin.site._registry]
    assert not missing


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_a_superuser_opens_the_list_add_and_change_pages(
    client, province_officer, one_of_each, model
):
    assert province_officer.is_superuser
    client.force_login(province_officer)
    opts = model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}"

    changelist = client.get(reverse(f"{name}_changelist"))
    assert changelist.status_code == 200
    assert str(opts.verbose_name_plural) in changelist.content.decode()

    model_admin = admin.site._registry[model]
    request = changelist.wsgi_request
    add = client.get(reverse(f"{name}_add"))
    assert add.status_code == (200 if model_admin.has_add_permission(request) else 403)
    if add.status_code == 200:
        assert str(opts.verbose_name) in add.content.decode()

    row = model.objects.order_by("-pk").first()
    change = client.get(reverse(f"{name}_change", args=[row.pk]))
    assert change.status_code == 200
    assert str(opts.verbose_name) in change.content.decode()


LISTS_NAMING_EXPERTS = [
    "people_expert",
    "people_deployment",
    "people_team",
    "incentives_travelclaim",
    "incentives_insurancepolicy",
    "incentives_healthcheck",
]


@pytest.mark.parametrize("changelist", LISTS_NAMING_EXPERTS)
def test_lists_never_show_an_experts_pay_or_identity_number(
    client, province_officer, expert, changelist
):
    client.force_login(province_officer)
    health_check_create(actor=province_officer, expert=expert, checked_on=date(2025, 3, 1))
    page = client.get(reverse(f"admin:{changelist}_changelist"), {"q": "测试甲"}).content.decode()
    assert "测试甲" in page
    for secret in ("300000", "300,000", ID_NUMBER, ID_MASKED):
        assert secret not in page


def test_pay_and_identity_number_are_not_searchable(client, province_officer, expert):
    client.force_login(province_officer)
    url = reverse("admin:people_expert_changelist")
    for term in (ID_NUMBER, ID_NUMBER[-6:], str(PAY)):
        response = client.get(url, {"q": term})
        assert response.context["cl"].result_count == 0, term
    assert client.get(url, {"q": "测试甲"}).context["cl"].result_count == 1


def test_the_change_form_shows_the_sensitive_fields_to_a_superuser(
    client, province_officer, expert
):
    client.force_login(province_officer)
    page = client.get(reverse("admin:people_expert_change", args=[expert.pk])).content.decode()
    assert "派驻前一年度薪酬" in page and ID_NUMBER in page and "300000" in page


def _form_data(response) -> dict[str, object]:
    form = response.context["adminform"].form
    data = {}
    for key, value in form.initial.items():
        if value is None or key not in form.fields:
            continue
        data[key] = value.pk if hasattr(value, "pk") else value
    return data


def test_an_admin_edit_writes_an_audit_row(client, province_officer, expert):
    check = health_check_create(actor=province_officer, expert=expert, checked_on=date(2025, 3, 1))
    client.force_login(province_officer)
    url = reverse("admin:incentives_healthcheck_change", args=[check.pk])
    response = client.post(
        url, {"expert": expert.pk, "checked_on": "2025-03-02", "provider": "后台体检中心"}
    )
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.provider == "后台体检中心"
    entry = AuditEntry.objects.filter(
        object_type="incentives.healthcheck", object_id=str(check.pk)
    ).latest("id")
    assert (entry.action, entry.actor, entry.note) == ("update", province_officer, "后台管理")
    assert entry.before == {"checked_on": "2025-03-01", "provider": ""}
    assert entry.after == {"checked_on": "2025-03-02", "provider": "后台体检中心"}


def test_an_admin_edit_of_an_expert_audits_pay_and_identity_number_masked(
    client, province_officer, expert
):
    client.force_login(province_officer)
    url = reverse("admin:people_expert_change", args=[expert.pk])
    data = _form_data(client.get(url))
    data.update({"prior_year_pay": "310000.00", "id_number": "520526198001011246"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    expert.refresh_from_db()
    assert expert.prior_year_pay == Decimal("310000.00")
    entry = AuditEntry.objects.filter(object_type="people.expert", object_id=str(expert.pk)).latest(
        "id"
    )
    assert entry.note == "后台管理"
    assert entry.after == {
        "prior_year_pay": "已修改（内容保密）",
        "id_number": "已修改（内容保密）",
    }
    logged = str(entry.before) + str(entry.after)
    assert "300000" not in logged and "310000" not in logged and "19800101" not in logged


def test_agreement_status_is_computed_and_read_only(client, province_officer, pair):
    client.force_login(province_officer)
    agreement = Agreement.objects.filter(partnership=pair).order_by("cycle_number").first()
    page = client.get(reverse("admin:partnerships_agreement_change", args=[agreement.pk]))
    assert "状态（按日期计算）" in page.content.decode()
    assert "status_label" not in page.context["adminform"].form.fields
    active = client.get(
        reverse("admin:partnerships_agreement_changelist"), {"status": AgreementStatus.ACTIVE}
    )
    shown = list(active.context["cl"].result_list)
    assert agreement in shown
    assert all(a.terminated_on is None and a.signed_on is not None for a in shown)


def test_matching_rounds_are_read_only(client, province_officer, one_of_each):
    client.force_login(province_officer)
    matching_round = MatchingRound.objects.latest("pk")
    url = reverse("admin:matching_matchinground_change", args=[matching_round.pk])
    assert client.post(url, {"method": "stable"}).status_code == 403
    assert (
        client.post(
            reverse("admin:matching_matchinground_delete", args=[matching_round.pk]),
            {"post": "yes"},
        ).status_code
        == 403
    )
    assert MatchingRound.objects.filter(pk=matching_round.pk, method="optimal").exists()


def test_a_superuser_adds_a_health_check_through_the_admin_and_it_is_audited(
    client, province_officer, expert
):
    client.force_login(province_officer)
    response = client.post(
        reverse("admin:incentives_healthcheck_add"),
        {"expert": expert.pk, "checked_on": "2025-04-01", "provider": "后台新增"},
    )
    assert response.status_code == 302
    check = HealthCheck.objects.get(provider="后台新增")
    entry = AuditEntry.objects.get(object_type="incentives.healthcheck", object_id=str(check.pk))
    assert entry.action == "create" and entry.note == "后台管理"


@pytest.mark.parametrize(
    "persona_name",
    [
        "prefecture_officer",
        "county_officer",
        "recipient_user",
        "helper_user",
        "expert_user",
        "observer_user",
    ],
)
def test_users_who_are_not_staff_are_sent_to_the_admin_login(client, request, persona_name):
    user = request.getfixturevalue(persona_name)
    assert not user.is_staff
    client.force_login(user)
    for url in (
        reverse("admin:people_expert_changelist"),
        reverse("admin:incentives_travelclaim_changelist"),
        reverse("admin:partnerships_agreement_changelist"),
        reverse("admin:matching_matchinground_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(reverse("admin:people_expert_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_experts_deleted_in_the_admin_are_audited_masked(client, province_officer):
    from bangfu.people.tests.fixtures import make_expert

    helper = _institution("广州市番禺区中心医院")
    doomed = make_expert(province_officer, "后台删除", helper, id_number="520526198001011238")
    client.force_login(province_officer)
    response = client.post(reverse("admin:people_expert_delete", args=[doomed.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Expert.objects.filter(pk=doomed.pk).exists()
    entry = AuditEntry.objects.filter(object_type="people.expert", object_id=str(doomed.pk)).latest(
        "id"
    )
    assert entry.action == "delete"
    assert entry.before["prior_year_pay"] == "***"
    assert entry.before["id_number"] == "5205********1238"


def test_staff_who_are_not_superusers_do_not_get_the_sensitive_fields(client, expert):
    from django.contrib.auth.models import Permission

    from bangfu.accounts.models import User

    clerk = User.objects.create_user(username="admin_clerk", password="x-Clerk-9", is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_expert", "change_expert"])
    )
    client.force_login(clerk)
    response = client.get(reverse("admin:people_expert_change", args=[expert.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "测试甲" in html
    assert ID_NUMBER not in html and "300000" not in html and "派驻前一年度薪酬" not in html
    assert client.get(reverse("admin:people_expert_add")).status_code == 403


def test_many_to_many_choices_changed_in_the_admin_are_audited(client, province_officer, pair):
    from bangfu.registry.models import Specialty

    plan = county_plan_save(
        actor=province_officer,
        county=pair.recipient.county,
        cycle_start=date(2025, 1, 1),
        goals="目标",
    )
    specialty = Specialty.objects.order_by("code").first()
    client.force_login(province_officer)
    url = reverse("admin:partnerships_countyplan_change", args=[plan.pk])
    response = client.post(
        url,
        {
            "county": plan.county_id,
            "cycle_start": plan.cycle_start.isoformat(),
            "cycle_end": plan.cycle_end.isoformat(),
            "goals": plan.goals,
            "centres": "[]",
            "measure_codes": "[]",
            "specialties": [specialty.pk],
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.filter(
        object_type="partnerships.countyplan", object_id=str(plan.pk)
    ).latest("id")
    assert entry.note == "后台管理（关联）"
    assert (entry.before, entry.after) == ({"specialties": []}, {"specialties": [specialty.pk]})
