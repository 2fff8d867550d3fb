"""Writes to accounts: users, API tokens, passwords. Each records an audit row."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bangfu.accounts.models import ApiToken, Role, User
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
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action="change_password", obj=user, note="修改密码")


@transaction.atomic
def token_create(*, user: User) -> str:
    """Issue a new API token; the key is shown once and only its hash is stored."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, key_hash=token_hash(key), prefix=key[:8])
    audit_record(
        actor=user, action="create", obj=token, after={"prefix": token.prefix}, note="签发 API 令牌"
    )
    return key


def token_user(key: str) -> User | None:
    """The active user a token belongs to, or None. Marks the token as used (no audit: a read)."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(key), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
