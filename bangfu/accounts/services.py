"""Writes to accounts: users, API tokens, passwords. Each records an audit row."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bangfu.accounts.models import ApiToken, Role, User
from bangfu.accounts.selectors import can_unlock_accounts
from bangfu.core.audit import audit_record, model_snapshot

USER_FIELDS = (
    "username",
    "display_name",
    "role",
    "prefecture",
    "county",
    "institution",
    "is_active",
    "is_staff",
)


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _user_validate(user: User) -> None:
    errors: dict[str, str] = {}
    if user.role not in Role.values:
        errors["role"] = "未知角色"
    if user.role == Role.PREFECTURE and user.prefecture_id is None:
        errors["prefecture"] = "市州卫健局账号必须选择所属市州"
    if user.role == Role.COUNTY and user.county_id is None:
        errors["county"] = "县卫健局账号必须选择所属县"
    if user.role in (Role.RECIPIENT, Role.HELPER) and user.institution_id is None:
        errors["institution"] = "医院账号必须选择所属机构"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    prefecture_id: int | None = None,
    county_id: int | None = None,
    institution_id: int | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
    validate_strength: bool = True,
) -> User:
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"用户名「{username}」已存在"})
    user = User(
        username=username,
        role=role,
        display_name=display_name,
        prefecture_id=prefecture_id,
        county_id=county_id,
        institution_id=institution_id,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    _user_validate(user)
    if validate_strength:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    audit_record(actor=actor, action="create", obj=user, after=model_snapshot(user, USER_FIELDS))
    return user


@transaction.atomic
def user_change_password(*, actor: User, user: User, new_password: str) -> None:
    """Set a new password and revoke every API token of the user: whoever held one must log in
    again with the new password."""
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password", "password_changed_at"])
    audit_record(actor=actor, action="change_password", obj=user, note="修改密码")
    token_revoke_all(actor=actor, user=user, note="修改密码，吊销全部 API 令牌")


@transaction.atomic
def user_unlock(*, actor: User | None, username: str) -> int:
    """Lift every login lock-out of `username`, from any address (F12): by the province officer
    on the lock-outs page, or by an administrator's `bangfu unlock_user` (no actor). Returns the
    number of failure records removed; the audit row is written on the account when it exists."""
    if actor is not None and not can_unlock_accounts(actor):
        raise PermissionDenied("只有省卫健委可以解除登录锁定")
    removed = int(axes_reset(username=username))
    user = User.objects.filter(username=username).first()
    if user is not None:
        audit_record(
            actor=actor,
            action="unlock",
            obj=user,
            after={"removed_failures": removed},
            note="解除登录锁定",
        )
    return removed


# ---- API tokens ----

TOKEN_INVALID = "令牌无效，请重新获取（POST /api/v1/auth/token）"
TOKEN_REVOKED = "令牌已吊销，请重新获取"
TOKEN_EXPIRED = "令牌已过期，请重新获取"
TOKEN_PASSWORD_CHANGED = "密码已修改，此前签发的令牌已失效，请重新获取"
TOKEN_USER_INACTIVE = "账号已停用"


@dataclass(frozen=True)
class TokenCheck:
    """The outcome of presenting a key: the user it authenticates, or why it is refused."""

    user: User | None
    refusal: str = ""


@dataclass(frozen=True)
class IssuedToken:
    key: str
    token: ApiToken


@transaction.atomic
def token_issue(*, user: User) -> IssuedToken:
    """Issue a new API token that expires after API_TOKEN_TTL_DAYS; the key is shown once and
    only its hash is stored."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=token_hash(key),
        prefix=key[:8],
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    audit_record(
        actor=user,
        action="create",
        obj=token,
        after={"prefix": token.prefix, "expires_at": token.expires_at},
        note="签发 API 令牌",
    )
    return IssuedToken(key=key, token=token)


def token_create(*, user: User) -> str:
    """Issue a new API token (`token_issue`) and return its key."""
    return token_issue(user=user).key


def token_authenticate(key: str) -> TokenCheck:
    """Who a key authenticates: refused when unknown, revoked, expired, issued before the last
    password change, or when the account is deactivated. Marks the token as used at most every
    five minutes (no audit: a read). One query, two when it marks."""
    token = ApiToken.objects.select_related("user").filter(key_hash=token_hash(key)).first()
    if token is None:
        return TokenCheck(None, TOKEN_INVALID)
    now = timezone.now()
    user = token.user
    changed = user.password_changed_at
    if token.revoked:
        return TokenCheck(None, TOKEN_REVOKED)
    if token.expires_at <= now:
        return TokenCheck(None, TOKEN_EXPIRED)
    if changed is not None and token.created_at < changed:
        return TokenCheck(None, TOKEN_PASSWORD_CHANGED)
    if not user.is_active:
        return TokenCheck(None, TOKEN_USER_INACTIVE)
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return TokenCheck(user)


def token_user(key: str) -> User | None:
    """The active user a valid token belongs to, or None (`token_authenticate` says why)."""
    return token_authenticate(key).user


def _token_revoke(*, actor: User, token: ApiToken, note: str) -> None:
    token.revoked = True
    token.save(update_fields=["revoked"])
    audit_record(
        actor=actor,
        action="revoke",
        obj=token,
        before={"revoked": False},
        after={"revoked": True, "prefix": token.prefix},
        note=note,
    )


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken, note: str = "吊销 API 令牌") -> None:
    """Revoke one token of the actor's own; revoking a revoked token changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != actor.pk:
        raise PermissionDenied("只能吊销自己的令牌")
    if not token.revoked:
        _token_revoke(actor=actor, token=token, note=note)


@transaction.atomic
def token_revoke_all(*, actor: User, user: User, note: str = "吊销全部 API 令牌") -> int:
    """Revoke every live token of `user` (one audit row each); the number revoked."""
    tokens = list(
        ApiToken.objects.select_for_update().filter(
            user=user, revoked=False, expires_at__gt=timezone.now()
        )
    )
    for token in tokens:
        _token_revoke(actor=actor, token=token, note=note)
    return len(tokens)
