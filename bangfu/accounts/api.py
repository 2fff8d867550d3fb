from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from bangfu.accounts.models import User
from bangfu.accounts.services import token_create

router = Router()


class Credentials(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@router.post("/token", auth=None, response=TokenOut, summary="以用户名和密码换取 API 令牌")
def auth_token(request: HttpRequest, payload: Credentials) -> dict[str, str]:
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise HttpError(429, "登录失败次数过多，账号已临时锁定，请稍后再试")
    if not isinstance(user, User) or not user.is_active:
        raise HttpError(401, "用户名或密码错误")
    return {"token": token_create(user=user)}
