"""Session rules applied to every page: the idle timeout (background polling does not count as
activity), then two-factor verification and a forced password change before anything else."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from yanglao.accounts.policy import idle_expired

LAST_ACTIVITY = "last_activity"
POLL_HEADER = "X-Background-Poll"
# Paths a half-logged-in user may reach: the login steps, the password page, static files;
# the API authenticates with bearer tokens, not with the session.
_OPEN_PREFIXES = ("/accounts/login", "/accounts/logout", "/static/", "/api/")
_PASSWORD_PATH = "/accounts/password/"


def is_background_poll(request: HttpRequest) -> bool:
    return bool(request.headers.get(POLL_HEADER))


def _to_login(request: HttpRequest) -> HttpResponse:
    if request.headers.get("HX-Request"):
        # HTMX: stop polling (286) and send the whole page to the login form.
        response = HttpResponse(status=286)
        response["HX-Redirect"] = reverse("accounts:login")
        return response
    return redirect_to_login(request.get_full_path())


class IdleTimeoutMiddleware:
    """End a session after SESSION_IDLE_TIMEOUT without a real (non-polling) request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        now = time.time()
        if request.user.is_authenticated:
            last = request.session.get(LAST_ACTIVITY)
            if idle_expired(last, now, settings.SESSION_IDLE_TIMEOUT):
                logout(request)
                return _to_login(request)
            if not is_background_poll(request):
                request.session[LAST_ACTIVITY] = now
        response = self.get_response(request)
        # The login request itself starts the clock.
        if request.user.is_authenticated and LAST_ACTIVITY not in request.session:
            request.session[LAST_ACTIVITY] = now
        return response


class LoginStepsMiddleware:
    """A logged-in session that still owes its second factor is ended (sessions from before
    two-factor login, or a session whose owner was made to need it); one that owes a new
    password sees only the password page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(_OPEN_PREFIXES):
            from yanglao.accounts.services import must_change_password, otp_needed

            if not user.is_verified() and otp_needed(user):  # type: ignore[attr-defined]
                logout(request)
                return _to_login(request)
            if request.path != _PASSWORD_PATH and must_change_password(user):
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=286)
                    response["HX-Redirect"] = _PASSWORD_PATH
                    return response
                return redirect(_PASSWORD_PATH)
        return self.get_response(request)
