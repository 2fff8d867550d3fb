"""The response shown to a locked-out user: JSON for the API, the Chinese page otherwise."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

LOCKED_OUT = "登录失败次数过多，账号已临时锁定，请 15 分钟后再试或联系管理员解锁"


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: object
) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": LOCKED_OUT}, status=429, json_dumps_params={"ensure_ascii": False}
        )
    return render(request, "accounts/locked_out.html", status=429)
