"""Cycle actions through the pages (renew, terminate, sign, file), the agreement download read back,
coverage and gaps, and county plans: state and audit rows after each step."""

from __future__ import annotations

import io
from datetime import date, timedelta
from io import BytesIO
from urllib.parse import unquote

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from bangfu.core.models import AuditEntry
from bangfu.partnerships.models import Agreement, CountyPlan
from bangfu.partnerships.services import agreement_terminate
from bangfu.registry.models import County, Institution

from .conftest import WEINING

pytestmark = pytest.mark.django_db


def audit_rows(obj, action: str):
    return AuditEntry.objects.filter(
        object_type=f"{obj._meta.app_label}.{obj._meta.model_name}",
        object_id=str(obj.pk),
        action=action,
    )


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                texts.extend(p.text for p in cell.paragraphs)
    return "".join("".join(texts).split())


@pytest.fixture
def running(make_partnership, unpaired_recipients, today):
    """A partnership whose first agreement has been in force for 400 days."""
    return make_partnership(unpaired_recipients[0], start=today - timedelta(days=400))


def detail(client, partnership):
    return client.get(reverse("partnerships:partnership_detail", args=[partnership.pk]))


# ---- detail ----


def test_detail_shows_parties_modes_cycle_status_measures_and_history(
    client, province_officer, running
):
    client.force_login(province_officer)
    response = detail(client, running)
    html = response.content.decode()
    agreement = running.agreements.get()
    assert running.helper.name in html and running.recipient.name in html
    assert "东西部协作" in html  # the mode's name, not its code
    assert f"{agreement.start:%Y-%m-%d} 至 {agreement.end:%Y-%m-%d}" in html
    assert 'data-status="active"' in html and "协议执行中" in html  # status with its reason
    assert "每批次派驻专家人数：" in html and "<strong>4人</strong>" in html
    assert "积极协商省外三甲医院组团派驻3-5人医疗专家" in html  # A1-(1) full text
    assert html.count('data-testid="history"') == 2  # the partnership's and the cycle's


def test_detail_offers_the_renewal_prefilled_from_the_service(client, province_officer, running):
    client.force_login(province_officer)
    agreement = running.agreements.get()
    cycle = detail(client, running).context["cycles"][0]
    next_start = agreement.end + timedelta(days=1)
    assert cycle.prefill.start == next_start
    assert cycle.forms["renew"]["start"].value() == next_start
    assert cycle.forms["renew"]["end"].value() == cycle.prefill.end
    assert cycle.prefill.end == date(next_start.year + 3, next_start.month, next_start.day) - (
        timedelta(days=1)
    )
    assert cycle.can_renew and cycle.can_terminate and cycle.can_file


# ---- renew ----


def test_renewal_opens_the_next_cycle_with_an_audit_row(client, province_officer, running):
    client.force_login(province_officer)
    first = running.agreements.get()
    start = first.end + timedelta(days=1)
    response = client.post(
        reverse("partnerships:agreement_renew", args=[first.pk]), {"start": start.isoformat()}
    )
    assert response.status_code == 302
    second = running.agreements.get(cycle_number=2)
    assert (second.previous_id, second.start) == (first.pk, start)
    assert second.end == date(start.year + 3, start.month, start.day) - timedelta(days=1)
    assert {m.code for m in second.measures.all()} == {m.code for m in first.measures.all()}
    assert audit_rows(second, "renew").count() == 1
    cycles = detail(client, running).context["cycles"]
    assert [c.agreement.cycle_number for c in cycles] == [1, 2]
    assert not cycles[0].can_renew  # only the latest cycle is renewed
    assert cycles[1].previous_cycle == 1


def test_renewing_twice_is_refused_and_writes_nothing(client, province_officer, running):
    client.force_login(province_officer)
    first = running.agreements.get()
    url = reverse("partnerships:agreement_renew", args=[first.pk])
    start = (first.end + timedelta(days=1)).isoformat()
    assert client.post(url, {"start": start}).status_code == 302
    before = AuditEntry.objects.count()
    response = client.post(url, {"start": start})
    assert response.status_code == 400
    assert "已续签" in response.content.decode()
    assert running.agreements.count() == 2
    assert AuditEntry.objects.count() == before


def test_renewal_overlapping_the_current_cycle_is_shown_on_the_start_field(
    client, province_officer, running
):
    client.force_login(province_officer)
    first = running.agreements.get()
    response = client.post(
        reverse("partnerships:agreement_renew", args=[first.pk]),
        {"start": (first.end - timedelta(days=10)).isoformat()},
    )
    assert response.status_code == 400
    form = response.context["cycles"][0].forms["renew"]
    assert "重叠" in " ".join(form.errors["start"])
    assert running.agreements.count() == 1


# ---- terminate ----


def test_termination_records_date_reason_and_audit_row(client, province_officer, running, today):
    client.force_login(province_officer)
    agreement = running.agreements.get()
    response = client.post(
        reverse("partnerships:agreement_terminate", args=[agreement.pk]),
        {"on": today.isoformat(), "reason": "帮扶医院调整援派计划"},
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.terminated_on, agreement.termination_reason) == (
        today,
        "帮扶医院调整援派计划",
    )
    assert audit_rows(agreement, "terminate").count() == 1
    html = detail(client, running).content.decode()
    assert 'data-status="terminated"' in html and "终止原因：帮扶医院调整援派计划" in html


def test_termination_without_a_reason_is_refused_on_the_reason_field(
    client, province_officer, running, today
):
    client.force_login(province_officer)
    agreement = running.agreements.get()
    before = AuditEntry.objects.count()
    response = client.post(
        reverse("partnerships:agreement_terminate", args=[agreement.pk]),
        {"on": today.isoformat(), "reason": " "},
    )
    assert response.status_code == 400
    form = response.context["cycles"][0].forms["terminate"]
    assert form.errors["reason"] == ["请填写终止原因"]
    assert 'data-field="reason"' in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.terminated_on is None
    assert AuditEntry.objects.count() == before


def test_the_detail_page_asks_for_confirmation_before_terminating(
    client, province_officer, running
):
    client.force_login(province_officer)
    html = detail(client, running).content.decode()
    agreement = running.agreements.get()
    form_start = html.index(reverse("partnerships:agreement_terminate", args=[agreement.pk]))
    assert "return confirm(" in html[form_start : form_start + 300]


# ---- sign and file ----


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_signing_records_the_date_and_scan_and_serves_the_scan_in_scope(
    client, province_officer, county_officer, make_partnership, media, today
):
    recipient = Institution.objects.get(name="威宁彝族回族苗族自治县中医医院")
    partnership = make_partnership(recipient, start=today + timedelta(days=30), signed=False)
    agreement = partnership.agreements.get()
    client.force_login(province_officer)
    scan = SimpleUploadedFile("signed.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    response = client.post(
        reverse("partnerships:agreement_sign", args=[agreement.pk]),
        {"signed_on": today.isoformat(), "scan": scan},
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.signed_on == today and agreement.signed_scan.name.endswith(".pdf")
    assert audit_rows(agreement, "sign").count() == 1
    assert 'data-testid="scan-link"' in detail(client, partnership).content.decode()
    client.force_login(county_officer)  # 威宁 is its county
    served = client.get(reverse("partnerships:agreement_scan", args=[agreement.pk]))
    assert b"".join(served.streaming_content) == b"%PDF-1.4 scan"


def test_a_scan_that_is_not_pdf_or_image_is_refused_on_the_scan_field(
    client, province_officer, running, media, today
):
    client.force_login(province_officer)
    agreement = running.agreements.get()
    response = client.post(
        reverse("partnerships:agreement_sign", args=[agreement.pk]),
        {"signed_on": today.isoformat(), "scan": SimpleUploadedFile("scan.exe", b"MZ")},
    )
    assert response.status_code == 400
    assert "PDF" in " ".join(response.context["cycles"][0].forms["sign"].errors["scan"])
    agreement.refresh_from_db()
    assert not agreement.signed_scan


def test_filing_with_the_province_is_recorded_with_an_audit_row(
    client, province_officer, running, today
):
    client.force_login(province_officer)
    agreement = running.agreements.get()
    response = client.post(
        reverse("partnerships:agreement_file", args=[agreement.pk]),
        {"level": "province", "filed_on": today.isoformat()},
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.filed_province_on == today and agreement.filed_county_on is None
    assert audit_rows(agreement, "file").count() == 1
    assert f"省卫生健康委：{today:%Y-%m-%d}" in detail(client, running).content.decode()


def test_filing_an_unsigned_agreement_is_refused(
    client, province_officer, make_partnership, unpaired_recipients, today
):
    partnership = make_partnership(unpaired_recipients[1], start=today, signed=False)
    agreement = partnership.agreements.get()
    client.force_login(province_officer)
    response = client.post(
        reverse("partnerships:agreement_file", args=[agreement.pk]),
        {"level": "county", "filed_on": today.isoformat()},
    )
    assert response.status_code == 400
    assert "尚未签订" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.filed_county_on is None


# ---- the agreement as a document ----


def test_docx_download_is_the_filled_in_three_party_agreement(client, county_officer):
    agreement = Agreement.objects.filter(partnership__recipient__county__code=WEINING).first()
    client.force_login(county_officer)
    response = client.get(reverse("partnerships:agreement_download", args=[agreement.pk, "docx"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    filename = unquote(response["Content-Disposition"].split("''", 1)[1])
    assert filename.endswith(f"_{agreement.start.year}.docx")
    text = docx_text(response.content)
    p = agreement.partnership
    for expected in (
        p.helper.name,
        p.recipient.name,
        agreement.party_c,
        f"{agreement.start.year}年{agreement.start.month}月{agreement.start.day}日至"
        f"{agreement.end.year}年{agreement.end.month}月{agreement.end.day}日",
        "积极协商省外三甲医院组团派驻3-5人医疗专家",  # A1-(1), a chosen measure
        "每年力争完善制度规范不少于10项",  # A1-(7)
    ):
        assert expected in text, expected
    assert "专家名医工作室" not in text  # A1-(10) was not chosen


def test_pdf_download_is_a_pdf(client, province_officer, running):
    client.force_login(province_officer)
    agreement = running.agreements.get()
    response = client.get(reverse("partnerships:agreement_download", args=[agreement.pk, "pdf"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_an_unknown_document_format_is_not_found(client, province_officer, running):
    client.force_login(province_officer)
    agreement = running.agreements.get()
    url = reverse("partnerships:agreement_download", args=[agreement.pk, "xlsx"])
    assert client.get(url).status_code == 404


# ---- list filters ----


def test_list_filters_by_county_status_mode_and_expiry(
    client, province_officer, make_partnership, unpaired_recipients, today
):
    expiring = make_partnership(
        unpaired_recipients[0],
        start=today - timedelta(days=1000),
        end=today + timedelta(days=30),
    )
    later = make_partnership(unpaired_recipients[1], start=today - timedelta(days=10))
    client.force_login(province_officer)
    url = reverse("partnerships:partnership_list")

    def shown(**params):
        rows = client.get(url, params).context["page"].paginator.object_list
        return {r.partnership.pk for r in rows}

    county = unpaired_recipients[0].county.code
    assert shown(county=county) == {expiring.pk}
    assert expiring.pk in shown(expiring_within_days=90)
    assert later.pk not in shown(expiring_within_days=90)
    assert expiring.pk in shown(status="expiring") and later.pk not in shown(status="expiring")
    assert {expiring.pk, later.pk} <= shown(helper_province="上海市", mode="east_west")
    assert not shown(helper_province="上海市", mode="specialty_alliance") & {expiring.pk}
    assert shown(q="上海演示第7医院") >= {expiring.pk, later.pk}


def test_export_follows_the_filters(
    client, province_officer, make_partnership, unpaired_recipients, today
):
    make_partnership(unpaired_recipients[0], start=today - timedelta(days=10))
    client.force_login(province_officer)
    response = client.get(
        reverse("partnerships:partnership_export"), {"county": unpaired_recipients[0].county.code}
    )
    rows = list(load_workbook(BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert [(r[0], r[3], r[10]) for r in rows[1:]] == [
        (unpaired_recipients[0].name, "上海演示第7医院", "执行中")
    ]


def test_an_invalid_filter_is_explained_and_filters_nothing(client, province_officer):
    client.force_login(province_officer)
    response = client.get(reverse("partnerships:partnership_list"), {"expiring_within_days": "-5"})
    assert response.status_code == 200
    assert "expiring_within_days" in response.context["form"].errors
    assert response.context["page"].paginator.count > 0


# ---- coverage and gaps ----


def test_a_new_agreement_in_force_covers_its_county_from_its_start(
    client, province_officer, make_partnership, unpaired_recipients, today
):
    client.force_login(province_officer)
    recipient = unpaired_recipients[0]
    url = reverse("partnerships:coverage")
    before = client.get(url).context["report"]
    assert recipient.county.code in {c.code for c in before.uncovered}
    make_partnership(recipient, start=today - timedelta(days=5))
    after = client.get(url).context["report"]
    assert after.covered == before.covered + 1
    assert recipient.county.code not in {c.code for c in after.uncovered}
    cells = {cell.county.code: cell.covered for p in after.prefectures for cell in p.counties}
    assert cells[recipient.county.code] is True
    earlier = client.get(url, {"on": (today - timedelta(days=10)).isoformat()}).context["report"]
    assert earlier.day == today - timedelta(days=10)
    assert recipient.county.code in {c.code for c in earlier.uncovered}


def test_gap_and_lapsed_recipient_are_listed_with_their_days(
    client, province_officer, make_partnership, unpaired_recipients, today
):
    recipient = unpaired_recipients[0]
    partnership = make_partnership(
        recipient, start=today - timedelta(days=1200), end=today - timedelta(days=31)
    )
    client.force_login(province_officer)
    report = client.get(reverse("partnerships:coverage")).context["report"]
    gap = next(g for g in report.gaps if g.partnership.pk == partnership.pk)
    assert (gap.gap.first_day, gap.gap.days, gap.gap.trailing) == (
        today - timedelta(days=30),
        31,
        True,
    )
    lapsed = next(u for u in report.lapsed if u.recipient.pk == recipient.pk)
    assert lapsed.item.days_since_last_end == 31
    never = {u.recipient.pk for u in report.never_paired}
    assert recipient.pk not in never and unpaired_recipients[1].pk in never


def test_expiring_agreements_are_listed_on_the_coverage_page(
    client, province_officer, make_partnership, unpaired_recipients, today
):
    partnership = make_partnership(
        unpaired_recipients[0], start=today - timedelta(days=1000), end=today + timedelta(days=20)
    )
    client.force_login(province_officer)
    response = client.get(reverse("partnerships:coverage"))
    assert partnership.pk in {r.partnership.pk for r in response.context["report"].expiring}
    section = client.get(
        reverse("partnerships:coverage_list"), {"list": "expiring"}, HTTP_HX_REQUEST="true"
    )
    assert f'data-pk="{partnership.pk}"' in section.content.decode()


def test_coverage_export_lists_uncovered_counties_gaps_and_unpaired(
    client, province_officer, make_partnership, unpaired_recipients, today
):
    terminated = make_partnership(unpaired_recipients[0], start=today - timedelta(days=300))
    agreement_terminate(
        actor=province_officer,
        agreement=terminated.agreements.get(),
        on=today - timedelta(days=9),
        reason="测试",
    )
    client.force_login(province_officer)
    response = client.get(reverse("partnerships:coverage_export"))
    rows = list(load_workbook(BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    kinds = [r[0] for r in rows[1:]]
    report = client.get(reverse("partnerships:coverage")).context["report"]
    assert kinds.count("未覆盖的目标县") == len(report.uncovered)
    assert kinds.count("帮扶断档") == len(report.gaps)
    # terminated on day −9: its last day in force was day −10, so days −9 … 0 are a gap (10 days)
    assert ("帮扶断档", str(terminated), 10) in {(r[0], r[3], r[6]) for r in rows[1:]}
    county = unpaired_recipients[0].county
    assert ("未覆盖的目标县", county.prefecture.name, county.name) in {r[:3] for r in rows[1:]}


# ---- county plans ----


def test_county_officer_writes_and_edits_its_county_plan(client, county_officer, today):
    client.force_login(county_officer)
    weining = County.objects.get(code=WEINING)
    agreement = Agreement.objects.filter(partnership__recipient__county=weining).first()
    response = client.post(
        reverse("partnerships:county_plan_create"),
        {
            "county": str(weining.pk),
            "cycle_start": "2025-01-01",
            "goals": "胸痛、卒中中心通过省级验收",
            "centres": ["胸痛中心", "卒中中心"],
            "measure_codes": ["M02", "M01"],
            "agreements": [str(agreement.pk)],
        },
    )
    assert response.status_code == 302
    plan = CountyPlan.objects.get(county=weining, cycle_start=date(2025, 1, 1))
    assert plan.cycle_end == date(2027, 12, 31)  # §七 3 years
    assert (plan.centres, plan.measure_codes) == (["胸痛中心", "卒中中心"], ["M01", "M02"])
    assert list(plan.agreements.all()) == [agreement]
    assert audit_rows(plan, "create").count() == 1
    html = client.get(reverse("partnerships:county_plan_detail", args=[plan.pk])).content.decode()
    assert "胸痛、卒中中心通过省级验收" in html and "建强建好急诊急救“五大中心”" in html

    edit = reverse("partnerships:county_plan_edit", args=[plan.pk])
    form = client.get(edit).context["form"]
    assert form.fields["county"].disabled and form["goals"].value() == plan.goals
    other = County.objects.exclude(pk=weining.pk).first()
    response = client.post(
        edit,
        {"county": str(other.pk), "cycle_start": "2030-01-01", "goals": "新增创伤中心"},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.county_id, plan.cycle_start, plan.goals) == (
        weining.pk,
        date(2025, 1, 1),
        "新增创伤中心",
    )
    assert audit_rows(plan, "update").count() == 1


def test_county_plan_without_goals_or_with_a_foreign_agreement_is_refused(client, province_officer):
    client.force_login(province_officer)
    weining = County.objects.get(code=WEINING)
    foreign = Agreement.objects.exclude(partnership__recipient__county=weining).first()
    before = (CountyPlan.objects.count(), AuditEntry.objects.count())
    response = client.post(
        reverse("partnerships:county_plan_create"),
        {
            "county": str(weining.pk),
            "cycle_start": "2025-01-01",
            "goals": "",
            "agreements": [str(foreign.pk)],
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["goals"] == ["请填写帮扶目标"]
    assert errors["agreements"] == ["只能关联本县受扶医院的协议"]
    assert (CountyPlan.objects.count(), AuditEntry.objects.count()) == before


def test_county_officer_cannot_choose_another_county(client, county_officer):
    client.force_login(county_officer)
    other = County.objects.exclude(code=WEINING).first()
    response = client.post(
        reverse("partnerships:county_plan_create"),
        {"county": str(other.pk), "cycle_start": "2025-01-01", "goals": "越权"},
    )
    assert response.status_code == 400
    assert "county" in response.context["form"].errors
    assert not CountyPlan.objects.filter(county=other).exists()
