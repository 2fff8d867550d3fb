"""Personal data per role (个人信息保护法; ADR 0004): the edit form never echoes a stored pay,
identity or phone number; lists, exports and API lists mask them for everyone; the detail page
and the API detail show them in full only to entitled readers and record each such view."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bangfu.core.models import AuditEntry
from bangfu.people.domain.privacy import SENSITIVE_VIEW_ACTION, mask_phone, phone_display
from bangfu.people.models import Expert
from bangfu.people.tests.fixtures import ID_MASKED, ID_NUMBER, SENSITIVE, VISIBLE

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
PHONE_MASKED = "139****5678"
PAY_DIGITS = "300000"
# Who may open the edit page of 甲 (registered by 番禺, demo_helper's hospital).
EDITORS = {"demo_province", "demo_helper"}


@pytest.fixture
def jia(world):
    Expert.objects.filter(pk=world["甲"].pk).update(phone=PHONE)
    return world["甲"]


def _secrets_in(text: str) -> set[str]:
    return {s for s in (ID_NUMBER, PAY_DIGITS, PHONE) if s in text}


def _views_of(expert: Expert):
    return AuditEntry.objects.filter(
        object_type="people.expert", object_id=str(expert.pk), action=SENSITIVE_VIEW_ACTION
    )


def test_phone_numbers_keep_only_the_ends():
    assert mask_phone(PHONE) == PHONE_MASKED
    assert mask_phone("0851-86801234") == "085****1234"
    assert mask_phone("12345") == "***45"
    assert mask_phone("") == ""
    assert phone_display(PHONE, True) == PHONE


# ---- the edit form ----


def test_edit_form_echoes_no_sensitive_value_to_anyone(client, persona, jia):
    client.force_login(persona)
    response = client.get(reverse("people:expert_edit", args=[jia.pk]))
    if persona.username not in EDITORS:
        assert response.status_code in (403, 404)
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert _secrets_in(html) == set()
    assert "留空则保持不变" in html
    assert ID_MASKED in html and PHONE_MASKED in html  # the masked current value, as a hint


def _edit_payload(expert: Expert, **changes: str) -> dict[str, str]:
    return {
        "name": expert.name,
        "sex": expert.sex,
        "title": expert.title,
        "job_title": expert.job_title,
        "degree": expert.degree,
        "specialty": "",
        "home_institution": str(expert.home_institution_id),
        "prior_year_pay": "",
        "leadership_qualified": "on",
        "phone": "",
        "id_number": "",
    } | changes


def test_saving_the_edit_form_with_empty_sensitive_fields_keeps_them(client, helper_user, jia):
    client.force_login(helper_user)
    payload = _edit_payload(jia, job_title="副主任医师", title="副高")
    response = client.post(reverse("people:expert_edit", args=[jia.pk]), payload)
    assert response.status_code == 302, response.content.decode()
    jia.refresh_from_db()
    assert jia.job_title == "副主任医师"
    assert (jia.prior_year_pay, jia.id_number, jia.phone) == (Decimal(PAY_DIGITS), ID_NUMBER, PHONE)


def test_typing_a_new_value_replaces_it_and_the_history_stays_masked(client, helper_user, jia):
    client.force_login(helper_user)
    payload = _edit_payload(jia, prior_year_pay="310000", phone="13800001111")
    response = client.post(reverse("people:expert_edit", args=[jia.pk]), payload)
    assert response.status_code == 302
    jia.refresh_from_db()
    assert jia.prior_year_pay == Decimal("310000") and jia.phone == "13800001111"
    assert jia.id_number == ID_NUMBER
    row = AuditEntry.objects.filter(object_type="people.expert", action="update").latest("id")
    assert row.after == {"prior_year_pay": "已修改（内容保密）", "phone": "已修改（内容保密）"}
    assert "13800001111" not in str(row.before) + str(row.after)


# ---- lists, exports, API lists: masked for every role ----


def test_expert_list_page_masks_for_every_role(client, persona, jia):
    client.force_login(persona)
    html = client.get(reverse("people:expert_list"), {"q": "测试"}).content.decode()
    assert _secrets_in(html) == set()
    if "甲" in VISIBLE[persona.username]:
        assert ID_MASKED in html


def test_expert_export_masks_for_every_role(client, persona, jia):
    client.force_login(persona)
    content = client.get(reverse("people:expert_export")).content
    ws = load_workbook(BytesIO(content)).active
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    text = " ".join(str(v) for r in rows for v in r if v is not None)
    assert _secrets_in(text) == set()
    by_name = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    if "甲" in VISIBLE[persona.username]:
        row = by_name["测试甲"]
        assert row["派驻前一年度薪酬（元）"] == "***"
        assert row["身份证号"] == ID_MASKED
        assert row["联系电话"] == PHONE_MASKED


def test_api_expert_list_masks_for_every_role_and_records_no_view(api_client, persona, jia):
    api_client.login(persona)
    before = _views_of(jia).count()
    response = api_client.get("/api/v1/experts", page_size=500)
    assert response.status_code == 200
    assert _secrets_in(response.content.decode()) == set()
    assert _views_of(jia).count() == before


def test_other_list_pages_and_exports_carry_no_sensitive_value(client, persona, jia):
    client.force_login(persona)
    for name in (
        "people:team_list",
        "people:deployment_list",
        "people:team_export",
        "people:deployment_export",
    ):
        response = client.get(reverse(name))
        if response.get("Content-Type", "").startswith("application/vnd"):
            ws = load_workbook(BytesIO(response.getvalue())).active
            text = " ".join(str(v) for r in ws.iter_rows(values_only=True) for v in r)
        else:
            text = response.content.decode()
        assert _secrets_in(text) == set(), name


# ---- the detail page and API detail: full only to the entitled, each view audited ----


def test_detail_page_shows_full_values_only_to_entitled_roles_and_audits_the_view(
    client, persona, jia
):
    client.force_login(persona)
    before = _views_of(jia).count()
    response = client.get(reverse("people:expert_detail", args=[jia.pk]))
    if "甲" not in VISIBLE[persona.username]:
        assert response.status_code == 404
        return
    html = response.content.decode()
    profile = html[html.index('data-testid="expert-profile"') : html.index("</dl>")]
    if "甲" in SENSITIVE[persona.username]:
        assert _secrets_in(profile) == {ID_NUMBER, PAY_DIGITS, PHONE}
        views = _views_of(jia)
        assert views.count() == before + 1
        row = views.latest("id")
        assert row.actor == persona and "详情页" in row.note
        assert row.before is None and row.after is None  # no value is copied into the audit
    else:
        assert _secrets_in(html) == set()
        assert ID_MASKED in profile and PHONE_MASKED in profile
        assert _views_of(jia).count() == before


def test_the_detail_page_lists_who_looked(client, province_officer, recipient_user, jia):
    client.force_login(recipient_user)
    client.get(reverse("people:expert_detail", args=[jia.pk]))
    client.force_login(province_officer)
    html = client.get(reverse("people:expert_detail", args=[jia.pk])).content.decode()
    log = html[html.index('data-testid="sensitive-views"') :]
    assert recipient_user.get_username() in log
    history = html[
        html.index('data-testid="history"') : html.index('data-testid="sensitive-views"')
    ]
    assert PHONE not in history and ID_NUMBER not in history


def test_api_detail_shows_full_values_only_to_entitled_roles_and_audits_the_view(
    api_client, persona, jia
):
    api_client.login(persona)
    before = _views_of(jia).count()
    response = api_client.get(f"/api/v1/experts/{jia.pk}")
    if "甲" not in VISIBLE[persona.username]:
        assert response.status_code == 404
        return
    body = response.json()
    if "甲" in SENSITIVE[persona.username]:
        assert body["prior_year_pay"] == "300000.00" and body["id_number"] == ID_NUMBER
        row = _views_of(jia).latest("id")
        assert _views_of(jia).count() == before + 1
        assert row.actor == persona and "API" in row.note
    else:
        assert body["prior_year_pay"] == "***" and body["id_number"] == ID_MASKED
        assert _views_of(jia).count() == before


# ---- the statement: its salary top-up gives pay away, so an entitled view is audited too ----


@pytest.mark.parametrize(
    ("who", "audited"),
    [
        ("province_officer", True),
        ("recipient_user", True),
        ("expert_user", True),
        ("prefecture_officer", False),
        ("helper_user", False),
    ],
)
def test_a_statement_with_a_top_up_is_audited_for_entitled_readers_only(
    request, client, api_client, jia, who, audited
):
    user = request.getfixturevalue(who)
    year = jia.deployments.get().start.year
    period = {"start": f"{year}-01-01", "end": f"{year}-12-31"}
    before = _views_of(jia).count()
    client.force_login(user)
    response = client.get(reverse("incentives:statement", args=[jia.pk]), period)
    assert response.status_code == 200
    assert response.context["statement"].has_top_up
    assert _views_of(jia).count() == before + (1 if audited else 0)
    if audited:
        row = _views_of(jia).latest("id")
        assert row.actor == user and "薪酬补足" in row.note and "待遇明细" in row.note
    api_client.login(user)
    assert api_client.get(f"/api/v1/experts/{jia.pk}/statement", **period).status_code == 200
    assert _views_of(jia).count() == before + (2 if audited else 0)
