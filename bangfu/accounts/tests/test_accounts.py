"""Login, lock-out, logout, password change, API tokens (F12, F13)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bangfu.accounts.models import ApiToken
from bangfu.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "bangfu-demo"


@pytest.fixture(autouse=True)
def _real_password(settings):
    """Demo users were created with the default hasher before the fast one was set; keep both."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


def test_login_with_right_password_lands_on_home(client):
    response = client.post(
        reverse("accounts:login"), {"username": "demo_county", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["user"].username == "demo_county"
    assert response.context["d"].summary.counties == 1


def test_login_with_wrong_password_shows_chinese_error(client):
    response = client.post(
        reverse("accounts:login"), {"username": "demo_county", "password": "wrong"}
    )
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_five_failures_lock_the_account_even_for_the_right_password(client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "demo_county", "password": "wrong"})
    response = client.post(
        reverse("accounts:login"), {"username": "demo_county", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "账号已临时锁定" in response.content.decode()
    # another account is not affected
    ok = client.post(
        reverse("accounts:login"), {"username": "demo_prefecture", "password": PASSWORD}
    )
    assert ok.status_code == 302


def test_api_token_is_refused_while_locked_out(client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/api/v1/auth/token",
            {"username": "demo_helper", "password": "x"},
            content_type="application/json",
        )
    response = client.post(
        "/api/v1/auth/token",
        {"username": "demo_helper", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert "锁定" in response.json()["detail"]


def test_logout_requires_post_and_ends_the_session(client, county_officer):
    client.force_login(county_officer)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("registry:county_list")).status_code == 302


def test_password_change_checks_old_password_and_audits(client, county_officer):
    county_officer.set_password(PASSWORD)
    county_officer.save()
    client.force_login(county_officer)
    url = reverse("accounts:password_change")
    bad = client.post(
        url,
        {
            "old_password": "nope",
            "new_password1": "Guizhou-2027-ok",
            "new_password2": "Guizhou-2027-ok",
        },
    )
    assert "原密码不正确" in bad.content.decode()
    mismatch = client.post(
        url,
        {"old_password": PASSWORD, "new_password1": "Guizhou-2027-ok", "new_password2": "other"},
    )
    assert mismatch.status_code == 400
    assert "两次输入的新密码不一致" in mismatch.content.decode()
    weak = client.post(
        url, {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"}
    )
    assert weak.status_code == 400 and "new_password1" in weak.context["form"].errors
    ok = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "Guizhou-2027-ok",
            "new_password2": "Guizhou-2027-ok",
        },
    )
    assert ok.status_code == 302
    county_officer.refresh_from_db()
    assert county_officer.check_password("Guizhou-2027-ok")
    entry = AuditEntry.objects.filter(
        object_type="accounts.user", object_id=str(county_officer.pk)
    ).first()
    assert entry.action == "change_password" and entry.actor_id == county_officer.pk
    # the session survives the change
    assert client.get(reverse("registry:county_list")).status_code == 200


def test_token_endpoint_returns_a_token_that_works_and_stores_only_its_hash(client):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "demo_prefecture", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert not ApiToken.objects.filter(key_hash=token).exists()
    assert ApiToken.objects.filter(prefix=token[:8]).exists()
    counties = client.get("/api/v1/counties", headers={"Authorization": f"Bearer {token}"}).json()
    assert counties["count"] == 8


@pytest.mark.parametrize(
    ("payload", "status", "detail"),
    [
        ({"username": "demo_prefecture", "password": "wrong"}, 401, "用户名或密码错误"),
        ({"username": "nobody", "password": "x"}, 401, "用户名或密码错误"),
        ({"username": "demo_prefecture"}, 422, "password"),
    ],
)
def test_token_endpoint_refuses_bad_credentials(client, payload, status, detail):
    response = client.post("/api/v1/auth/token", payload, content_type="application/json")
    assert response.status_code == status
    assert detail in response.json()["detail"]


def test_token_endpoint_refuses_malformed_json(client):
    response = client.post("/api/v1/auth/token", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.json()["detail"]


def test_openapi_and_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/auth/token",
        "/api/v1/counties",
        "/api/v1/institutions",
        "/api/v1/prefectures",
    } <= set(schema["paths"])
    assert (
        "BearerAuth" in str(schema["components"]["securitySchemes"])
        or schema["components"]["securitySchemes"]
    )
    assert client.get("/api/v1/docs").status_code == 200
