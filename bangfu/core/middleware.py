from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.urls import Resolver404, get_resolver
from django.utils import translation

from bangfu.core import views


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Simplified Chinese for everyone (the only entry in settings.LANGUAGES).

    The browser's Accept-Language and any old language cookie are ignored: the platform's own
    pages are written in Chinese, and an English browser would otherwise get a mixed
    Chinese/English interface (Django's own strings only).
    """

    def process_request(self, request: HttpRequest) -> None:
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()


class ErrorPagesMiddleware:
    """Not-found and not-allowed answers are the project's own, in DEBUG (the demo) as well.

    Django's DEBUG 404 page lists every URL pattern; here an unknown address gets the Chinese
    404 page, or under /api/ a JSON body with a Chinese `detail` like every other API error.
    A 405 from the API (django-ninja answers an empty body) becomes JSON too. Outside DEBUG the
    handlers in bangfu.urls give the same answers; this middleware covers what they cannot.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if settings.DEBUG:
            try:
                get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
            except Resolver404 as exc:
                return views.page_not_found(request, exc)
        response = self.get_response(request)
        if (
            response.status_code == 405
            and views.is_api_request(request)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allowed = response.get("Allow", "")
            json_response = views.api_error(
                f"不支持 {request.method} 方法；该接口允许：{allowed or '无'}", 405
            )
            if allowed:
                json_response["Allow"] = allowed
            return json_response
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):
            return views.page_not_found(request, exception)
        return None
