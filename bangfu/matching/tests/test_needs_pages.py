"""The needs and ranked-choices pages as each persona uses them (F7, F12; §三(一)–(二)): who
lists which recipients, who may open and edit which hospital, the Chinese messages on the row
that is wrong, nothing written on bad input, the Excel export, the audit history, a round that
uses what was entered, and a constant query count."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bangfu.core.models import AuditEntry
from bangfu.matching.models import MatchPreference, RecipientNeed
from bangfu.matching.tests.conftest import (
    BIJIE,
    HEZHANG_PEOPLES_HOSPITAL,
    INPUTS_ACCESS,
    NOT_FOUND,
    PANYU,
    WEINING_PEOPLES_HOSPITAL,
    WEINING_TCM,
    ZHONGSHAN,
    institution_id,
    recipients_visible_to,
)
from bangfu.registry.models import County, Institution, Specialty

pytestmark = pytest.mark.django_db

NEEDS_LIST = "matching:needs_list"


def detail_url(name: str) -> str:
    return reverse("matching:needs_detail", args=[institution_id(name)])


def preferences_url(name: str) -> str:
    return reverse("matching:preferences_edit", args=[institution_id(name)])


def needs_data(rows: list[dict[str, object]], name: str) -> dict[str, object]:
    """The needs form as the page posts it: one row per existing need (left blank unless
    given, which removes it) plus the rows given."""
    existing = RecipientNeed.objects.filter(institution__name=name).count()
    total = max(existing, len(rows))
    data: dict[str, object] = {
        "needs-TOTAL_FORMS": total,
        "needs-INITIAL_FORMS": existing,
        "needs-MIN_NUM_FORMS": 0,
        "needs-MAX_NUM_FORMS": 100,
    }
    for index in range(total):
        row = rows[index] if index < len(rows) else {}
        data[f"needs-{index}-specialty"] = row.get("specialty", "")
        data[f"needs-{index}-disease"] = row.get("disease", "")
        data[f"needs-{index}-referrals_3y"] = row.get("referrals_3y", "")
        for flag in ("weak", "gap", "DELETE"):
            if row.get(flag):
                data[f"needs-{index}-{flag}"] = "on"
    return data


def ranked_data(ids: list[object], name: str) -> dict[str, object]:
    preference = MatchPreference.objects.filter(institution__name=name).first()
    existing = len(preference.ranked_ids) if preference else 0
    total = max(existing, len(ids))
    data: dict[str, object] = {
        "ranked-TOTAL_FORMS": total,
        "ranked-INITIAL_FORMS": existing,
        "ranked-MIN_NUM_FORMS": 0,
        "ranked-MAX_NUM_FORMS": 100,
    }
    for index in range(total):
        data[f"ranked-{index}-institution"] = ids[index] if index < len(ids) else ""
    return data


def needs_of(name: str) -> list[tuple[str, int, str, bool, bool]]:
    return list(
        RecipientNeed.objects.filter(institution__name=name)
        .order_by("specialty__code")
        .values_list("specialty__code", "referrals_3y", "disease", "weak", "gap")
    )


def ranked_of(name: str) -> list[int] | None:
    preference = MatchPreference.objects.filter(institution__name=name).first()
    return list(preference.ranked_ids) if preference else None


def specialty_codes(count: int) -> list[str]:
    return list(Specialty.objects.order_by("code").values_list("code", flat=True)[:count])


# ---- who sees what ----


def test_each_persona_lists_exactly_the_recipients_in_its_scope(client, persona):
    client.force_login(persona)
    response = client.get(reverse(NEEDS_LIST), {"page": 1})
    assert response.status_code == 200
    shown = {i.pk for i in response.context["page"].paginator.object_list}
    assert shown == recipients_visible_to(persona.username)


def test_an_inactive_account_is_sent_to_the_login_page(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse(NEEDS_LIST))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.get(detail_url(WEINING_TCM)).status_code == 302


def test_each_persona_opens_and_edits_exactly_what_its_role_allows(client, persona):
    client.force_login(persona)
    for name, rights in INPUTS_ACCESS[persona.username].items():
        response = client.get(detail_url(name))
        if rights is NOT_FOUND:
            assert response.status_code == 404, (persona.username, name)
            continue
        assert response.status_code == 200, (persona.username, name)
        inputs = response.context["inputs"]
        assert inputs.can_edit_needs == ("needs" in rights), (persona.username, name)
        assert inputs.can_edit_preferences == ("prefs" in rights), (persona.username, name)
        html = response.content.decode()
        assert ('data-testid="needs-form"' in html) == ("needs" in rights)
        assert ('data-testid="preference-form"' in html) == ("prefs" in rights)


def test_posts_outside_the_scope_are_404_and_without_the_right_are_403(client, persona):
    client.force_login(persona)
    before = (needs_of(WEINING_TCM), RecipientNeed.objects.count(), MatchPreference.objects.count())
    audit_before = AuditEntry.objects.count()
    for name, rights in INPUTS_ACCESS[persona.username].items():
        refused = 404 if rights is NOT_FOUND else 403
        if rights is NOT_FOUND or "needs" not in rights:
            response = client.post(detail_url(name), needs_data([], name))
            assert response.status_code == refused, (persona.username, name, "needs")
        if rights is NOT_FOUND or "prefs" not in rights:
            response = client.post(preferences_url(name), ranked_data([], name))
            assert response.status_code == refused, (persona.username, name, "prefs")
    after = (needs_of(WEINING_TCM), RecipientNeed.objects.count(), MatchPreference.objects.count())
    assert after == before
    assert AuditEntry.objects.count() == audit_before


def test_a_helper_page_has_no_needs_and_its_needs_url_refuses_posts(client, province_officer):
    client.force_login(province_officer)
    response = client.get(detail_url(PANYU))
    assert response.status_code == 200
    assert response.context["needs_formset"] is None
    assert "需求（受扶地所需）" not in response.content.decode()
    assert client.post(detail_url(PANYU), needs_data([], PANYU)).status_code == 403


# ---- the list ----


def test_the_list_shows_weak_specialties_top_referrals_gaps_and_choices(client, province_officer):
    hospital = Institution.objects.get(name=WEINING_TCM)
    first, second, third = specialty_codes(3)
    client.force_login(province_officer)
    client.post(
        detail_url(WEINING_TCM),
        needs_data(
            [
                {"specialty": first, "disease": "甲病", "referrals_3y": 12, "weak": True},
                {"specialty": second, "disease": "乙病", "referrals_3y": 40, "gap": True},
                {"specialty": third},
            ],
            WEINING_TCM,
        ),
    )
    client.post(preferences_url(WEINING_TCM), ranked_data([institution_id(PANYU)], WEINING_TCM))
    response = client.get(reverse(NEEDS_LIST), {"county": "520526"})
    (row,) = [r for r in response.context["rows"] if r.institution.pk == hospital.pk]
    names = dict(Specialty.objects.values_list("code", "name"))
    assert row.weak_specialties == (names[first],)
    assert row.capability_gaps == (names[second],)
    assert [(r.disease, r.count) for r in row.top_referrals] == [("乙病", 40), ("甲病", 12)]
    assert row.preference_count == 1
    html = response.content.decode()
    assert "乙病（40 人次）、甲病（12 人次）" in html
    assert "已填 1 个" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"prefecture": BIJIE}, lambda qs: qs.filter(county__prefecture__code=BIJIE)),
        ({"county": "520526"}, lambda qs: qs.filter(county__code="520526")),
        ({"q": "中医医院"}, lambda qs: qs.filter(name__contains="中医医院")),
        (
            {"prefecture": BIJIE, "q": "人民医院"},
            lambda qs: qs.filter(county__prefecture__code=BIJIE, name__contains="人民医院"),
        ),
    ],
)
def test_the_list_filters_by_prefecture_county_and_name(client, province_officer, params, expected):
    client.force_login(province_officer)
    response = client.get(reverse(NEEDS_LIST), params)
    shown = {i.pk for i in response.context["page"].paginator.object_list}
    recipients = Institution.objects.filter(category="recipient")
    assert shown == set(expected(recipients).values_list("pk", flat=True))
    assert shown


def test_a_filter_outside_the_scope_shows_the_scope_unfiltered(client, county_officer):
    client.force_login(county_officer)
    response = client.get(reverse(NEEDS_LIST), {"prefecture": "520100"})  # Guiyang
    shown = {i.pk for i in response.context["page"].paginator.object_list}
    assert shown == recipients_visible_to("demo_county")


def test_the_list_is_paginated(client, province_officer, settings):
    client.force_login(province_officer)
    total = len(recipients_visible_to("demo_province"))
    first = client.get(reverse(NEEDS_LIST)).context["page"]
    assert len(first.object_list) == settings.PAGE_SIZE < total
    last = client.get(reverse(NEEDS_LIST), {"page": first.paginator.num_pages}).context["page"]
    assert len(last.object_list) == total - settings.PAGE_SIZE * (first.paginator.num_pages - 1)


def test_an_empty_list_explains_itself(client, expert_user, province_officer):
    client.force_login(expert_user)
    html = client.get(reverse(NEEDS_LIST)).content.decode()
    assert 'data-testid="empty"' in html and "没有可查看的受扶医院" in html
    client.force_login(province_officer)
    html = client.get(reverse(NEEDS_LIST), {"q": "不存在的医院"}).content.decode()
    assert "没有符合筛选条件的受扶医院" in html


def test_hospital_users_get_a_link_to_their_own_page(client, recipient_user, helper_user):
    for user, name in ((recipient_user, WEINING_PEOPLES_HOSPITAL), (helper_user, PANYU)):
        client.force_login(user)
        html = client.get(reverse(NEEDS_LIST)).content.decode()
        assert f'href="{detail_url(name)}" data-testid="own-inputs"' in html


def test_the_round_list_and_the_menu_link_to_the_needs(client, county_officer):
    client.force_login(county_officer)
    html = client.get(reverse("matching:round_list")).content.decode()
    assert f'href="{reverse(NEEDS_LIST)}" data-testid="needs-link"' in html
    nav = client.get(reverse(NEEDS_LIST)).context["nav_items"]
    assert ("matching:needs_list", "结对需求") in nav  # a county office fills in needs
    assert ("matching:round_list", "结对匹配") not in nav  # it does not run rounds


def test_the_menu_leads_the_offices_that_run_rounds_to_the_rounds(client, province_officer):
    client.force_login(province_officer)
    nav = client.get(reverse(NEEDS_LIST)).context["nav_items"]
    assert ("matching:round_list", "结对匹配") in nav
    assert all(name != "matching:needs_list" for name, _ in nav)


def test_the_export_holds_the_filtered_rows_of_the_scope(client, prefecture_officer):
    client.force_login(prefecture_officer)
    response = client.get(reverse("matching:needs_list_export"), {"q": "人民医院"})
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("受扶医院", "市州", "县", "薄弱专科")
    expected = Institution.objects.filter(
        category="recipient", county__prefecture__code=BIJIE, name__contains="人民医院"
    )
    assert {r[0] for r in rows[1:]} == set(expected.values_list("name", flat=True))
    assert {r[1] for r in rows[1:]} == {"毕节市"}


def test_the_export_of_a_hospital_user_holds_only_its_hospital(client, recipient_user):
    client.force_login(recipient_user)
    response = client.get(reverse("matching:needs_list_export"))
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [WEINING_PEOPLES_HOSPITAL]


# ---- editing ----


def test_the_county_office_replaces_a_recipients_needs_with_an_audit_row(client, county_officer):
    first, second = specialty_codes(2)
    client.force_login(county_officer)
    response = client.post(
        detail_url(WEINING_TCM),
        needs_data(
            [
                {"specialty": first, "disease": " 中风病 ", "referrals_3y": 30, "weak": True},
                {"specialty": second, "gap": True},
            ],
            WEINING_TCM,
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(WEINING_TCM)
    assert needs_of(WEINING_TCM) == [
        (first, 30, "中风病", True, False),
        (second, 0, "", False, True),
    ]
    entry = AuditEntry.objects.filter(
        object_type="registry.institution", object_id=str(institution_id(WEINING_TCM))
    ).latest("pk")
    assert entry.actor == county_officer
    assert entry.note == "受扶医院需求（结对匹配）"
    assert [n["specialty"] for n in entry.after["matching_needs"]] == [first, second]
    page = client.get(detail_url(WEINING_TCM))
    assert "已保存「威宁彝族回族苗族自治县中医医院」的需求（2 项）" in page.content.decode()
    assert page.context["history"][0].pk == entry.pk


def test_a_need_row_marked_for_deletion_is_removed(client, province_officer):
    first, second = specialty_codes(2)
    client.force_login(province_officer)
    client.post(
        detail_url(WEINING_TCM),
        needs_data([{"specialty": first}, {"specialty": second}], WEINING_TCM),
    )
    client.post(
        detail_url(WEINING_TCM),
        needs_data([{"specialty": first}, {"specialty": second, "DELETE": True}], WEINING_TCM),
    )
    assert [code for code, *_ in needs_of(WEINING_TCM)] == [first]


def test_the_recipient_ranks_helpers_with_an_audit_row_and_sees_them(client, recipient_user):
    ranked = [institution_id(ZHONGSHAN), institution_id(PANYU)]
    client.force_login(recipient_user)
    response = client.post(
        preferences_url(WEINING_PEOPLES_HOSPITAL), ranked_data(ranked, WEINING_PEOPLES_HOSPITAL)
    )
    assert response.status_code == 302
    assert ranked_of(WEINING_PEOPLES_HOSPITAL) == ranked
    preference = MatchPreference.objects.get(institution__name=WEINING_PEOPLES_HOSPITAL)
    entry = AuditEntry.objects.filter(
        object_type="matching.matchpreference", object_id=str(preference.pk)
    ).latest("pk")
    assert (entry.actor, entry.after) == (recipient_user, {"ranked_ids": ranked})
    page = client.get(detail_url(WEINING_PEOPLES_HOSPITAL))
    assert [f.initial["institution"] for f in page.context["preference_formset"].initial_forms] == (
        ranked
    )
    assert page.context["history"][0].pk == entry.pk


def test_a_helper_ranks_recipients_and_blank_rows_close_up(client, helper_user):
    wanted = [institution_id(HEZHANG_PEOPLES_HOSPITAL), institution_id(WEINING_TCM)]
    client.force_login(helper_user)
    response = client.post(preferences_url(PANYU), ranked_data([wanted[0], "", wanted[1]], PANYU))
    assert response.status_code == 302
    assert ranked_of(PANYU) == wanted


def test_readers_see_the_needs_and_choices_without_forms(client, observer_user, recipient_user):
    client.force_login(recipient_user)
    client.post(
        preferences_url(WEINING_PEOPLES_HOSPITAL),
        ranked_data([institution_id(PANYU)], WEINING_PEOPLES_HOSPITAL),
    )
    client.force_login(observer_user)
    html = client.get(detail_url(WEINING_PEOPLES_HOSPITAL)).content.decode()
    assert 'data-testid="ranked-list"' in html and PANYU in html
    assert 'data-testid="needs-form"' not in html
    assert 'data-testid="preference-form"' not in html
    assert 'data-testid="history"' in html


# ---- bad input: refused on the row, in Chinese, nothing written ----


@pytest.mark.parametrize(
    ("rows", "row", "field", "message"),
    [
        ([{"specialty": "zz"}], 0, "specialty", "未知的专科代码“zz”"),
        (
            [{"specialty": "FIRST"}, {"specialty": "SECOND", "referrals_3y": -3}],
            1,
            "referrals_3y",
            "外转人次不能为负数（收到 -3）",
        ),
        ([{"specialty": "FIRST"}, {"specialty": "FIRST"}], 1, "specialty", "重复填写"),
        ([{"specialty": "FIRST", "referrals_3y": "很多"}], 0, "referrals_3y", "外转人次应为整数"),
        ([{"disease": "无专科的病种"}], 0, "specialty", "请选择专科"),
        ([{"specialty": "FIRST", "disease": "病" * 101}], 0, "disease", "不能超过 100 个字"),
    ],
)
def test_bad_needs_are_refused_on_their_row_and_nothing_changes(
    client, province_officer, rows, row, field, message
):
    codes = dict(zip(("FIRST", "SECOND"), specialty_codes(2), strict=True))
    rows = [{k: codes.get(v, v) if isinstance(v, str) else v for k, v in r.items()} for r in rows]
    before = needs_of(WEINING_TCM)
    audit_before = AuditEntry.objects.count()
    client.force_login(province_officer)
    response = client.post(detail_url(WEINING_TCM), needs_data(rows, WEINING_TCM))
    assert response.status_code == 400
    form = response.context["needs_formset"].forms[row]
    assert any(message in e for e in form.errors[field]), form.errors
    html = response.content.decode()
    assert f'data-field="needs-{row}-{field}"' in html
    assert message in html
    assert needs_of(WEINING_TCM) == before
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize(
    ("choices", "row", "message"),
    [
        (lambda p, z, r: [p, z, p], 2, "编号为 {p} 的帮扶医院重复出现"),
        (lambda p, z, r: [p, r], 1, "未找到编号为 {r} 的帮扶医院"),
        (lambda p, z, r: [987654], 0, "未找到编号为 987654 的帮扶医院"),
        (lambda p, z, r: ["第一"], 0, "志愿应为医疗机构编号"),
    ],
)
def test_bad_choices_are_refused_on_their_row_and_nothing_changes(
    client, recipient_user, choices, row, message
):
    p, z, r = institution_id(PANYU), institution_id(ZHONGSHAN), institution_id(WEINING_TCM)
    client.force_login(recipient_user)
    client.post(
        preferences_url(WEINING_PEOPLES_HOSPITAL), ranked_data([z], WEINING_PEOPLES_HOSPITAL)
    )
    audit_before = AuditEntry.objects.count()
    response = client.post(
        preferences_url(WEINING_PEOPLES_HOSPITAL),
        ranked_data(choices(p, z, r), WEINING_PEOPLES_HOSPITAL),
    )
    assert response.status_code == 400
    expected = message.format(p=p, r=r)
    form = response.context["preference_formset"].forms[row]
    assert form.errors["institution"] == [expected]
    assert f'data-field="ranked-{row}-institution"' in response.content.decode()
    assert ranked_of(WEINING_PEOPLES_HOSPITAL) == [z]
    assert AuditEntry.objects.count() == audit_before


def test_a_helpers_choices_must_be_recipients(client, helper_user):
    client.force_login(helper_user)
    response = client.post(preferences_url(PANYU), ranked_data([institution_id(ZHONGSHAN)], PANYU))
    assert response.status_code == 400
    assert response.context["preference_formset"].forms[0].errors["institution"] == [
        f"未找到编号为 {institution_id(ZHONGSHAN)} 的受扶医院"
    ]
    assert ranked_of(PANYU) is None


def test_a_tampered_needs_form_is_refused_without_writing(client, province_officer):
    before = needs_of(WEINING_TCM)
    client.force_login(province_officer)
    response = client.post(detail_url(WEINING_TCM), {"needs-0-specialty": "zz"})
    assert response.status_code == 400
    assert response.context["needs_formset"].non_form_errors()
    assert needs_of(WEINING_TCM) == before


# ---- a round uses what was entered ----


def test_a_round_after_editing_uses_the_new_needs_and_choices(client, province_officer):
    helper = Institution.objects.get(name=PANYU)
    strength = helper.strong_specialties.order_by("code").first()
    client.force_login(province_officer)
    client.post(
        detail_url(WEINING_TCM),
        needs_data(
            [{"specialty": strength.code, "disease": "测试外转病种", "referrals_3y": 88}],
            WEINING_TCM,
        ),
    )
    client.post(preferences_url(WEINING_TCM), ranked_data([helper.pk], WEINING_TCM))
    response = client.post(
        reverse("matching:round_create"),
        {"method": "optimal", "recipients": [institution_id(WEINING_TCM)], "helpers": [helper.pk]},
    )
    assert response.status_code == 302, response.context["form"].errors
    proposal = client.get(response["Location"]).context["rows"][0].proposal
    specialty = next(p for p in proposal.parts if p["name"] == "specialty")
    assert f"{strength.name}（88）" in specialty["reason"]
    assert "测试外转病种（88 人次）" in specialty["reason"]
    assert specialty["value"] == "60.00"  # all of the demand is in the helper's strengths
    assert "受扶医院将对方列为第 1 志愿（本院填报）" in proposal.reason


# ---- query counts ----


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["rows"])


def test_the_list_query_count_does_not_grow_with_recipients_needs_and_choices(
    client, county_officer
):
    client.force_login(county_officer)
    url = reverse(NEEDS_LIST)
    queries, shown = _queries(client, url)
    county = County.objects.get(code="520526")
    codes = specialty_codes(4)
    panyu = institution_id(PANYU)
    for n in range(4):
        hospital = Institution.objects.create(
            name=f"威宁测试医院{n}", category="recipient", county=county
        )
        for code in codes[: n + 1]:
            RecipientNeed.objects.create(
                institution=hospital, specialty_id=Specialty.objects.get(code=code).pk, weak=True
            )
        MatchPreference.objects.create(institution=hospital, ranked_ids=[panyu])
    assert _queries(client, url) == (queries, shown + 4)
