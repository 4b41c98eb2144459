"""Request context for audit rows, and the deny-by-default scope declaration check."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

from yanglao.core.context import RequestContext, current


def client_ip(request: HttpRequest) -> str | None:
    # Behind the bureau's reverse proxy, REMOTE_ADDR is the proxy; trust X-Forwarded-For
    # only when a deployment says so (not by default).
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get("X-Request-ID") or str(uuid.uuid4())
        token = current.set(RequestContext(request_id=request_id[:36], ip=client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response["X-Request-ID"] = request_id[:36]
        return response


SCOPE_ATTR = "yanglao_scope"
# URL prefixes served by code that is not ours (static files) or that checks scope per
# operation itself (the API router checks every operation's declaration in a test).
_EXEMPT_PREFIXES = ("/static/", "/api/")


class ScopeDeclaredMiddleware:
    """Refuse to run any view that does not declare its scope (CommCare's whitelist lesson)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        if request.path.startswith(_EXEMPT_PREFIXES):
            return None
        target = getattr(view_func, "view_class", view_func)
        if not getattr(target, SCOPE_ATTR, None) and not getattr(view_func, SCOPE_ATTR, None):
            raise ImproperlyConfigured(f"view {view_func!r} does not declare its scope")
        return None
