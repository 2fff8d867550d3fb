"""Entering, confirming and importing a hospital's yearly indicator values; the §一 summary."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import Workbook

from bangfu.capability.assisted import assisted_refresh
from bangfu.capability.models import IndicatorValue
from bangfu.capability.selectors import capability_summary
from bangfu.capability.services import (
    IMPORT_HEADERS,
    capability_import_file,
    capability_values_confirm,
    capability_values_save,
)
from bangfu.capability.standings import standings_refresh
from bangfu.core.models import AuditEntry
from bangfu.partnerships.models import Agreement, Partnership
from bangfu.registry.models import County, Institution, InstitutionCategory, InstitutionType
from bangfu.registry.scope import scope_for_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def year() -> int:
    return timezone.localdate().year


@pytest.fixture
def own(recipient_user) -> Institution:
    institution_id = scope_for_user(recipient_user).institution_id
    assert institution_id is not None
    return Institution.objects.get(pk=institution_id)


@pytest.fixture
def other(own) -> Institution:
    """A recipient hospital in another prefecture (out of the demo users' scope)."""
    found = (
        Institution.objects.filter(category=InstitutionCategory.RECIPIENT)
        .exclude(county__prefecture_id=own.county.prefecture_id)
        .order_by("pk")
        .first()
    )
    assert found is not None
    return found


def _put(api_client, user, institution_id, year, values):
    from django.test import Client

    client: Client = api_client.__dict__.get("client") or Client()
    api_client.login(user)
    return client.put(
        f"/api/v1/capability/{institution_id}/{year}",
        {"values": values},
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_client.token}"},
    )


def test_own_hospital_puts_values_and_they_are_judged(api_client, recipient_user, own, year):
    response = _put(api_client, recipient_user, own.pk, year, {"DX-05": True, "DX-24": 35})
    assert response.status_code == 200, response.content
    body = response.json()
    checks = {i["code"]: i for i in body["indicators"]}
    assert checks["DX-05"]["status"] == "met"
    assert checks["DX-24"] == {
        "code": "DX-24",
        "name": checks["DX-24"]["name"],
        "core": True,
        "value": "35",
        "status": "met",
        "confirmed": False,
    }
    assert body["meets_standard"] is False
    assert "DX-06" in body["missing"]
    assert body["catalogue_draft"] is True
    stored = IndicatorValue.objects.get(institution=own, year=year, code="DX-24")
    assert stored.value == "35" and stored.entered_by == recipient_user
    assert AuditEntry.objects.filter(
        action="capability_values_save", object_id=str(own.pk)
    ).exists()


def test_put_is_all_or_nothing_with_errors_naming_the_indicator(
    api_client, recipient_user, own, year
):
    before = IndicatorValue.objects.filter(institution=own, year=year).count()
    response = _put(
        api_client, recipient_user, own.pk, year, {"DX-05": True, "DX-24": 130, "DX-11": "建成"}
    )
    assert response.status_code == 422
    text = json.dumps(response.json(), ensure_ascii=False)
    assert "DX-24" in text and "不能大于 100" in text
    assert "DX-11" in text and "应为以下之一" in text
    assert IndicatorValue.objects.filter(institution=own, year=year).count() == before


@pytest.mark.parametrize(
    ("persona_name", "status"),
    [("county_officer", 403), ("helper_user", 403), ("province_officer", 403)],
)
def test_only_the_hospital_writes_its_values(api_client, request, own, year, persona_name, status):
    user = request.getfixturevalue(persona_name)
    response = _put(api_client, user, own.pk, year, {"DX-05": True})
    assert response.status_code == status
    assert not IndicatorValue.objects.filter(institution=own, year=year, code="DX-05").exists()


def test_another_hospital_is_not_found(api_client, recipient_user, other, year):
    response = _put(api_client, recipient_user, other.pk, year, {"DX-05": True})
    assert response.status_code == 404
    api_client.login(recipient_user)
    assert api_client.get(f"/api/v1/capability/{other.pk}/{year}").status_code == 404


def test_county_reads_and_confirms_and_a_change_needs_confirming_again(
    recipient_user, county_officer, prefecture_officer, own, year
):
    capability_values_save(
        actor=recipient_user, institution=own, year=year, values={"DX-05": "是", "DX-24": "40"}
    )
    with pytest.raises(PermissionDenied):
        capability_values_confirm(actor=prefecture_officer, institution=own, year=year)
    assert capability_values_confirm(actor=county_officer, institution=own, year=year) == 2
    assert not IndicatorValue.objects.filter(
        institution=own, year=year, confirmed_at__isnull=True
    ).exists()
    capability_values_save(actor=recipient_user, institution=own, year=year, values={"DX-24": 41})
    row = IndicatorValue.objects.get(institution=own, year=year, code="DX-24")
    assert row.confirmed_at is None and row.confirmed_by is None
    assert (
        IndicatorValue.objects.get(institution=own, year=year, code="DX-05").confirmed_by
        == county_officer
    )
    with pytest.raises(ValidationError):
        capability_values_confirm(actor=county_officer, institution=own, year=year - 20)


def test_page_form_saves_and_shows_the_result(client, recipient_user, county_officer, own, year):
    client.force_login(recipient_user)
    url = f"/capability/{own.pk}/{year}/edit"
    page = client.get(url)
    assert page.status_code == 200 and "DX-05" in page.content.decode()
    response = client.post(url, {"DX-05": "是", "DX-24": "abc"})
    assert response.status_code == 400
    assert "应为数字" in response.content.decode()
    assert not IndicatorValue.objects.filter(institution=own, year=year, code="DX-05").exists()
    response = client.post(url, {"DX-05": "是", "DX-24": "31", "evidence_DX-24": "病案首页统计"})
    assert response.status_code == 302
    assert (
        IndicatorValue.objects.get(institution=own, year=year, code="DX-24").evidence
        == "病案首页统计"
    )
    client.force_login(county_officer)
    assert client.get(url).status_code == 302  # the county reads, does not enter
    detail = client.get(f"/capability/{own.pk}/{year}/").content.decode()
    assert "病案首页统计" in detail and 'data-testid="confirm"' in detail


def _sheet(tmp_path: Path, rows: list[list[object]]) -> str:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(IMPORT_HEADERS))
    for row in rows:
        sheet.append(row)
    path = tmp_path / "values.xlsx"
    workbook.save(path)
    return str(path)


def test_import_writes_every_row(tmp_path, recipient_user, own, year):
    path = _sheet(
        tmp_path,
        [[own.name, year, "DX-05", "是", "自评"], [own.name, year, "DX-24", 33.5, ""], [None] * 5],
    )
    result = capability_import_file(actor=recipient_user, path=path)
    assert result.ok, result.errors
    assert result.rows == 2 and result.counts["created"] == 2
    assert IndicatorValue.objects.get(institution=own, year=year, code="DX-24").value == "33.5"


def test_import_with_errors_writes_nothing_and_names_row_and_column(
    tmp_path, recipient_user, own, other, year
):
    path = _sheet(
        tmp_path,
        [
            [own.name, year, "DX-05", "是", ""],
            [own.name, year, "DX-24", 120, ""],
            [other.name, year, "DX-05", "是", ""],
            [own.name, 1999, "ZZ-01", "1", ""],
            [own.name, year, "DX-05", "否", ""],
        ],
    )
    result = capability_import_file(actor=recipient_user, path=path)
    messages = [str(e) for e in result.errors]
    assert "第3行「数值」：指标 DX-24「" in messages[0] and "不能大于 100" in messages[0]
    assert any(m.startswith("第4行「医院名称」") for m in messages)
    assert any(m.startswith("第5行「年度」") for m in messages)
    assert any(m.startswith("第5行「指标编码」") for m in messages)
    assert any(m == "第6行「指标编码」：与第2行重复" for m in messages)
    assert not IndicatorValue.objects.filter(institution=own, year=year).exists()


def test_template_lists_the_hospitals_indicators(client, recipient_user, own, year):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(recipient_user)
    response = client.get(f"/capability/template.xlsx?year={year}")
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == IMPORT_HEADERS
    assert (own.name, year, "DX-05") == rows[1 + [r[2] for r in rows[1:]].index("DX-05")][:3]


# ---- the summary, hand-checked on a small fixture in a year no demo agreement reaches ----

FAR = 2040


def _hospital(county: County, name: str, kind: str = InstitutionType.GENERAL) -> Institution:
    return Institution.objects.create(
        name=name,
        category=InstitutionCategory.RECIPIENT,
        institution_type=kind,
        county=county,
        prefecture=county.prefecture,
    )


def _helper(name: str, province: str, grade: str) -> Institution:
    return Institution.objects.create(
        name=name, category=InstitutionCategory.HELPER, province=province, grade=grade
    )


def _agreement(helper, recipient, start, end, *, signed=True, terminated=None):
    partnership = Partnership.objects.create(helper=helper, recipient=recipient)
    agreement = Agreement.objects.create(
        partnership=partnership,
        party_c="县人民政府",
        start=start,
        end=end,
        signed_on=start if signed else None,
        terminated_on=terminated,
    )
    assisted_refresh([recipient.pk])  # written around the services
    return agreement


def _all_met(hospital: Institution) -> None:
    from bangfu.capability.domain.standard import value_to_json
    from bangfu.capability.loader import load_catalogue

    catalogue = load_catalogue()
    now = timezone.now()
    for indicator in catalogue.for_type(hospital.institution_type):
        target = indicator.target
        if target is None:
            continue
        value: object = (
            target.equals
            if target.equals is not None
            else target.one_of[0]
            if target.one_of
            else target.minimum
            if target.minimum is not None
            else Decimal(0)
        )
        IndicatorValue.objects.create(
            institution=hospital,
            year=FAR,
            code=indicator.code,
            value=value_to_json(value),  # type: ignore[arg-type]
            catalogue_version=catalogue.version,
            entered_at=now,
        )
    standings_refresh([hospital.pk], FAR)  # written around the services


def test_summary_counts_assisted_hospitals_and_those_meeting_the_standard():
    county = County.objects.order_by("code").last()
    assert county is not None
    out_3a = _helper("测试省外三甲", "广东省", "三甲")
    home_3a = _helper("测试省内三甲", "贵州省", "三甲")
    out_other = _helper("测试省外二甲", "广东省", "二甲")
    passing = _hospital(county, "测试甲县人民医院")
    failing = _hospital(county, "测试乙县人民医院")
    late = _hospital(county, "测试丙县中医院", InstitutionType.TCM)
    not_assisted = [
        _hospital(county, "测试丁（省内帮扶）"),
        _hospital(county, "测试戊（二甲帮扶）"),
        _hospital(county, "测试己（未签字）"),
        _hospital(county, "测试庚（年前终止）"),
    ]
    _agreement(out_3a, passing, dt.date(FAR - 1, 3, 1), dt.date(FAR + 1, 2, 28))
    _agreement(out_3a, failing, dt.date(FAR, 6, 1), dt.date(FAR + 2, 5, 31))
    _agreement(out_3a, late, dt.date(FAR, 12, 31), dt.date(FAR + 2, 12, 30))  # one day counts
    _agreement(home_3a, not_assisted[0], dt.date(FAR, 1, 1), dt.date(FAR + 2, 12, 31))
    _agreement(out_other, not_assisted[1], dt.date(FAR, 1, 1), dt.date(FAR + 2, 12, 31))
    _agreement(out_3a, not_assisted[2], dt.date(FAR, 1, 1), dt.date(FAR + 2, 12, 31), signed=False)
    _agreement(
        out_3a,
        not_assisted[3],
        dt.date(FAR - 2, 1, 1),
        dt.date(FAR + 1, 12, 31),
        terminated=dt.date(FAR, 1, 1),
    )
    _all_met(passing)
    _all_met(late)
    summary = capability_summary(year=FAR, county=county.code)
    assert (summary.assisted, summary.meeting_standard) == (3, 2)
    assert summary.share == Decimal("0.6667")
    assert summary.goal == Decimal("0.90")
    assert [s.institution for s in summary.closest_to_passing()] == [failing]
    by_prefecture = summary.by_prefecture()
    assert by_prefecture == [(county.prefecture.code, county.prefecture.name, 3, 2)]
    assert capability_summary(year=FAR, prefecture="000000").assisted == 0


def test_summary_api_is_scoped(api_client, recipient_user, province_officer, year):
    api_client.login(province_officer)
    body = api_client.get("/api/v1/capability/summary", year=year - 1).json()
    assert set(body) == {"year", "assisted", "meeting_standard", "share", "goal"}
    api_client.login(recipient_user)
    own = api_client.get("/api/v1/capability/summary", year=year - 1).json()
    assert own["assisted"] <= 1 <= body["assisted"]
    assert api_client.get("/api/v1/capability/summary").status_code == 422


def test_pages_outside_the_programme_years_are_not_found(client, county_officer, own):
    client.force_login(county_officer)
    assert client.get(f"/capability/{own.pk}/99999/").status_code == 404
    assert client.get(f"/capability/{own.pk}/2024/").status_code == 200
