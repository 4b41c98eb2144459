"""Every view declares its scope: who may call it and over what (DESIGN principle 2).

`@scope(cap)` requires a logged-in active user holding the capability; objects inside the
view still come through scoped selectors, so a record outside the user's jurisdiction is a
404. `@scope(public=True)` marks the few pages open before login.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from yanglao.core.middleware import SCOPE_ATTR

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def scope(cap: str | None = None, *, public: bool = False) -> Callable[[V], V]:
    def decorate(view: V) -> V:
        if public:
            setattr(view, SCOPE_ATTR, "public")
            return view

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if cap is not None and not user.can(cap):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        setattr(wrapped, SCOPE_ATTR, cap or "authenticated")
        return wrapped  # type: ignore[return-value]

    return decorate


if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from yanglao.accounts.models import User


class AuthedRequest(HttpRequest):
    """What a scoped view receives: a logged-in staff user (for the type checker)."""

    user: User
    htmx: HtmxDetails


def flash_errors(request: HttpRequest, errors: dict[str, list[str]]) -> None:
    """Show a service's field errors as messages on the page the view redirects to."""
    from django.contrib import messages

    for field_errors in errors.values():
        for message in field_errors:
            messages.error(request, message)


def posted_version(request: HttpRequest) -> int | None:
    """The record version a form was drawn from (hidden `version` field), or None when the
    form carries none or garbage: services then skip the stale-edit check."""
    raw = request.POST.get("version", "") or ""
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 10 else None
