"""The REST API (F13): django-ninja under /api/v1/, token auth, Chinese error details."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as ServiceValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from bangfu.accounts.models import User
from bangfu.accounts.services import token_authenticate
from bangfu.core.duplicates import DuplicateError, is_unique_violation


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        check = token_authenticate(token)
        if check.user is None:
            raise AuthenticationError(message=check.refusal)
        request.user = check.user
        return check.user


class BodyNotJson(ValueError):
    """The request body is not UTF-8 JSON (e.g. invalid UTF-8 bytes): refused as a 422."""


class JsonBodyParser(Parser):
    """Bodies are JSON in UTF-8. Strings the database cannot hold (NUL, lone surrogates such as
    `"\\ud800"`) parse here and are refused by the schemas' string types (core.schema_types)."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BodyNotJson("不是有效的 UTF-8 编码") from exc
        try:
            return json.loads(text)
        except ValueError as exc:
            raise BodyNotJson("不是有效的 JSON") from exc


api = NinjaAPI(
    title="帮扶协作管理平台 API",
    version="1",
    description="贵州省外三甲医院帮扶县级医疗机构 — 帮扶协作管理平台接口。认证：先 POST /api/v1/auth/token 取得令牌，"
    "再以 `Authorization: Bearer <token>` 调用。",
    auth=TokenAuth(),
    parser=JsonBodyParser(),
    urls_namespace="api",
)


def _error(request: HttpRequest, detail: Any, status: int) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    """No token: how to get one; a refused token: why (expired, revoked, password changed)."""
    refusal = str(exc) if str(exc) != "Unauthorized" else ""
    return _error(
        request, refusal or "未认证：请提供有效的令牌（Authorization: Bearer <token>）", 401
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, str(exc) or "未找到", 404)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, BodyNotJson):
        # django-ninja wraps every parser failure in an English 400; the body is the problem.
        message = f"请求体：{exc.__cause__}"
        return api.create_response(
            request,
            {"detail": message, "errors": [{"field": "", "message": message}]},
            status=422,
        )
    return _error(request, str(exc), exc.status_code)


@api.exception_handler(MultiPartParserError)
def on_form_body_error(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    """A malformed multipart header, met when something reads `request.POST` (axes does on a
    failed login): the API takes JSON bodies only, so this is the body's fault, not ours."""
    message = "请求体：不是有效的 JSON（Content-Type 应为 application/json）"
    return api.create_response(
        request, {"detail": message, "errors": [{"field": "", "message": message}]}, status=422
    )


@api.exception_handler(ServiceValidationError)
def on_service_validation_error(request: HttpRequest, exc: ServiceValidationError) -> HttpResponse:
    """A service refused the input: 422, each message prefixed with the field it concerns."""
    return _service_refusal(request, exc, 422)


@api.exception_handler(DuplicateError)
def on_duplicate(request: HttpRequest, exc: DuplicateError) -> HttpResponse:
    """The record already exists (e.g. a second of two identical simultaneous creates): 409."""
    return _service_refusal(request, exc, 409)


@api.exception_handler(IntegrityError)
def on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    """A constraint refused a write that no service check caught (the services translate the
    ones they expect): a duplicate is 409, any other conflict with stored data 422."""
    if is_unique_violation(exc):
        return _error(request, "该记录已存在（可能与同时提交的相同请求重复），请刷新后查看", 409)
    return _error(request, "提交的数据与已有数据冲突，请检查后重试", 422)


def _service_refusal(
    request: HttpRequest, exc: ServiceValidationError, status: int
) -> HttpResponse:
    problems = []
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            for message in messages:
                shown = message if field == NON_FIELD_ERRORS else f"{field}：{message}"
                problems.append(
                    {"field": "" if field == NON_FIELD_ERRORS else field, "message": shown}
                )
    else:
        problems = [{"field": "", "message": m} for m in exc.messages]
    detail = "；".join(p["message"] for p in problems) or "请求被拒绝"
    return api.create_response(request, {"detail": detail, "errors": problems}, status=status)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    """In scope but not allowed to do this (reads out of scope are 404 before this is reached)."""
    return _error(request, str(exc) or "无权执行此操作", 403)


FIELD_LABELS = {"page": "页码", "page_size": "每页条数"}


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("query", "body", "path")]
        field = ".".join(loc)
        label = FIELD_LABELS.get(field, field)
        problems.append({"field": field, "message": f"{label}：{_translate(err)}"})
    detail = "；".join(p["message"] for p in problems) or "请求参数有误"
    return api.create_response(request, {"detail": detail, "errors": problems}, status=422)


# Error types whose message is already the project's own Chinese text (bangfu.core.schema_types).
OWN_MESSAGES = {"forbidden_characters", "single_line", "date_format", "programme_date_range"}


def _translate(err: dict[str, Any]) -> str:
    """A Chinese message for a pydantic error: no English validation text reaches a user."""
    kind = str(err.get("type", ""))
    if kind in OWN_MESSAGES:
        return str(err.get("msg", "取值无效"))
    ctx = err.get("ctx") or {}
    min_length = ctx.get("min_length")
    messages = {
        "missing": "必填",
        "int_parsing": "应为整数",
        "int_type": "应为整数",
        "int_from_float": "应为整数",
        "int_parsing_size": "数值过大",
        "float_parsing": "应为数字",
        "float_type": "应为数字",
        "bool_parsing": "应为 true 或 false",
        "bool_type": "应为 true 或 false",
        "greater_than_equal": f"不能小于 {ctx.get('ge')}",
        "less_than_equal": f"不能大于 {ctx.get('le')}",
        "greater_than": f"应大于 {ctx.get('gt')}",
        "less_than": f"应小于 {ctx.get('lt')}",
        "string_too_short": "不能为空" if min_length == 1 else f"不能少于 {min_length} 个字符",
        "string_too_long": f"不能超过 {ctx.get('max_length')} 个字符",
        "string_type": "应为文本",
        "string_unicode": "含有无效的字符（如单独的代理项），请删除后重试",
        "string_pattern_mismatch": "取值无效",
        "too_short": f"至少 {min_length} 项",
        "too_long": f"最多 {ctx.get('max_length')} 项",
        "json_invalid": "不是有效的 JSON",
        "json_type": "不是有效的 JSON",
        "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
        "date_from_datetime_inexact": "应为日期（YYYY-MM-DD），不能带时间",
        "date_parsing": "应为日期（YYYY-MM-DD）",
        "date_type": "应为日期（YYYY-MM-DD）",
        "datetime_parsing": "应为日期时间（YYYY-MM-DDTHH:MM:SS）",
        "datetime_type": "应为日期时间（YYYY-MM-DDTHH:MM:SS）",
        "decimal_parsing": "应为数字",
        "decimal_type": "应为数字",
        "decimal_max_digits": f"最多 {ctx.get('max_digits')} 位数字",
        "decimal_max_places": f"最多 {ctx.get('decimal_places')} 位小数",
        "decimal_whole_digits": f"整数部分最多 {ctx.get('whole_digits')} 位",
        "finite_number": "应为有限的数字（不能为 NaN 或 Infinity）",
        "list_type": "应为列表",
        "tuple_type": "应为列表",
        "set_type": "应为列表",
        "dict_type": "应为对象",
        "model_type": "应为对象",
        "model_attributes_type": "应为对象",
        "dataclass_type": "应为对象",
        "extra_forbidden": "不允许的字段",
        "enum": "取值无效",
        "literal_error": "取值无效",
        "value_error": str(ctx.get("error", "取值无效")),
    }
    return messages.get(kind, "取值无效")


def register_routers() -> None:
    from bangfu.accounts.api import router as accounts_router
    from bangfu.activities.api import router as activities_router
    from bangfu.assessments.api import router as assessments_router
    from bangfu.capability.api import router as capability_router
    from bangfu.coordination.api import router as coordination_router
    from bangfu.coordination.problem_api import router as problems_router
    from bangfu.coordination.workspace_api import router as workspace_router
    from bangfu.incentives.api import router as incentives_router
    from bangfu.incentives.payment_api import router as payments_router
    from bangfu.jobs.api import router as jobs_router
    from bangfu.matching.api import router as matching_router
    from bangfu.notifications.api import router as notifications_router
    from bangfu.overview.api import router as overview_router
    from bangfu.partnerships.api import router as partnerships_router
    from bangfu.people.api import router as people_router
    from bangfu.people.scitech_api import router as scitech_router
    from bangfu.registry.api import router as registry_router

    api.add_router("/auth", accounts_router, tags=["认证"])
    api.add_router("/", registry_router, tags=["名录"])
    api.add_router("/", partnerships_router, tags=["帮扶关系与协议"])
    api.add_router("/", people_router, tags=["专家与帮扶队"])
    api.add_router("/", scitech_router, tags=["专家与帮扶队"])
    api.add_router("/", incentives_router, tags=["激励保障"])
    api.add_router("/", payments_router, tags=["激励保障"])
    api.add_router("/", matching_router, tags=["结对匹配"])
    api.add_router("/", activities_router, tags=["帮扶活动与成效"])
    api.add_router("/", capability_router, tags=["能力达标与一县一方案"])
    api.add_router("/", assessments_router, tags=["年度自查自评"])
    api.add_router("/", jobs_router, tags=["后台任务"])
    api.add_router("/", notifications_router, tags=["通知与提醒"])
    api.add_router("/", coordination_router, tags=["会商与督导"])
    api.add_router("/", problems_router, tags=["问题清单"])
    api.add_router("/", workspace_router, tags=["问题清单"])
    api.add_router("/", overview_router, tags=["总览"])


register_routers()
