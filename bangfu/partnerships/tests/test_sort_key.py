"""The partnerships' stored sort key (ADR 0024): the lists read their order from it, and it must
give the order the join gave (the recipient's county code, the recipient's name, the helper's
name) — on the demo data, after partnerships are created, and after an institution is renamed or
moved through the services or the admin."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps as django_apps
from django.contrib import admin
from django.test import RequestFactory

from bangfu.accounts.models import User
from bangfu.partnerships.admin import PartnershipAdmin
from bangfu.partnerships.models import PARTNERSHIP_ORDER, Agreement, Partnership
from bangfu.partnerships.selectors import agreement_list_for_user, partnership_list_for_user
from bangfu.registry.admin import InstitutionAdmin
from bangfu.registry.models import County, Institution
from bangfu.registry.services import institution_create, institution_update

pytestmark = pytest.mark.django_db

# The order the lists had before the key was stored: across the joins to the parties.
JOIN_ORDER = ("recipient__county__code", "recipient__name", "helper__name", "pk")
AGREEMENT_JOIN_ORDER = (*(f"partnership__{f}" for f in JOIN_ORDER), "cycle_number")


def _ids(queryset) -> list[int]:
    return list(queryset.values_list("pk", flat=True))


def _stale_keys() -> list[tuple[object, ...]]:
    """Partnerships whose stored key differs from their parties' county code and names."""
    rows = Partnership.objects.values_list(
        "pk",
        "sort_county_code",
        "sort_recipient_name",
        "sort_helper_name",
        "recipient__county__code",
        "recipient__name",
        "helper__name",
    )
    return [row for row in rows if row[1:4] != row[4:7]]


def _assert_lists_in_the_join_order(user: User) -> None:
    assert not _stale_keys()
    everything = Partnership.objects.all()
    assert _ids(everything) == _ids(everything.order_by(*JOIN_ORDER))  # Meta.ordering
    rows = partnership_list_for_user(user=user, today=date(2026, 6, 1))
    assert [r.partnership.pk for r in rows] == _ids(everything.order_by(*JOIN_ORDER))
    assert [r.partnership.pk for r in rows[:7]] == _ids(everything.order_by(*JOIN_ORDER)[:7])
    agreements = agreement_list_for_user(user=user)
    assert _ids(agreements) == _ids(Agreement.objects.order_by(*AGREEMENT_JOIN_ORDER))
    assert _ids(Agreement.objects.all()) == _ids(Agreement.objects.order_by(*AGREEMENT_JOIN_ORDER))


def test_the_demo_partnerships_sort_by_their_stored_key_as_by_the_join(province_officer):
    assert Partnership.objects.count() > 10
    _assert_lists_in_the_join_order(province_officer)


def test_a_partnership_made_by_the_service_gets_its_key(make_partnership, unpaired_recipients):
    partnership = make_partnership(unpaired_recipients[0], start=date(2026, 1, 1))
    recipient = partnership.recipient
    assert (
        partnership.sort_county_code,
        partnership.sort_recipient_name,
        partnership.sort_helper_name,
    ) == (recipient.county.code, recipient.name, partnership.helper.name)
    assert not _stale_keys()


@pytest.fixture
def crowded(make_partnership, unpaired_recipients, eligible_helper, province_officer):
    """Two recipients of one county (the second created here), the first with two helpers:
    three partnerships made through the service, whose order a rename or a move changes."""
    first = unpaired_recipients[0]
    assert first.county is not None
    second = institution_create(
        actor=province_officer,
        name=f"{first.county.name}排序测试医院",
        category="recipient",
        county=first.county,
    )
    other_helper = (
        Institution.objects.filter(category="helper", grade="三甲", name__contains="演示")
        .exclude(pk=eligible_helper.pk)
        .order_by("name")
        .first()
    )
    assert other_helper is not None
    day = date(2026, 1, 1)
    for recipient, helper in [(first, eligible_helper), (first, other_helper), (second, None)]:
        make_partnership(recipient, start=day, helper=helper)
    return first, second, sorted([eligible_helper, other_helper], key=lambda h: h.name)


def test_a_rename_through_the_service_moves_the_partnerships_in_the_lists(
    crowded, province_officer
):
    first, second, (_, last_helper) = crowded
    _assert_lists_in_the_join_order(province_officer)
    before = _ids(Partnership.objects.all())
    # "A…" sorts before every Chinese name (code point order): the second recipient moves to the
    # top of the county, and the first recipient's last helper before its other one.
    institution_update(actor=province_officer, institution=second, name="A" + second.name)
    institution_update(actor=province_officer, institution=last_helper, name="A" + last_helper.name)
    assert _ids(Partnership.objects.all()) != before  # the renames change the order...
    _assert_lists_in_the_join_order(province_officer)  # ...as they change the join's
    county = _ids(Partnership.objects.filter(recipient__county=first.county))
    assert county[0] == Partnership.objects.get(recipient=second).pk
    assert county[1] == Partnership.objects.get(recipient=first, helper=last_helper).pk


def test_a_move_to_another_county_through_the_service_moves_the_partnerships(
    crowded, province_officer
):
    first, _, _ = crowded
    assert first.county is not None
    new = County.objects.exclude(pk=first.county_id).order_by("code").first()
    assert new is not None and new.code < first.county.code
    before = _ids(Partnership.objects.all())
    institution_update(
        actor=province_officer, institution=first, county=new, prefecture=new.prefecture
    )
    assert set(
        Partnership.objects.filter(recipient=first).values_list("sort_county_code", flat=True)
    ) == {new.code}
    assert _ids(Partnership.objects.all()) != before
    _assert_lists_in_the_join_order(province_officer)


def test_other_institution_changes_leave_the_keys_alone(crowded, province_officer):
    first, _, _ = crowded
    keys = list(Partnership.objects.values_list("pk", *PARTNERSHIP_ORDER[:3]))
    institution_update(actor=province_officer, institution=first, city="测试市")
    assert list(Partnership.objects.values_list("pk", *PARTNERSHIP_ORDER[:3])) == keys


def _admin_request() -> object:
    request = RequestFactory().post("/admin/")
    request.user = User.objects.create_superuser("sortkey_admin", password="x")
    return request


def test_edits_in_the_admin_keep_the_keys(crowded, province_officer):
    """The admin is where an institution is renamed and where a partnership's parties change."""
    _, second, _ = crowded
    request = _admin_request()
    before = _ids(Partnership.objects.all())
    second.name = "A" + second.name
    InstitutionAdmin(Institution, admin.site).save_model(request, second, None, change=True)
    assert _ids(Partnership.objects.all()) != before
    _assert_lists_in_the_join_order(province_officer)
    partnership = Partnership.objects.get(recipient=second)
    partnership.helper = (
        Institution.objects.filter(category="helper").exclude(pk=partnership.helper_id).first()
    )
    PartnershipAdmin(Partnership, admin.site).save_model(request, partnership, None, change=True)
    _assert_lists_in_the_join_order(province_officer)


def test_the_data_migration_fills_the_keys(province_officer):
    Partnership.objects.update(sort_county_code=None, sort_recipient_name="", sort_helper_name="")
    assert _stale_keys()
    migration = importlib.import_module(
        "bangfu.partnerships.migrations.0005_fill_partnership_sort_keys"
    )
    migration.fill_sort_keys(django_apps, None)
    _assert_lists_in_the_join_order(province_officer)
