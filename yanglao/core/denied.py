"""Denied accesses are audited (issue 15, 等保 2.0 security audit).

A 403 (PermissionDenied, a missing capability, an API scope refusal) or a 404 raised by a view
(a scoped selector found nothing the user may see: another county's person, visit, benefit,
institution, or a reveal of one) writes an `access.denied` row with the path, the user and the
reason. Called after the view's exception has left its transaction, as its own transaction
(audit()'s outside-transaction allow-list), so the row survives the rollback.

A user walking ids would flood the table: one row per user (or address, when anonymous) and
path per settings.AUDIT_DENIED_INTERVAL seconds (default 600); repeats inside the window are
not written. Each id is its own path, so a walk over ids still leaves one row per id tried.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse

from yanglao.core.audit import Action, audit
from yanglao.core.middleware import client_ip

DEFAULT_INTERVAL = 600


def _key(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    who = f"u{user.pk}" if user is not None and user.is_authenticated else f"ip{client_ip(request)}"
    path = hashlib.sha256(request.path.encode("utf-8", "replace")).hexdigest()[:32]
    return f"yanglao:denied:{who}:{path}"


def audit_denied(request: HttpRequest, *, status: int, reason: str) -> bool:
    """Record a refused request unless one was recorded for this user and path lately.
    Returns whether a row was written."""
    if connection.in_atomic_block and connection.needs_rollback:
        # Still inside a transaction that is being rolled back (ATOMIC_REQUESTS): the row
        # would be rolled back with it, and the query would fail.
        return False
    interval = int(getattr(settings, "AUDIT_DENIED_INTERVAL", DEFAULT_INTERVAL))
    key = _key(request)
    if not cache.add(key, 1, timeout=interval):
        return False
    user = getattr(request, "user", None)
    actor = user if user is not None and user.is_authenticated else None
    match = getattr(request, "resolver_match", None)
    changes: dict[str, Any] = {
        "path": request.path[:500],
        "method": request.method,
        "status": status,
        "reason": reason[:200],
    }
    if match is not None:
        changes["view"] = match.view_name
    object_id = ""
    if match is not None and match.kwargs:
        object_id = str(next(iter(match.kwargs.values())))[:64]
    audit(
        actor=actor,
        action=Action.ACCESS_DENIED,
        object_type="request",
        object_id=object_id,
        object_label=request.path[:200],
        changes=changes,
    )
    return True


def reason_of(exc: BaseException | type[BaseException], default: str) -> str:
    if isinstance(exc, type):
        name, text = exc.__name__, ""
    else:
        name, text = type(exc).__name__, str(exc).strip()
    return f"{name}: {text}" if text else f"{name}: {default}"


class DeniedAccessMiddleware:
    """Audits the 403s and 404s that views raise (the API's are audited by its handlers)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> None:
        if isinstance(exc, Http404):
            audit_denied(request, status=404, reason=reason_of(exc, "不存在或不在管辖范围"))
        elif isinstance(exc, PermissionDenied):
            audit_denied(request, status=403, reason=reason_of(exc, "无此权限"))
        return None  # Django answers as before
