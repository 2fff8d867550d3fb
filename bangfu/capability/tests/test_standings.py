"""The stored yearly standard results (ADR 0021) equal a fresh `standard_result` of the stored
values after every kind of change: a save through the page, the API and the service, a value
removed, the Excel import, a confirmation, a change of the hospital's type, a catalogue change
followed by `refresh_standings` — and for every demo hospital-year."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook

from bangfu.capability.domain.catalogue import Catalogue
from bangfu.capability.domain.standard import standard_result
from bangfu.capability.loader import load_catalogue
from bangfu.capability.models import AssistedYear, IndicatorValue, StandardStanding
from bangfu.capability.selectors import capability_summary
from bangfu.capability.services import (
    IMPORT_HEADERS,
    capability_import_file,
    capability_values_confirm,
    capability_values_save,
)
from bangfu.capability.standings import (
    Judge,
    empty_result,
    empty_results,
    stale_standings,
    standings_refresh_all,
)
from bangfu.registry.models import Institution, InstitutionCategory, InstitutionType
from bangfu.registry.scope import scope_for_user
from bangfu.registry.services import institution_update

pytestmark = pytest.mark.django_db

Key = tuple[int, int]


def _fresh(catalogue: Catalogue | None = None) -> dict[Key, tuple[object, ...]]:
    """Every hospital-year with values, judged now from its rows (the reference)."""
    catalogue = catalogue or load_catalogue()
    rows: dict[Key, list[IndicatorValue]] = defaultdict(list)
    for value in IndicatorValue.objects.order_by("pk"):
        rows[(value.institution_id, value.year)].append(value)
    types = dict(Institution.objects.values_list("pk", "institution_type"))
    fresh: dict[Key, tuple[object, ...]] = {}
    for (pk, year), values in rows.items():
        decoded = Judge(catalogue).decoded((v.code, v.value) for v in values)
        r = standard_result(catalogue, types[pk], decoded)
        fresh[(pk, year)] = (
            r.meets,
            r.shortfall,
            len(decoded),
            r.core_total,
            r.core_met,
            r.others_total,
            r.others_met,
            r.others_needed,
            r.catalogue_version,
            types[pk],
        )
    return fresh


def _stored() -> dict[Key, tuple[object, ...]]:
    return {
        (s.institution_id, s.year): (
            s.meets,
            s.shortfall,
            s.entered,
            s.core_total,
            s.core_met,
            s.others_total,
            s.others_met,
            s.others_needed,
            s.catalogue_version,
            s.institution_type,
        )
        for s in StandardStanding.objects.all()
    }


@pytest.fixture
def year() -> int:
    return timezone.localdate().year


@pytest.fixture
def own(recipient_user) -> Institution:
    institution_id = scope_for_user(recipient_user).institution_id
    assert institution_id is not None
    return Institution.objects.get(pk=institution_id)


def test_every_demo_hospital_year_is_stored_as_computed():
    stored = _stored()
    assert len(stored) >= 10
    assert stored == _fresh()
    assert any(row[0] for row in stored.values()) and not all(row[0] for row in stored.values())
    assert stale_standings() == 0


def test_a_save_through_the_service_and_a_removal_rewrite_the_year(recipient_user, own, year):
    assert (own.pk, year) not in _stored()
    capability_values_save(
        actor=recipient_user, institution=own, year=year, values={"DX-05": True, "DX-24": 35}
    )
    stored = _stored()
    assert stored[(own.pk, year)][2] == 2  # two values entered
    assert stored == _fresh()
    capability_values_save(
        actor=recipient_user, institution=own, year=year, values={"DX-05": False}
    )
    assert _stored() == _fresh()
    capability_values_save(
        actor=recipient_user, institution=own, year=year, values={"DX-05": None, "DX-24": ""}
    )
    assert (own.pk, year) not in _stored()  # no values left: no row
    assert _stored() == _fresh()


def test_the_page_form_keeps_the_standing(client, recipient_user, own, year):
    client.force_login(recipient_user)
    response = client.post(f"/capability/{own.pk}/{year}/edit", {"DX-05": "是", "DX-24": "31"})
    assert response.status_code == 302
    assert _stored()[(own.pk, year)][2] == 2
    assert _stored() == _fresh()


def test_an_api_put_keeps_the_standing(api_client, recipient_user, own, year):
    from django.test import Client

    client: Client = api_client.__dict__.get("client") or Client()
    api_client.login(recipient_user)
    for values in ({"DX-05": True, "DX-24": 35}, {"DX-24": None}):
        response = client.put(
            f"/api/v1/capability/{own.pk}/{year}",
            {"values": values},
            content_type="application/json",
            headers={"Authorization": f"Bearer {api_client.token}"},
        )
        assert response.status_code == 200, response.content
        assert _stored() == _fresh()
    assert _stored()[(own.pk, year)][2] == 1


def test_the_import_keeps_every_hospital_year_it_writes(tmp_path: Path, year):
    hospitals = list(
        Institution.objects.filter(category=InstitutionCategory.RECIPIENT).order_by("pk")[:2]
    )
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(IMPORT_HEADERS))
    for hospital in hospitals:
        for y in (year - 1, year):
            sheet.append([hospital.name, y, "DX-05", "是", ""])
            sheet.append([hospital.name, y, "DX-24", 40, ""])
    path = tmp_path / "values.xlsx"
    workbook.save(path)
    before = _stored()
    result = capability_import_file(actor=None, path=str(path))  # None: the province
    assert result.ok, result.errors
    stored = _stored()
    assert stored == _fresh()
    assert {k for k in stored if stored[k] != before.get(k)} >= {(h.pk, year) for h in hospitals}


def test_a_confirmation_changes_no_result(recipient_user, county_officer, own, year):
    capability_values_save(
        actor=recipient_user, institution=own, year=year, values={"DX-05": True, "DX-24": 35}
    )
    before = _stored()
    assert capability_values_confirm(actor=county_officer, institution=own, year=year) == 2
    assert _stored() == before == _fresh()


def test_a_change_of_the_hospitals_type_rewrites_its_years(province_officer):
    standing = StandardStanding.objects.order_by("pk").first()
    assert standing is not None
    hospital = Institution.objects.get(pk=standing.institution_id)
    other = next(t for t in InstitutionType.values if t != hospital.institution_type)
    institution_update(actor=province_officer, institution=hospital, institution_type=other)
    stored = _stored()
    assert stored[(hospital.pk, standing.year)][-1] == other
    assert stored == _fresh()


def test_a_catalogue_change_is_applied_by_refresh_standings(monkeypatch):
    year = timezone.localdate().year - 1
    before = capability_summary(year=year)
    catalogue = load_catalogue()
    lenient = dataclasses.replace(
        catalogue,
        version=f"{catalogue.version}-lenient",
        pass_rule=dataclasses.replace(catalogue.pass_rule, others_share=Decimal("0")),
    )
    monkeypatch.setattr("bangfu.capability.standings.load_catalogue", lambda: lenient)
    monkeypatch.setattr("bangfu.capability.selectors.load_catalogue", lambda: lenient)
    assert stale_standings(lenient) == len(_stored())  # every row judged with the old version
    out = StringIO()
    call_command("refresh_standings", "--year", str(year), stdout=out)
    assert "能力达标结果" in out.getvalue()
    call_command("refresh_standings", stdout=StringIO())
    assert stale_standings(lenient) == 0
    assert _stored() == _fresh(lenient)
    after = capability_summary(year=year)
    assert after.assisted == before.assisted
    assert after.meeting_standard > before.meeting_standard  # the far-behind hospitals pass now


def test_refresh_repairs_rows_edited_outside_the_services():
    year = timezone.localdate().year - 1
    expected = _stored()
    StandardStanding.objects.filter(year=year).update(meets=True, shortfall=0)
    StandardStanding.objects.create(
        institution=Institution.objects.filter(category=InstitutionCategory.RECIPIENT).first(),
        year=year + 30,
        meets=True,
        shortfall=0,
        entered=0,
        core_total=0,
        core_met=0,
        others_total=0,
        others_met=0,
        others_needed=0,
        catalogue_version="x",
        institution_type="general",
    )
    assert _stored() != expected
    assert standings_refresh_all().standings == len(expected)
    assert _stored() == expected == _fresh()


@pytest.mark.parametrize("year", [None, timezone.localdate().year - 1])
def test_refresh_standings_reports_the_rows_it_wrote_without_counting_them_again(year):
    standings = StandardStanding.objects.all()
    assisted = AssistedYear.objects.all()
    args: list[str] = []
    if year is not None:
        standings, assisted = standings.filter(year=year), assisted.filter(year=year)
        args = ["--year", str(year)]
    out = StringIO()
    with CaptureQueriesContext(connection) as queries:
        call_command("refresh_standings", *args, stdout=out)
    assert standings.count() > 0 and assisted.count() > 0
    assert (
        f"能力达标结果：{standings.count()} 行，年度受扶医院 {assisted.count()} 行。"
        in out.getvalue()
    )
    table = AssistedYear._meta.db_table
    assert not [q for q in queries if "COUNT(" in q["sql"].upper() and table in q["sql"]]


def test_the_empty_results_are_those_of_the_catalogue_passed():
    catalogue = load_catalogue()
    loaded = empty_results(catalogue)
    assert empty_results(catalogue) == loaded
    assert loaded == {t: standard_result(catalogue, t, {}) for t in loaded}
    # Another catalogue with the same version (a test's variant) is judged afresh, never
    # answered from the loaded catalogue's cache.
    lenient = dataclasses.replace(
        catalogue, pass_rule=dataclasses.replace(catalogue.pass_rule, others_share=Decimal("0"))
    )
    assert lenient.version == catalogue.version
    variant = empty_results(lenient)
    assert variant == {t: standard_result(lenient, t, {}) for t in loaded}
    assert variant != loaded
    assert empty_result(lenient, "general") == variant["general"]
    assert empty_result(catalogue, "general") == loaded["general"]
