"""Reads of accounts: a user's own API tokens. Nobody reads another user's tokens here."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from bangfu.accounts.models import ApiToken, User


def token_list_for_user(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens that still work (not revoked, not expired), newest first."""
    return ApiToken.objects.filter(
        user=user, revoked=False, expires_at__gt=timezone.now()
    ).order_by("-created_at", "-pk")


def token_get_for_user(*, user: User, pk: int) -> ApiToken:
    """One of the user's own live tokens; 404 for anyone else's, as if it did not exist."""
    token = token_list_for_user(user=user).filter(pk=pk).first()
    if token is None:
        raise Http404("未找到该令牌")
    return token


def token_get_by_key_hash(*, user: User, key_hash: str) -> ApiToken:
    """The user's own token with this key hash (the one a request was authenticated with)."""
    token = ApiToken.objects.filter(user=user, key_hash=key_hash).first()
    if token is None:
        raise Http404("未找到该令牌")
    return token
