from __future__ import annotations

import logging
from pathlib import PurePath

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
API_NOT_FOUND = "未找到：该接口地址不存在，请查阅 /api/v1/docs"
API_SERVER_ERROR = "服务器内部错误，请稍后重试；如仍出错请联系系统管理员"
API_BAD_REQUEST = "请求无效"
API_FORBIDDEN = "无权执行此操作"


class StoredFileLink:
    """A stored upload as a file input shows it ("当前：…"), linked to its scoped download view.

    Uploads have no public URL (bangfu.urls), so the FieldFile's own `.url` (/media/…) would be
    a dead link; pass this as the field's initial value instead.
    """

    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self.url = url

    def __str__(self) -> str:
        return PurePath(self.name).name

    def __bool__(self) -> bool:
        return bool(self.name)


# ---- error pages: the project's own, in Chinese; JSON under /api/ (urls.handler404 …) ----


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_error(detail: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return api_error(API_NOT_FOUND, 404)
    return defaults.page_not_found(request, exception or Exception(), template_name="404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    """500.html renders without context processors or the database: they may be what failed."""
    if is_api_request(request):
        return api_error(API_SERVER_ERROR, 500)
    return defaults.server_error(request, template_name="500.html")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return api_error(API_BAD_REQUEST, 400)
    return defaults.bad_request(request, exception, template_name="400.html")


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return api_error(str(exception) or API_FORBIDDEN, 403)
    return defaults.permission_denied(request, exception, template_name="403.html")


CSRF_FAILED = "页面已过期或无法确认请求来自本站，请刷新页面后重新提交。"


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: a stale form (or a forged one) gets the Chinese 403 page."""
    if is_api_request(request):
        return api_error(CSRF_FAILED, 403)
    return defaults.permission_denied(request, PermissionDenied(CSRF_FAILED), "403.html")


def api_server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The API's last exception handler: logged with its traceback, answered in JSON.

    Without it django-ninja answers a plain-text traceback in DEBUG and re-raises otherwise.
    """
    logger.error("Unhandled API error: %s %s", request.method, request.path, exc_info=exc)
    return api_error(API_SERVER_ERROR, 500)
