"""API tokens (F13): they expire, their owner lists and revokes them, and a password change or
a deactivated account ends them. Every issue and revocation leaves an audit row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.accounts.models import ApiToken
from bangfu.accounts.services import (
    token_hash,
    token_issue,
    token_revoke_all,
    user_change_password,
)
from bangfu.core.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Guizhou-2027-ok"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def token_audit(token: ApiToken) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="accounts.apitoken", object_id=str(token.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_token_expires_after_the_configured_days_and_is_refused_in_chinese(
    client, county_officer, settings
):
    settings.API_TOKEN_TTL_DAYS = 7
    issued = token_issue(user=county_officer)
    expected = timezone.now() + timedelta(days=7)
    assert abs((issued.token.expires_at - expected).total_seconds()) < 5
    assert client.get("/api/v1/counties", headers=bearer(issued.key)).status_code == 200

    ApiToken.objects.filter(pk=issued.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/api/v1/counties", headers=bearer(issued.key))
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌已过期，请重新获取"


def test_the_token_endpoint_reports_when_the_token_expires(client, county_officer):
    county_officer.set_password(NEW_PASSWORD)
    county_officer.save()
    response = client.post(
        "/api/v1/auth/token",
        {"username": county_officer.username, "password": NEW_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    token = ApiToken.objects.get(key_hash=token_hash(body["token"]))
    assert body["expires_at"].startswith(f"{token.expires_at:%Y-%m-%d}")
    assert token_audit(token) == ["create"]


def test_an_unknown_token_is_refused_in_chinese(client):
    response = client.get("/api/v1/counties", headers=bearer("not-a-token"))
    assert response.status_code == 401
    assert "令牌无效" in response.json()["detail"]


def test_the_owner_lists_live_tokens_without_keys_and_sees_which_is_current(
    client, county_officer, prefecture_officer
):
    first = token_issue(user=county_officer)
    current = token_issue(user=county_officer)
    revoked = token_issue(user=county_officer)
    token_revoke_all(actor=county_officer, user=county_officer)  # all three revoked …
    first = token_issue(user=county_officer)  # … then two fresh ones
    current = token_issue(user=county_officer)
    token_issue(user=prefecture_officer)  # someone else's: never listed

    response = client.get("/api/v1/auth/tokens", headers=bearer(current.key))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [i["id"] for i in body["items"]] == [current.token.pk, first.token.pk]
    assert [i["current"] for i in body["items"]] == [True, False]
    assert set(body["items"][0]) == {
        "id",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "current",
    }
    assert current.key not in response.content.decode()
    assert revoked.token.pk not in [i["id"] for i in body["items"]]


def test_delete_token_revokes_the_token_used_and_only_that_one(client, county_officer):
    other = token_issue(user=county_officer)
    used = token_issue(user=county_officer)
    response = client.delete("/api/v1/auth/token", headers=bearer(used.key))
    assert response.status_code == 204
    again = client.get("/api/v1/counties", headers=bearer(used.key))
    assert again.status_code == 401
    assert again.json()["detail"] == "令牌已吊销，请重新获取"
    assert client.get("/api/v1/counties", headers=bearer(other.key)).status_code == 200
    assert token_audit(used.token) == ["create", "revoke"]
    entry = AuditEntry.objects.filter(action="revoke", object_id=str(used.token.pk)).get()
    assert entry.actor_id == county_officer.pk


def test_one_revokes_a_token_of_ones_own_by_id_but_another_users_is_404(
    client, county_officer, prefecture_officer
):
    mine = token_issue(user=county_officer)
    spare = token_issue(user=county_officer)
    theirs = token_issue(user=prefecture_officer)

    denied = client.delete(f"/api/v1/auth/tokens/{theirs.token.pk}", headers=bearer(mine.key))
    assert denied.status_code == 404
    assert client.get("/api/v1/counties", headers=bearer(theirs.key)).status_code == 200
    assert token_audit(theirs.token) == ["create"]

    allowed = client.delete(f"/api/v1/auth/tokens/{spare.token.pk}", headers=bearer(mine.key))
    assert allowed.status_code == 204
    assert client.get("/api/v1/counties", headers=bearer(spare.key)).status_code == 401
    assert token_audit(spare.token) == ["create", "revoke"]


def test_a_password_change_revokes_every_token_with_an_audit_row_each(client, county_officer):
    tokens = [token_issue(user=county_officer) for _ in range(2)]
    user_change_password(actor=county_officer, user=county_officer, new_password=NEW_PASSWORD)
    for issued in tokens:
        response = client.get("/api/v1/counties", headers=bearer(issued.key))
        assert response.status_code == 401
        assert token_audit(issued.token) == ["create", "revoke"]
    assert (
        client.get(
            "/api/v1/counties", headers=bearer(token_issue(user=county_officer).key)
        ).status_code
        == 200
    )


def test_the_password_change_page_revokes_the_tokens(client, county_officer):
    county_officer.set_password("Old-Password-2026")
    county_officer.save()
    issued = token_issue(user=county_officer)
    client.force_login(county_officer)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "Old-Password-2026",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert client.get("/api/v1/counties", headers=bearer(issued.key)).status_code == 401
    assert ApiToken.objects.get(pk=issued.token.pk).revoked


def test_a_password_set_any_other_way_also_ends_older_tokens(client, county_officer):
    """e.g. an administrator's reset in the admin or `bangfu changepassword`: no revoke call, but
    the token predates the password."""
    issued = token_issue(user=county_officer)
    county_officer.set_password(NEW_PASSWORD)
    county_officer.save()
    response = client.get("/api/v1/counties", headers=bearer(issued.key))
    assert response.status_code == 401
    assert response.json()["detail"] == "密码已修改，此前签发的令牌已失效，请重新获取"
    assert not ApiToken.objects.get(pk=issued.token.pk).revoked


def test_a_deactivated_accounts_tokens_stop_working_at_once(client, county_officer):
    issued = token_issue(user=county_officer)
    assert client.get("/api/v1/counties", headers=bearer(issued.key)).status_code == 200
    county_officer.is_active = False
    county_officer.save(update_fields=["is_active"])
    response = client.get("/api/v1/counties", headers=bearer(issued.key))
    assert response.status_code == 401
    assert response.json()["detail"] == "账号已停用"


def test_the_token_page_lists_ones_own_tokens_and_revokes_by_post(
    client, county_officer, prefecture_officer
):
    mine = token_issue(user=county_officer)
    theirs = token_issue(user=prefecture_officer)
    client.force_login(county_officer)
    page = client.get(reverse("accounts:token_list")).content.decode()
    assert mine.token.prefix in page and theirs.token.prefix not in page
    assert mine.key not in page
    assert 'onsubmit="return confirm(' in page

    url = reverse("accounts:token_revoke", args=[mine.token.pk])
    assert client.get(url).status_code == 405
    assert not ApiToken.objects.get(pk=mine.token.pk).revoked
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:token_list")
    after = response.content.decode()
    assert f"已吊销令牌 {mine.token.prefix}" in after
    assert 'data-testid="token-row"' not in after and 'data-testid="no-tokens"' in after
    assert ApiToken.objects.get(pk=mine.token.pk).revoked
    assert token_audit(mine.token) == ["create", "revoke"]

    other = reverse("accounts:token_revoke", args=[theirs.token.pk])
    assert client.post(other).status_code == 404
    assert not ApiToken.objects.get(pk=theirs.token.pk).revoked


def test_the_token_page_needs_a_login(client):
    response = client.get(reverse("accounts:token_list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
