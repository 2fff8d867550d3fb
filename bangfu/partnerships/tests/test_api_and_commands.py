"""Partnership API (scoped, paginated, Chinese errors) and the `coverage` / `agreement_render` commands."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from io import BytesIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document
from pypdf import PdfReader

from bangfu.partnerships.demo import demo_measures
from bangfu.partnerships.models import Agreement, Partnership
from bangfu.registry.models import County, Institution

pytestmark = pytest.mark.django_db


def expected_partnerships(user) -> set[int]:
    qs = Partnership.objects.all()
    return set(
        {
            "demo_province": qs,
            "demo_observer": qs,
            "demo_prefecture": qs.filter(recipient__county__prefecture__code="520500"),
            "demo_county": qs.filter(recipient__county__code="520526"),
            "demo_recipient": qs.filter(recipient_id=user.institution_id),
            "demo_helper": qs.filter(helper_id=user.institution_id),
            # an expert reads the partnerships it is deployed on (read-only)
            "demo_expert": qs.filter(teams__deployments__expert__user=user).distinct(),
        }[user.username].values_list("pk", flat=True)
    )


def test_demo_gives_the_scoped_roles_something_to_see(
    prefecture_officer, county_officer, helper_user
):
    assert (
        len(expected_partnerships(prefecture_officer))
        > len(expected_partnerships(county_officer))
        >= 1
    )
    assert len(expected_partnerships(helper_user)) == 1


def test_partnership_list_is_scoped(api_client, persona):
    api_client.login(persona)
    body = api_client.get("/api/v1/partnerships", page_size=500).json()
    assert {p["id"] for p in body["items"]} == expected_partnerships(persona)
    assert body["count"] == len(body["items"])
    for item in body["items"]:
        assert {
            "id",
            "status",
            "helper_name",
            "recipient_name",
            "recipient_county_code",
            "modes",
            "start",
            "end",
        } <= set(item)


def test_agreement_list_is_scoped_and_carries_measures(api_client, persona):
    api_client.login(persona)
    items = api_client.get("/api/v1/agreements", page_size=500).json()["items"]
    expected = set(
        Agreement.objects.filter(partnership__in=expected_partnerships(persona)).values_list(
            "pk", flat=True
        )
    )
    assert {a["id"] for a in items} == expected
    for item in items:
        assert item["measures"] and {"code", "targets"} <= set(item["measures"][0])
        assert item["status"] in {
            "draft",
            "signed",
            "active",
            "expiring",
            "expired",
            "renewed",
            "terminated",
        }


def test_helper_sees_its_partner_recipient_in_the_registry_once_partnered(api_client, helper_user):
    api_client.login(helper_user)
    ids = {i["id"] for i in api_client.get("/api/v1/institutions", page_size=500).json()["items"]}
    partner = Partnership.objects.get(helper_id=helper_user.institution_id).recipient_id
    assert ids == {helper_user.institution_id, partner}
    counties = {c["code"] for c in api_client.get("/api/v1/counties").json()["items"]}
    assert counties == {"520526"}


def test_filters_status_and_expiring_window(api_client, province_officer):
    api_client.login(province_officer)
    expiring = api_client.get("/api/v1/partnerships", status="expiring").json()["items"]
    assert [p["recipient_name"] for p in expiring] == ["水城区人民医院"]
    within = api_client.get("/api/v1/partnerships", expiring_within_days=90, page_size=500).json()[
        "items"
    ]
    assert "水城区人民医院" in {p["recipient_name"] for p in within}
    assert all(
        date.fromisoformat(p["end"]) <= date.today().replace(year=date.today().year + 1)
        for p in within
    )
    guangdong = api_client.get(
        "/api/v1/partnerships", helper_province="广东省", page_size=500
    ).json()["items"]
    assert guangdong and all(p["helper_province"] == "广东省" for p in guangdong)
    group = api_client.get("/api/v1/partnerships", mode="group", page_size=500).json()["items"]
    assert group and all("group" in p["modes"] for p in group)


def test_anonymous_is_refused(api_client):
    for path in ("/api/v1/partnerships", "/api/v1/agreements", "/api/v1/coverage"):
        assert api_client.get(path).status_code == 401


def _body(helper_id, recipient_id, **agreement):
    return {
        "helper_id": helper_id,
        "recipient_id": recipient_id,
        "modes": ["specialty_alliance"],
        "agreement": {"start": "2026-01-01", "signed_on": "2025-12-20", "measures": demo_measures()}
        | agreement,
    }


def test_create_renew_terminate_through_the_api(api_client, county_officer):
    api_client.login(county_officer)
    helper = Institution.objects.get(name="上海演示第7医院")
    recipient = Institution.objects.get(name="威宁彝族回族苗族自治县妇幼保健院")
    created = api_client.post("/api/v1/partnerships", _body(helper.pk, recipient.pk))
    assert created.status_code == 201, created.content
    item = created.json()
    assert (item["start"], item["end"], item["status"]) == ("2026-01-01", "2028-12-31", "active")
    agreement_id = Agreement.objects.get(partnership_id=item["id"]).pk
    renewed = api_client.post(f"/api/v1/agreements/{agreement_id}/renew", {})
    assert renewed.status_code == 201 and renewed.json()["start"] == "2029-01-01"
    terminated = api_client.post(
        f"/api/v1/agreements/{agreement_id}/terminate", {"on": "2026-12-01", "reason": "调整"}
    )
    assert terminated.status_code == 200
    assert terminated.json()["terminated_on"] == "2026-12-01"


def test_create_with_bad_input_gets_chinese_detail_naming_the_field(api_client, province_officer):
    api_client.login(province_officer)
    helper = Institution.objects.get(name="上海演示第7医院")
    recipient = Institution.objects.get(name="南明区人民医院")
    before = Partnership.objects.count()
    response = api_client.post(
        "/api/v1/partnerships", _body(helper.pk, recipient.pk, end="2025-01-01")
    )
    assert response.status_code == 422
    assert "end：" in response.json()["detail"] and "应晚于开始日期" in response.json()["detail"]
    missing = api_client.post("/api/v1/partnerships", {"helper_id": helper.pk})
    assert missing.status_code == 422 and "必填" in missing.json()["detail"]
    assert Partnership.objects.count() == before


def test_out_of_scope_objects_are_not_found(api_client, county_officer):
    api_client.login(county_officer)
    other = Agreement.objects.exclude(partnership__recipient__county__code="520526").first()
    assert (
        api_client.post(
            f"/api/v1/agreements/{other.pk}/terminate", {"on": "2026-01-01", "reason": "x"}
        ).status_code
        == 404
    )
    helper = Institution.objects.get(name="上海演示第7医院")
    recipient = Institution.objects.get(name="南明区人民医院")
    response = api_client.post("/api/v1/partnerships", _body(helper.pk, recipient.pk))
    assert response.status_code == 422 and "recipient_id" in response.json()["detail"]


def test_hospital_users_cannot_create(api_client, recipient_user):
    api_client.login(recipient_user)
    helper = Institution.objects.get(name="广州市番禺区中心医院")
    response = api_client.post(
        "/api/v1/partnerships", _body(helper.pk, recipient_user.institution_id)
    )
    assert response.status_code in (403, 422)


def test_list_query_count_is_constant_as_partnerships_grow(api_client, province_officer):
    api_client.login(province_officer)
    api_client.get("/api/v1/partnerships")
    with CaptureQueriesContext(connection) as ctx:
        api_client.get("/api/v1/partnerships", page_size=500)
    before = len(ctx.captured_queries)
    helper = Institution.objects.get(name="上海演示第7医院")
    from bangfu.partnerships.services import AgreementInput, partnership_create

    for inst in Institution.objects.filter(category="recipient", institution_type="tcm").order_by(
        "pk"
    )[:10]:
        partnership_create(
            actor=province_officer,
            helper=helper,
            recipient=inst,
            modes=["other"],
            agreement=AgreementInput(start=date(2026, 1, 1), measures=demo_measures()),
        )
    with CaptureQueriesContext(connection) as ctx:
        api_client.get("/api/v1/partnerships", page_size=500)
    assert len(ctx.captured_queries) == before


# ---- commands ----


def test_coverage_json_counts_target_counties_with_an_in_force_3a_agreement(capsys):
    call_command("coverage", "--date", date.today().isoformat(), "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["target_total"] == 70
    covered = set(
        County.objects.filter(programme_group="target").values_list("code", flat=True)
    ) - set(data["uncovered"])
    assert len(covered) == data["covered"]
    assert "520204" in covered  # expiring still counts
    assert "522324" not in covered  # expired without renewal
    assert "520526" not in covered  # helper admitted by exception does not count toward §一
    assert sum(v["target"] for v in data["by_prefecture"].values()) == 70
    assert sum(v["covered"] for v in data["by_prefecture"].values()) == data["covered"]


def test_coverage_before_any_agreement_is_zero(capsys):
    call_command("coverage", "--date", "2015-01-01", "--json")
    assert json.loads(capsys.readouterr().out)["covered"] == 0


def test_coverage_bad_date_is_a_clear_error():
    with pytest.raises(CommandError, match="--date"):
        call_command("coverage", "--date", "2026-13-01")


def test_agreement_render_docx_and_pdf_read_back(tmp_path):
    agreement = Agreement.objects.get(partnership__recipient__name="威宁彝族回族苗族自治县人民医院")
    docx_path, pdf_path = tmp_path / "a.docx", tmp_path / "a.pdf"
    call_command(
        "agreement_render",
        "--agreement",
        str(agreement.pk),
        "--format",
        "docx",
        "--output",
        str(docx_path),
    )
    call_command(
        "agreement_render",
        "--agreement",
        str(agreement.pk),
        "--format",
        "pdf",
        "--output",
        str(pdf_path),
    )
    text = "\n".join(p.text for p in Document(BytesIO(docx_path.read_bytes())).paragraphs)
    assert "广州市番禺区中心医院" in text and "威宁彝族回族苗族自治县人民医院" in text
    assert "威宁彝族回族苗族自治县人民政府" in text
    assert f"{agreement.start.year}年{agreement.start.month}月{agreement.start.day}日" in text
    assert "每个队员按照不低于1:3的比例" in text  # A1-(15) full text
    assert "1.5倍" in text and "100万元" in text and "20万元" in text
    pdf_text = "".join("".join(page.extract_text().split()) for page in PdfReader(pdf_path).pages)
    assert "广州市番禺区中心医院" in pdf_text and "1.5倍" in pdf_text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--agreement", "999999", "--format", "docx"], "未找到编号为 999999 的协议"),
        (["--agreement", "x", "--format", "docx"], "--agreement：协议编号应为数字"),
        (["--agreement", "1", "--format", "odt"], "--format：应为 docx 或 pdf"),
    ],
)
def test_agreement_render_bad_arguments(tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("agreement_render", *args, "--output", str(tmp_path / "x"))


def test_agreement_render_exit_code_in_a_real_process(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "agreement_render",
            "--agreement",
            "1",
            "--format",
            "rtf",
            "--output",
            str(tmp_path / "x"),
        ],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "1", "DATABASE_URL": "sqlite:///:memory:"},
        check=False,
    )
    assert result.returncode == 1
    assert "--format：应为 docx 或 pdf" in result.stderr
