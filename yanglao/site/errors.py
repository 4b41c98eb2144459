"""Chinese error answers everywhere (handler400/403/404/500 in yanglao/urls.py).

Under /api/ the answer is JSON `{"detail": "…"}` like the API's own errors; elsewhere a page
from templates/<status>.html. Django calls these for what escapes the views: a request body
over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a bad Host header (400), a
PermissionDenied (403), an unknown address (404) and an unhandled exception (500).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

from yanglao.core.decorators import scope

API_PREFIX = "/api/"

MESSAGES = {
    400: "请求无法处理：格式不正确",
    403: "您的角色不能使用此功能",
    404: "未找到，或不在您的辖区范围内",
    500: "服务器内部错误，已记录，请稍后再试；如持续出现请联系系统管理员",
}


def _too_big_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return f"请求内容超过大小上限（{limit / 1024 / 1024:.1f} MB），请分批提交或改用文件上传"


def message_for(status: int, exception: BaseException | None = None) -> str:
    if isinstance(exception, RequestDataTooBig):
        return _too_big_message()
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return "请求中的字段或文件过多"
    return MESSAGES[status]


def _answer(request: HttpRequest, status: int, exception: BaseException | None) -> HttpResponse:
    message = message_for(status, exception)
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": message}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    try:
        template = loader.get_template(f"{status}.html")
        body = template.render({"message": message}, request if status != 500 else None)
    except Exception:  # a 500 page must not fail in turn (the database may be the fault)
        body = f"<!doctype html><meta charset=utf-8><title>出错了</title><h1>{message}</h1>"
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


@scope(public=True)
def bad_request(request: HttpRequest, exception: BaseException, *a: Any, **k: Any) -> HttpResponse:
    return _answer(request, 400, exception)


@scope(public=True)
def permission_denied(
    request: HttpRequest, exception: BaseException, *a: Any, **k: Any
) -> HttpResponse:
    return _answer(request, 403, exception)


@scope(public=True)
def page_not_found(
    request: HttpRequest, exception: BaseException, *a: Any, **k: Any
) -> HttpResponse:
    return _answer(request, 404, exception)


@scope(public=True)
def server_error(request: HttpRequest, *a: Any, **k: Any) -> HttpResponse:
    return _answer(request, 500, None)
