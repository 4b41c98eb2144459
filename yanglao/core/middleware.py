"""Request context for audit rows, and the deny-by-default scope declaration check."""

from __future__ import annotations

import ipaddress
import json
import uuid
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.request import RawPostDataException
from django.utils.cache import add_never_cache_headers

from yanglao.core.context import RequestContext, current
from yanglao.core.text import clean_json, clean_text, has_unwanted

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs if c.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the one function that decides it (audit rows, login lockout).

    REMOTE_ADDR is the peer. Only when the peer is one of settings.TRUSTED_PROXIES (CIDRs) is
    X-Forwarded-For read, from the right: each address a trusted proxy appended is skipped
    until the first one that is not a trusted proxy, which is the client. Anything to its left
    was written by the client and is never believed; a malformed entry stops the walk at the
    last trusted hop.
    """
    peer = _address(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    trusted = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))

    def is_trusted(a: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return any(a in net for net in trusted)

    if not is_trusted(peer):
        return str(peer)
    current_hop = peer
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for part in reversed(header.split(",") if header else []):
        hop = _address(part)
        if hop is None:
            break
        current_hop = hop
        if not is_trusted(hop):
            break
    return str(current_hop)


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


# Fields whose value is a secret the user typed: never altered (a changed password would
# simply not match, which is the right outcome for a NUL in it anyway).
_SECRET_FIELDS = ("password", "token", "secret", "otp")


class CleanInputMiddleware:
    """Clean NUL, control and bidi-override characters out of query strings, form fields,
    uploaded file names and JSON bodies before any view sees them (core.text)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.GET = _clean_querydict(request.GET)  # type: ignore[assignment]
        if request.method in ("POST", "PUT", "PATCH"):
            content_type = request.content_type or ""
            if content_type.startswith(("multipart/form-data", "application/x-www-form")):
                request.POST = _clean_querydict(request.POST)  # type: ignore[assignment]
                for key in request.FILES:
                    for upload in request.FILES.getlist(key):
                        upload.name = clean_text(upload.name or "")
            elif content_type == "application/json":
                _clean_json_body(request)
        return self.get_response(request)


def _clean_querydict(q: QueryDict) -> QueryDict:
    if not any(has_unwanted(k) or any(map(has_unwanted, q.getlist(k))) for k in q):
        return q
    out = QueryDict(mutable=True, encoding=q.encoding)
    for key in q:
        values = q.getlist(key)
        secret = any(s in key.lower() for s in _SECRET_FIELDS)
        out.setlist(clean_text(key), values if secret else [clean_text(v) for v in values])
    out._mutable = False
    return out


def _clean_json_body(request: HttpRequest) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and length > limit:
        return  # the view answers an oversized body itself (413 in Chinese)
    try:
        body = request.body
    except RawPostDataException:
        return
    text = body.decode("utf-8", errors="replace")
    escaped = text.lower()
    if not (has_unwanted(text) or "\\u00" in escaped or "\\u202" in escaped or "\\u206" in escaped):
        return
    try:
        data = json.loads(body)
    except ValueError:
        return  # the API answers malformed JSON itself
    request._body = json.dumps(clean_json(data), ensure_ascii=False).encode()


# Scripts only from this site's static files: no inline script, no eval, nothing from another
# origin (the bureau's intranet has no CDN). Styles allow inline `style` attributes (a bar's
# width, htmx's indicator rule); they cannot run code.
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; worker-src 'self'; "
    "manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every response, and `Cache-Control: no-store` on every
    page and API answer (they show personal data; static files are answered before this)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or DEFAULT_CSP

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        if "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response
