"""Activity pages and API (F8, F13): the user's view, every denied case next to its allowed one."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bangfu.activities.models import Activity
from bangfu.activities.services import ActivityInput, activity_confirm, activity_create
from bangfu.activities.tests.sheets import write_sheet


def _record(user, partnership, day, documents=2, **extra):
    return activity_create(
        actor=user,
        partnership=partnership,
        data=ActivityInput(date=day, kind="rules", quantities={"documents": documents}, **extra),
    )


# ---- API ----


def test_activity_kinds_api_lists_the_catalogue(api_client, recipient_user):
    body = api_client.login(recipient_user).get("/api/v1/activity-kinds").json()
    assert body["count"] == len(body["items"]) == 19
    rules = next(k for k in body["items"] if k["code"] == "rules")
    assert rules["name"] == "规章制度" and rules["measures"] == ["M07"]
    assert rules["quantities"][0] == {
        "name": "documents",
        "label": "完善制度规范数",
        "unit": "项",
        "main": True,
        "people": False,
        "max": 200,
    }


def test_expert_posts_and_the_hospital_confirms_through_the_api(
    api_client, expert_user, recipient_user, weining, recent
):
    payload = {
        "partnership_id": weining.pk,
        "date": recent.isoformat(),
        "kind": "teaching_round",
        "quantities": {"sessions": 1, "patients": 12},
        "title": "查房",
        "external_id": "API-1",
    }
    created = api_client.login(expert_user).post("/api/v1/activities", payload)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["recorded_side"] == "helper" and body["confirmed"] is False
    again = api_client.post("/api/v1/activities", payload)
    assert again.status_code == 422 and "外部编号" in again.json()["detail"]
    denied = api_client.post(f"/api/v1/activities/{body['id']}/confirm", {})
    assert denied.status_code == 403
    confirmed = api_client.login(recipient_user).post(
        f"/api/v1/activities/{body['id']}/confirm", {}
    )
    assert confirmed.status_code == 200 and confirmed.json()["confirmed"] is True
    listed = api_client.get("/api/v1/activities", partnership_id=weining.pk, confirmed="true")
    assert body["id"] in [item["id"] for item in listed.json()["items"]]


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"quantities": {"sessions": -1}}, 422),
        ({"quantities": {"sessions": 0}}, 422),
        ({"kind": "x" * 41}, 422),
        ({"title": "x" * 201}, 422),
        ({"date": "2101-01-01"}, 422),
        ({"kind": "karaoke"}, 422),
    ],
)
def test_api_refuses_bad_input(api_client, recipient_user, weining, recent, change, status):
    payload = {
        "partnership_id": weining.pk,
        "date": recent.isoformat(),
        "kind": "remote_round",
        "quantities": {"sessions": 1},
    } | change
    before = Activity.objects.count()
    assert (
        api_client.login(recipient_user).post("/api/v1/activities", payload).status_code == status
    )
    assert Activity.objects.count() == before


def test_api_out_of_scope_is_not_found(
    api_client, helper_user, province_officer, other_partnership, recent
):
    theirs = _record(province_officer, other_partnership, recent)
    api_client.login(helper_user)
    assert api_client.get(f"/api/v1/activities/{theirs.pk}").status_code == 404
    payload = {
        "partnership_id": other_partnership.pk,
        "date": recent.isoformat(),
        "kind": "rules",
        "quantities": {"documents": 1},
    }
    assert api_client.post("/api/v1/activities", payload).status_code == 404
    assert (
        api_client.get(f"/api/v1/partnerships/{other_partnership.pk}/progress").status_code == 404
    )


def test_progress_api_moves_when_the_other_side_confirms(
    api_client, expert_user, recipient_user, weining, recent
):
    year = recent.year
    url = f"/api/v1/partnerships/{weining.pk}/progress"

    def rules():
        body = api_client.login(recipient_user).get(url, year=year).json()
        assert body["year"] == year
        return next(m for m in body["measures"] if m["code"] == "M07")

    before = rules()
    assert before["target"] == 10
    activity = _record(expert_user, weining, recent, documents=10)
    pending = rules()
    assert pending["achieved"] == before["achieved"]
    assert pending["unconfirmed"] == before["unconfirmed"] + 10
    activity_confirm(actor=recipient_user, activity=activity)
    after = rules()
    assert after["achieved"] == before["achieved"] + 10
    assert after["status"] == "met"
    assert {m["code"] for m in api_client.get(url, year=year).json()["measures"]} >= {
        "M01",
        "M03",
        "M04",
        "M07",
        "M15",
    }


# ---- pages ----


def test_expert_records_on_the_form_and_sees_no_confirm_button(
    client, expert_user, recipient_user, weining, recent
):
    client.force_login(expert_user)
    page = client.get(reverse("activities:activity_create"))
    assert page.status_code == 200 and "填报帮扶活动" in page.content.decode()
    response = client.post(
        reverse("activities:activity_create"),
        {
            "partnership": weining.pk,
            "date": recent.isoformat(),
            "kind": "remote_round",
            "main_quantity": 2,
            "people": 8,
            "department": "心内科",
            "title": "远程查房（表单）",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(title="远程查房（表单）")
    assert activity.quantities == {"sessions": 2, "patients": 8}
    detail = client.get(reverse("activities:activity_detail", args=[activity.pk]))
    assert 'data-testid="confirm"' not in detail.content.decode()
    assert (
        client.post(reverse("activities:activity_confirm", args=[activity.pk])).status_code == 403
    )
    client.force_login(recipient_user)
    detail = client.get(reverse("activities:activity_detail", args=[activity.pk]))
    assert 'data-testid="confirm"' in detail.content.decode()
    client.post(reverse("activities:activity_confirm", args=[activity.pk]))
    assert Activity.objects.get(pk=activity.pk).is_confirmed


def test_form_shows_service_refusals_next_to_the_field(client, expert_user, weining, recent):
    client.force_login(expert_user)
    response = client.post(
        reverse("activities:activity_create"),
        {"partnership": weining.pk, "date": "2020-01-01", "kind": "rules", "main_quantity": 1},
    )
    assert response.status_code == 400
    assert "没有已签署且在有效期内的协议" in response.content.decode()


def test_observers_and_prefectures_cannot_open_the_form(client, observer_user, prefecture_officer):
    for user in (observer_user, prefecture_officer):
        client.force_login(user)
        assert client.get(reverse("activities:activity_create")).status_code == 403


def test_list_filters_and_a_constant_number_of_queries(
    client, county_officer, expert_user, weining, recent
):
    for n in range(3):
        _record(expert_user, weining, recent, title=f"列表{n}")
    client.force_login(county_officer)
    url = reverse("activities:activity_list")
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"partnership": weining.pk})
    for n in range(3, 20):
        _record(expert_user, weining, recent, title=f"列表{n}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url, {"partnership": weining.pk, "confirmed": "no"})
    assert len(many) == len(few)
    assert "列表19" in page.content.decode()
    other_kind = client.get(url, {"partnership": weining.pk, "kind": "free_clinic"}).content
    assert "列表19" not in other_kind.decode()


def test_export_has_the_filtered_rows(client, county_officer, expert_user, weining, recent):
    _record(expert_user, weining, recent, title="导出行")
    client.force_login(county_officer)
    response = client.get(reverse("activities:activity_export"), {"partnership": weining.pk})
    sheet = load_workbook(BytesIO(response.getvalue())).active
    assert "导出行" in [row[9] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_import_page_previews_then_imports(client, county_officer, weining, recent, tmp_path):
    client.force_login(county_officer)
    path = write_sheet(
        tmp_path / "p.xlsx", [(weining.pk, recent, "rules", 3, None, "页面导入", "", "PAGE-1")]
    )
    with open(path, "rb") as handle:
        preview = client.post(reverse("activities:activity_import"), {"file": handle})
    assert preview.status_code == 200 and "将新增 1 条" in preview.content.decode()
    assert not Activity.objects.filter(external_id="PAGE-1").exists()
    token = preview.context["token"]
    done = client.post(reverse("activities:activity_import"), {"token": token})
    assert done.status_code == 302
    assert Activity.objects.filter(external_id="PAGE-1", partnership=weining).exists()
    # the token is spent
    assert client.post(reverse("activities:activity_import"), {"token": token}).status_code == 302
    assert Activity.objects.filter(external_id="PAGE-1").count() == 1


def test_import_page_lists_errors_and_writes_nothing(
    client, county_officer, weining, recent, tmp_path
):
    client.force_login(county_officer)
    path = write_sheet(tmp_path / "p.xlsx", [(weining.pk, recent, "品茶", 3, None, "", "", "")])
    with open(path, "rb") as handle:
        response = client.post(reverse("activities:activity_import"), {"file": handle})
    assert response.status_code == 400
    assert "未知的活动类型" in response.content.decode()


def test_progress_pages_show_the_partnership_and_the_regions(client, county_officer, weining):
    client.force_login(county_officer)
    page = client.get(reverse("activities:partnership_progress", args=[weining.pk]))
    assert 'data-measure="M07"' in page.content.decode()
    overview = client.get(reverse("activities:progress_overview"), {"by": "county"})
    assert "威宁" in overview.content.decode()
    county = client.get(
        reverse("activities:progress_overview"), {"by": "county", "county": "520526"}
    )
    assert 'data-measure="M07"' in county.content.decode()


def test_province_list_reads_every_activity_without_a_join_over_the_partnerships(
    client, province_officer, expert_user, weining, recent
):
    """The province's scope is every partnership: its count and page read the activities alone
    (no semi-join over the partnerships, issue #13), at the same query count at two sizes."""
    _record(expert_user, weining, recent, title="全省0")
    client.force_login(province_officer)
    url = reverse("activities:activity_list")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(1, 8):
        _record(expert_user, weining, recent, title=f"全省{n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    assert response.context["page"].paginator.count == Activity.objects.count()
    counts = [q["sql"] for q in many.captured_queries if "COUNT(*)" in q["sql"]]
    assert counts and all("partnerships_partnership" not in sql for sql in counts), counts
    shown = [a.pk for a in response.context["page"].object_list]
    assert shown == list(
        Activity.objects.order_by("-date", "-pk").values_list("pk", flat=True)[:50]
    )


def test_county_list_still_reads_only_its_partnerships(
    client, county_officer, expert_user, weining, other_partnership, recent, province_officer
):
    _record(expert_user, weining, recent, title="本县")
    client.force_login(county_officer)
    page = client.get(reverse("activities:activity_list"))
    seen = {a.partnership_id for a in page.context["page"].object_list}
    assert seen and other_partnership.pk not in seen
    assert (
        page.context["page"].paginator.count
        == Activity.objects.filter(partnership__recipient__county=weining.recipient.county).count()
    )
