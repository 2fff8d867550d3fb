"""Lock-outs after repeated failed logins (django-axes, F12): whose address a request comes
from, the response a locked-out user sees, (`user_unlock` in services lifts one).

A lock-out holds one username from one address (settings.AXES_LOCKOUT_PARAMETERS): guessing an
officer's password from elsewhere does not lock the officer out.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

LOCKED_OUT = "登录失败次数过多，账号已临时锁定，请 15 分钟后再试或联系管理员解锁"


def client_ip_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or, behind `TRUSTED_PROXY_COUNT` proxies, the address
    the outermost trusted proxy saw (each proxy appends to X-Forwarded-For, so entries further
    left were written by the client and are not trusted)."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    count: int = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    return forwarded[-count] if len(forwarded) >= count else remote


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: object
) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": LOCKED_OUT}, status=429, json_dumps_params={"ensure_ascii": False}
        )
    return render(request, "accounts/locked_out.html", status=429)
