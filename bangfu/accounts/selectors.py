"""Reads of accounts: a user's own API tokens (nobody reads another user's tokens here), and
the current login lock-outs for the officers who may lift them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from bangfu.accounts.models import ApiToken, Role, User


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


# ---- login lock-outs ----


@dataclass(frozen=True)
class LockoutRow:
    username: str
    ip_address: str
    failures: int
    last_failure: datetime
    ends_at: datetime


def can_unlock_accounts(user: User) -> bool:
    """The province officer (and an administrator) may lift anyone's login lock-out (F12)."""
    return user.is_active and (user.role == Role.PROVINCE or user.is_superuser)


def lockout_list_for_user(*, user: User) -> list[LockoutRow]:
    """Usernames locked out now, per address, newest first; only for `can_unlock_accounts`."""
    if not can_unlock_accounts(user):
        raise PermissionDenied("只有省卫健委可以查看和解除登录锁定")
    cooloff = settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=timezone.now() - cooloff,
    ).order_by("-attempt_time", "-pk")
    return [
        LockoutRow(
            username=a.username or "",
            ip_address=a.ip_address or "",
            failures=a.failures_since_start,
            last_failure=a.attempt_time,
            ends_at=a.attempt_time + cooloff,
        )
        for a in attempts
    ]
