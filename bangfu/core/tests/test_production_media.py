"""Uploaded files (signed scans, receipts) are personal data: they have no public /media/ URL,
in the demo (DEBUG) either, and are served only by the scoped views to whoever may read the
record they belong to."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from bangfu.accounts.models import Role, User
from bangfu.incentives.services import travel_claim_create
from bangfu.partnerships.models import Agreement
from bangfu.partnerships.services import agreement_record_signing
from bangfu.people.tests.fixtures import (  # noqa: F401
    departments,
    expert,
    pair,
    resident,
    team,
    world,
)
from bangfu.registry.models import County

PDF = b"%PDF-1.4\n% signed and sealed\n%%EOF\n"
WEINING = "520526"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def other_county_officer(db):
    """A county office outside 毕节: 威宁's agreements and claims are out of its scope."""
    county = County.objects.exclude(prefecture__name="毕节市").order_by("code").first()
    return User.objects.create_user(
        username="other_county", password="x-Other-county-9", role=Role.COUNTY, county=county
    )


@pytest.fixture
def signed_agreement(province_officer):
    today = timezone.localdate()
    agreement = (
        Agreement.objects.filter(
            partnership__recipient__county__code=WEINING,
            terminated_on=None,
            start__lte=today,
            end__gt=today,
            next_cycle__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    assert agreement is not None, "the demo data holds a running agreement in 威宁"
    scan = SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf")
    return agreement_record_signing(
        actor=province_officer,
        agreement=agreement,
        signed_on=agreement.signed_on or today,
        scan=scan,
    )


@pytest.fixture
def claim(expert_user, resident):  # noqa: F811
    receipt = SimpleUploadedFile("ticket.pdf", PDF, content_type="application/pdf")
    return travel_claim_create(
        actor=expert_user,
        deployment=resident,
        date=resident.start + timedelta(days=30),
        amount=Decimal("1180.00"),
        receipt=receipt,
    )


def served(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def test_a_stored_scan_has_no_public_media_url_but_is_served_in_scope(
    client, debug, media, signed_agreement, county_officer, other_county_officer
):
    name = signed_agreement.signed_scan.name
    assert (media / name).read_bytes() == PDF  # really stored where /media/ would point
    scoped = reverse("partnerships:agreement_scan", args=[signed_agreement.pk])

    client.force_login(county_officer)  # 威宁 is its county: entitled to the agreement
    assert client.get(f"/media/{name}").status_code == 404
    assert served(client.get(scoped)) == PDF

    client.force_login(other_county_officer)
    assert client.get(scoped).status_code == 404
    assert client.get(f"/media/{name}").status_code == 404


def test_the_partnership_page_links_the_scan_through_the_scoped_view(
    client, signed_agreement, county_officer
):
    client.force_login(county_officer)
    page = client.get(
        reverse("partnerships:partnership_detail", args=[signed_agreement.partnership_id])
    ).content.decode()
    assert reverse("partnerships:agreement_scan", args=[signed_agreement.pk]) in page
    assert "/media/" not in page


def test_a_stored_receipt_has_no_public_media_url_but_is_served_in_scope(
    client, debug, media, claim, county_officer, other_county_officer
):
    name = claim.receipt.name
    assert (media / name).read_bytes() == PDF
    scoped = reverse("incentives:travel_claim_receipt", args=[claim.pk])

    client.force_login(county_officer)
    assert client.get(f"/media/{name}").status_code == 404
    assert served(client.get(scoped)) == PDF

    client.force_login(other_county_officer)
    assert client.get(scoped).status_code == 404


def test_the_claim_edit_form_links_the_current_receipt_through_the_scoped_view(
    client, claim, expert_user
):
    client.force_login(expert_user)
    response = client.get(reverse("incentives:travel_claim_update", args=[claim.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    scoped = reverse("incentives:travel_claim_receipt", args=[claim.pk])
    assert f'href="{scoped}"' in page
    assert "/media/" not in page
    assert served(client.get(scoped)) == PDF


def test_the_back_office_names_stored_files_without_a_dead_media_link(
    client, signed_agreement, claim
):
    admin_user = User.objects.create_superuser(username="media_admin", password="x-Media-admin-9")
    client.force_login(admin_user)
    for url, stored in (
        (
            reverse("admin:partnerships_agreement_change", args=[signed_agreement.pk]),
            signed_agreement.signed_scan.name,
        ),
        (reverse("admin:incentives_travelclaim_change", args=[claim.pk]), claim.receipt.name),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert f'<span data-testid="stored-file">{stored}</span>' in page, url
        assert "/media/" not in page, url
