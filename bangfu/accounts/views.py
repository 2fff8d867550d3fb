from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from bangfu.accounts.forms import LoginForm, PasswordChangeForm
from bangfu.accounts.request import request_user
from bangfu.accounts.selectors import (
    lockout_list_for_user,
    token_get_for_user,
    token_list_for_user,
)
from bangfu.accounts.services import token_revoke, user_change_password, user_unlock
from bangfu.core.forms import form_submit


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = PasswordChangeForm(user, request.POST or None)

    def save(data: dict[str, Any]) -> None:
        user_change_password(actor=user, user=user, new_password=data["new_password1"])
        update_session_auth_hash(request, user)

    return form_submit(
        request,
        form,
        save,
        done=lambda _: ("密码已修改，此前签发的 API 令牌已全部吊销", reverse("home")),
        errors=lambda exc: form.add_error("new_password1", exc),
        render_page=lambda status: render(
            request, "accounts/password_change.html", {"form": form}, status=status
        ),
    )


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "accounts/token_list.html",
        {"tokens": token_list_for_user(user=user), "ttl_days": settings.API_TOKEN_TTL_DAYS},
    )


@login_required
@require_http_methods(["POST"])
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    token = token_get_for_user(user=user, pk=pk)
    token_revoke(actor=user, token=token)
    messages.success(request, f"已吊销令牌 {token.prefix}…")
    return redirect("accounts:token_list")


@login_required
def lockout_list(request: HttpRequest) -> HttpResponse:
    rows = lockout_list_for_user(user=request_user(request))
    return render(request, "accounts/lockout_list.html", {"rows": rows})


@login_required
@require_http_methods(["POST"])
def lockout_unlock_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    username = request.POST.get("username", "").strip()[:150]
    if username:
        user_unlock(actor=user, username=username)
        messages.success(request, f"已解除「{username}」的登录锁定")
    return redirect("accounts:lockout_list")
