"""The JSON API: one NinjaAPI under /api/, routers per app under /api/v1/, docs at /api/docs.

Errors always answer `{"detail": "<中文说明>"}`; input errors (422) add `errors`, a list of
`{"field", "message"}`, and the detail names each field and its rule.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from benan.core.errors import DomainError
from benan.core.tokens import user_for_token


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="本安 benan API",
    version="1",
    description="安全生产监管平台接口。先用 `POST /api/v1/auth/token` 换取令牌，"
    "再在请求头中携带 `Authorization: Bearer <token>`。",
    auth=BearerAuth(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)

# Pydantic's error types, in the words a Chinese user reads.
PYDANTIC_MESSAGES = {
    "missing": "必填",
    "int_parsing": "必须是整数",
    "int_type": "必须是整数",
    "int_from_float": "必须是整数",
    "float_parsing": "必须是数字",
    "float_type": "必须是数字",
    "finite_number": "必须是有限的数字",
    "string_type": "必须是文本",
    "bool_parsing": "必须是 true 或 false",
    "bool_type": "必须是 true 或 false",
    "date_parsing": "必须是日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "必须是日期（YYYY-MM-DD）",
    "date_type": "必须是日期（YYYY-MM-DD）",
    "datetime_parsing": "必须是时间（ISO 8601）",
    "datetime_from_date_parsing": "必须是时间（ISO 8601）",
    "extra_forbidden": "不支持的字段",
    "json_invalid": "请求体不是有效的 JSON",
    "model_attributes_type": "请求体必须是 JSON 对象",
    "dict_type": "必须是 JSON 对象",
    "list_type": "必须是列表",
    "enum": "不是可选值",
    "literal_error": "不是可选值",
    "string_too_long": "太长",
    "string_too_short": "太短",
    "greater_than_equal": "太小",
    "less_than_equal": "太大",
    "greater_than": "太小",
    "less_than": "太大",
}
LOCATION_PARTS = {"body", "query", "path", "payload", "filters", "header", "form"}


def field_errors_from_pydantic(errors: list[dict]) -> list[dict[str, str]]:
    result = []
    for error in errors:
        parts = [str(p) for p in error.get("loc", ()) if str(p) not in LOCATION_PARTS]
        field = ".".join(parts) or "__all__"
        message = PYDANTIC_MESSAGES.get(error.get("type", ""))
        ctx = error.get("ctx") or {}
        if error.get("type") in {"string_too_long", "string_too_short"} and "max_length" in ctx:
            message = f"不能超过{ctx['max_length']}个字符"
        elif error.get("type") in {"enum", "literal_error"} and "expected" in ctx:
            message = f"不是可选值，可选：{ctx['expected']}"
        elif error.get("type", "").startswith(("greater", "less")):
            bound = next(iter(ctx.values()), "")
            message = f"{message}（界限 {bound}）"
        result.append({"field": field, "message": message or f"格式不正确：{error.get('msg', '')}"})
    return result


def field_errors_from_django(error: DjangoValidationError) -> list[dict[str, str]]:
    if hasattr(error, "error_dict"):
        return [
            {"field": field, "message": "；".join(m for e in errs for m in e.messages)}
            for field, errs in error.error_dict.items()
        ]
    return [{"field": "__all__", "message": "；".join(error.messages)}]


def unprocessable(request, errors: list[dict[str, str]]):
    detail = "；".join(
        e["message"] if e["field"] == "__all__" else f"{e['field']}：{e['message']}" for e in errors
    )
    return api.create_response(
        request, {"detail": f"输入有误：{detail}", "errors": errors}, status=422
    )


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, exc: NinjaValidationError):
    return unprocessable(request, field_errors_from_pydantic(exc.errors))


@api.exception_handler(DjangoValidationError)
def on_rule_error(request, exc: DjangoValidationError):
    return unprocessable(request, field_errors_from_django(exc))


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(request, {"detail": exc.message}, status=exc.status)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(
        request, {"detail": "未登录或令牌无效：请先获取令牌并在请求头中携带 Authorization: Bearer <token>"},
        status=401,
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": "对象不存在"}, status=404)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def _register_routers() -> None:
    from benan.accidents.api import router as accidents_router
    from benan.core.api import router as core_router
    from benan.emergency.api import router as emergency_router
    from benan.enforcement.api import router as enforcement_router
    from benan.enterprises.api import router as enterprises_router
    from benan.hazards.api import router as hazards_router
    from benan.power.api import router as power_router
    from benan.standards.api import router as standards_router
    from benan.supervision.api import router as supervision_router

    api.add_router("/v1/", core_router)
    api.add_router("/v1/enterprises", enterprises_router)
    api.add_router("/v1/", standards_router)
    api.add_router("/v1/", hazards_router)
    api.add_router("/v1/", enforcement_router)
    api.add_router("/v1/", accidents_router)
    api.add_router("/v1/", power_router)
    api.add_router("/v1/", emergency_router)
    api.add_router("/v1/", supervision_router)


_register_routers()
