"""The stored §一 rows (ADR 0021) in the back office: listed for a superuser at a cost that does
not grow with the rows, searchable by hospital and filtered by year, never added, changed or
deleted there (they are derived)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.capability.loader import load_catalogue
from bangfu.capability.models import AssistedYear, StandardStanding
from bangfu.capability.standings import Judge, standing_row
from bangfu.registry.models import Institution, InstitutionCategory

pytestmark = pytest.mark.django_db

YEAR = 2090  # no demo row is of this year: the filtered list holds exactly the rows added here

MODELS = [AssistedYear, StandardStanding]


def _add_rows(model: type[AssistedYear] | type[StandardStanding], hospitals: list[Institution]):
    if model is AssistedYear:
        AssistedYear.objects.bulk_create(AssistedYear(institution=h, year=YEAR) for h in hospitals)
        return
    judge = Judge(load_catalogue())
    StandardStanding.objects.bulk_create(
        standing_row(judge, h.pk, h.institution_type, YEAR, {}) for h in hospitals
    )


def _changelist(model):
    return reverse(f"admin:capability_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_list_costs_the_same_queries_at_two_sizes(client, province_officer, model):
    assert province_officer.is_superuser
    client.force_login(province_officer)
    recipients = list(
        Institution.objects.filter(category=InstitutionCategory.RECIPIENT).order_by("pk")[:24]
    )
    counts = []
    shown = []
    for hospitals in (recipients[:3], recipients[3:]):
        _add_rows(model, hospitals)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(_changelist(model), {"year": YEAR})
        assert page.status_code == 200
        counts.append(len(queries))
        shown.append(page.context["cl"].result_count)
    assert shown == [3, 24]
    assert counts[0] == counts[1]
    assert recipients[-1].name in page.content.decode()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_list_is_searched_by_hospital_name(client, province_officer, model):
    client.force_login(province_officer)
    first, second = Institution.objects.filter(category=InstitutionCategory.RECIPIENT).order_by(
        "pk"
    )[:2]
    _add_rows(model, [first, second])
    page = client.get(_changelist(model), {"year": YEAR, "q": first.name})
    assert [row.institution_id for row in page.context["cl"].result_list] == [first.pk]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_rows_are_never_added_changed_or_deleted_in_the_admin(client, province_officer, model):
    client.force_login(province_officer)
    hospital = Institution.objects.filter(category=InstitutionCategory.RECIPIENT).first()
    _add_rows(model, [hospital])
    row = model.objects.get(institution=hospital, year=YEAR)
    name = f"admin:capability_{model._meta.model_name}"
    assert client.get(reverse(f"{name}_change", args=[row.pk])).status_code == 200  # to look at
    assert client.get(reverse(f"{name}_add")).status_code == 403
    assert (
        client.post(reverse(f"{name}_change", args=[row.pk]), {"year": YEAR + 1}).status_code == 403
    )
    assert client.post(reverse(f"{name}_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk, year=YEAR).exists()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_only_a_superuser_opens_the_list(client, county_officer, model):
    assert not county_officer.is_staff
    client.force_login(county_officer)
    assert client.get(_changelist(model)).status_code == 302  # to the admin's login
