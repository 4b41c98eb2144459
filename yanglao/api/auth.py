"""Bearer tokens for the REST API: issued for a username and password, stored as SHA-256.

Roles with two-factor login give the current code from their phone app (or a recovery code)
as `otp`. A token dies when it expires, when its owner or the security administrator revokes
it, when the password changes and when the account is locked or deactivated.

Login goes through `django.contrib.auth.authenticate(request, ...)`, so django-axes counts
failures and locks the account exactly as for the web login (等保 2.0 login-failure handling).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from yanglao.accounts import services
from yanglao.accounts.models import ApiToken, User
from yanglao.core.audit import Action, audit


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>`; an unknown, expired or deactivated token is a 401."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token or len(token) > 200:
            return None
        row = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash(token), expires_at__gt=timezone.now())
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        request.user = row.user
        return row.user


@dataclass
class TokenResult:
    """Outcome of a token request: a token, or why there is none."""

    token: str = ""
    expires_at: datetime | None = None
    locked: bool = False
    # Why a right password still gets no token: "otp_missing", "otp_wrong", "otp_not_enrolled",
    # "password_change" (a temporary or expired password must be changed on the web first).
    refused: str = ""


def _failed(request: HttpRequest, username: str, refused: str = "") -> TokenResult:
    credentials = {"username": username}
    locked = bool(getattr(request, "axes_locked_out", False))
    if not locked and settings.AXES_ENABLED:
        locked = AxesProxyHandler.is_locked(request, credentials)
    # AxesMiddleware would swap our JSON answer for the HTML lockout page; the API gives
    # its own 403 instead.
    request.axes_locked_out = False  # type: ignore[attr-defined]
    return TokenResult(locked=locked, refused="" if locked else refused)


def token_issue(
    *, request: HttpRequest, username: str, password: str, otp: str = ""
) -> TokenResult:
    user = authenticate(request, username=username, password=password)
    if user is None or not isinstance(user, User) or not user.is_active:
        return _failed(request, username)
    # Where the web login asks for a second factor, so does the API.
    if services.otp_needed(user):
        if not services.otp_enrolled(user):
            return TokenResult(refused="otp_not_enrolled")
        if not otp.strip():
            return TokenResult(refused="otp_missing")
        if services.otp_verify(user=user, token=otp) is None:
            user_login_failed.send(
                sender=__name__, credentials={"username": user.username}, request=request
            )
            return _failed(request, username, "otp_wrong")
    if services.must_change_password(user):
        return TokenResult(refused="password_change")
    raw = secrets.token_urlsafe(32)
    expires_at = timezone.now() + settings.API_TOKEN_TTL
    with transaction.atomic():
        # What a web login does through the user_logged_in signal: an access-log row and,
        # with AXES_RESET_ON_SUCCESS, the earlier failures forgotten. (No session here, so
        # the signal itself, which also writes the session login audit row, is not sent.)
        AxesProxyHandler.user_logged_in(sender=type(user), request=request, user=user)
        ApiToken.objects.filter(user=user, expires_at__lte=timezone.now()).delete()
        row = ApiToken.objects.create(
            user=user, key_hash=ApiToken.hash(raw), prefix=raw[:6], expires_at=expires_at
        )
        audit(
            actor=user,
            action=Action.TOKEN_ISSUE,
            object_type="user",
            object_id=str(user.pk),
            object_label=user.username,
            changes={"token": str(row.public_id), "prefix": row.prefix},
        )
    return TokenResult(token=raw, expires_at=expires_at)
