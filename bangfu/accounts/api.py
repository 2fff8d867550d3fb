"""Authentication endpoints (F13): exchange a password for a token, list and revoke one's own
tokens. A key is shown once, when it is issued; lists show its first characters only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from bangfu.accounts.models import User
from bangfu.accounts.request import request_user
from bangfu.accounts.selectors import (
    token_get_by_key_hash,
    token_get_for_user,
    token_list_for_user,
)
from bangfu.accounts.services import token_hash, token_issue, token_revoke
from bangfu.core.schema_types import ErrorOut, Line, Text

router = Router()

# Django's password hashers refuse longer passwords (django.contrib.auth.hashers).
PASSWORD_MAX_LENGTH = 4096


class Credentials(Schema):
    username: Annotated[str, Line(150)]  # User.username
    password: Annotated[str, Text(PASSWORD_MAX_LENGTH)]


class TokenOut(Schema):
    token: str
    expires_at: datetime = Field(..., description="过期时间；过期、吊销或修改密码后须重新获取")


class DetailOut(Schema):
    detail: str


class TokenItemOut(Schema):
    id: int
    prefix: str = Field(..., description="令牌的前 8 个字符（完整令牌仅在签发时显示一次）")
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    current: bool = Field(..., description="是否为本次请求所用的令牌")


class TokenListOut(Schema):
    items: list[TokenItemOut]
    count: int


def _request_key_hash(request: HttpRequest) -> str:
    """The hash of the bearer key this request was authenticated with."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    return token_hash(key.strip()) if scheme.lower() == "bearer" else ""


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: DetailOut, 422: ErrorOut, 429: DetailOut},
    summary="以用户名和密码换取 API 令牌",
    description="令牌在 API_TOKEN_TTL_DAYS 天（默认30天）后过期。同一用户名在同一地址连续失败 5 次"
    "将临时锁定 15 分钟（429）。",
)
def auth_token(request: HttpRequest, payload: Credentials) -> dict[str, object]:
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise HttpError(429, "登录失败次数过多，账号已临时锁定，请稍后再试")
    if not isinstance(user, User) or not user.is_active:
        raise HttpError(401, "用户名或密码错误")
    issued = token_issue(user=user)
    return {"token": issued.key, "expires_at": issued.token.expires_at}


@router.get(
    "/tokens",
    response={200: TokenListOut, 401: DetailOut},
    summary="本人仍有效的 API 令牌（不含令牌本身）",
)
def auth_tokens(request: HttpRequest) -> dict[str, object]:
    current = _request_key_hash(request)
    tokens = list(token_list_for_user(user=request_user(request)))
    items = [
        {
            "id": t.pk,
            "prefix": t.prefix,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
            "expires_at": t.expires_at,
            "current": t.key_hash == current,
        }
        for t in tokens
    ]
    return {"items": items, "count": len(items)}


@router.delete(
    "/token",
    response={204: None, 401: DetailOut},
    summary="吊销本次请求所用的令牌（退出）",
)
def auth_token_revoke_current(request: HttpRequest) -> Status[None]:
    user = request_user(request)
    token = token_get_by_key_hash(user=user, key_hash=_request_key_hash(request))
    token_revoke(actor=user, token=token)
    return Status(204, None)


@router.delete(
    "/tokens/{token_id}",
    response={204: None, 401: DetailOut, 404: DetailOut, 422: ErrorOut},
    summary="吊销本人的一个令牌",
)
def auth_token_revoke(request: HttpRequest, token_id: int) -> Status[None]:
    user = request_user(request)
    token_revoke(actor=user, token=token_get_for_user(user=user, pk=token_id))
    return Status(204, None)
