"""Lock-out after repeated failures holds one username from one address (F12): someone guessing
an officer's password elsewhere does not lock the officer out, and an administrator can lift a
lock-out with `bangfu unlock_user`."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from bangfu.accounts.lockout import client_ip_address
from bangfu.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "bangfu-demo"
ATTACKER = "203.0.113.7"
OFFICE = "198.51.100.20"


@pytest.fixture(autouse=True)
def _real_password(settings):
    """Demo users were created with the default hasher before the fast one was set; keep both."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


def login(client, username, password, address):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def api_login(client, username, password, address):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def test_failures_from_one_address_lock_the_username_there_but_not_from_another(client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "demo_province", "wrong", ATTACKER).status_code == 200
    assert login(client, "demo_province", "wrong", ATTACKER).status_code == 429
    locked = login(client, "demo_province", PASSWORD, ATTACKER)
    assert locked.status_code == 429
    assert "账号已临时锁定" in locked.content.decode()

    officer = login(client, "demo_province", PASSWORD, OFFICE)
    assert officer.status_code == 302
    assert officer["Location"] == reverse("home")


def test_the_api_is_locked_per_username_and_address_with_json_429(client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert api_login(client, "demo_helper", "wrong", ATTACKER).status_code == 401
    assert api_login(client, "demo_helper", "wrong", ATTACKER).status_code == 429
    locked = api_login(client, "demo_helper", PASSWORD, ATTACKER)
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("application/json")
    assert "锁定" in locked.json()["detail"]

    elsewhere = api_login(client, "demo_helper", PASSWORD, OFFICE)
    assert elsewhere.status_code == 200 and elsewhere.json()["token"]


def test_unlock_user_lifts_the_lock_out_and_is_audited(client, settings, province_officer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "demo_province", "wrong", OFFICE)
    assert login(client, "demo_province", PASSWORD, OFFICE).status_code == 429

    out = io.StringIO()
    call_command("unlock_user", "demo_province", stdout=out)
    assert "已解除「demo_province」的登录锁定" in out.getvalue()
    entry = AuditEntry.objects.filter(
        object_type="accounts.user", object_id=str(province_officer.pk), action="unlock"
    ).get()
    assert entry.actor is None and entry.after["removed_failures"] >= 1

    assert login(client, "demo_province", PASSWORD, OFFICE).status_code == 302


def test_unlocking_an_unknown_username_removes_its_failures_without_an_audit_row(client):
    login(client, "nobody-here", "wrong", OFFICE)
    out = io.StringIO()
    call_command("unlock_user", "nobody-here", stdout=out)
    assert "清除 1 条失败记录" in out.getvalue()
    assert not AuditEntry.objects.filter(action="unlock").exists()


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "1.2.3.4", "10.0.0.1"),  # no proxy configured: the header is the client's own words
        (1, "1.2.3.4", "1.2.3.4"),
        (1, "9.9.9.9, 1.2.3.4", "1.2.3.4"),  # a forged left entry is ignored
        (2, "9.9.9.9, 1.2.3.4, 10.0.0.2", "1.2.3.4"),
        (2, "1.2.3.4", "10.0.0.1"),  # fewer entries than proxies: the direct peer
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(
    rf, settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip_address(request) == expected


def test_the_province_officer_sees_lock_outs_and_lifts_one_from_the_page(
    client, settings, province_officer, county_officer
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "demo_county", "wrong", OFFICE)
    assert login(client, "demo_county", PASSWORD, OFFICE).status_code == 429

    client.force_login(province_officer)
    page = client.get(reverse("accounts:lockout_list")).content.decode()
    assert page.count('data-testid="lockout-row"') == 1
    assert "demo_county" in page and OFFICE in page

    response = client.post(
        reverse("accounts:lockout_unlock"), {"username": "demo_county"}, follow=True
    )
    assert "已解除「demo_county」的登录锁定" in response.content.decode()
    assert 'data-testid="no-lockouts"' in response.content.decode()
    entry = AuditEntry.objects.get(action="unlock", object_id=str(county_officer.pk))
    assert entry.actor_id == province_officer.pk

    client.logout()
    assert login(client, "demo_county", PASSWORD, OFFICE).status_code == 302


@pytest.mark.parametrize(
    "persona", ["prefecture_officer", "county_officer", "helper_user", "observer_user"]
)
def test_other_roles_neither_see_nor_lift_lock_outs(client, settings, request, persona):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "demo_recipient", "wrong", OFFICE)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("accounts:lockout_list")).status_code == 403
    denied = client.post(reverse("accounts:lockout_unlock"), {"username": "demo_recipient"})
    assert denied.status_code == 403
    assert not AuditEntry.objects.filter(action="unlock").exists()
    client.logout()
    assert login(client, "demo_recipient", PASSWORD, OFFICE).status_code == 429


def test_the_account_menu_links_lock_outs_for_the_province_only(
    client, province_officer, county_officer
):
    client.force_login(province_officer)
    home = client.get(reverse("accounts:token_list")).content.decode()
    assert 'data-testid="lockout-list-link"' in home and 'data-testid="token-list-link"' in home
    client.force_login(county_officer)
    home = client.get(reverse("accounts:token_list")).content.decode()
    assert 'data-testid="lockout-list-link"' not in home and 'data-testid="token-list-link"' in home
