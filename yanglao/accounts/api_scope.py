"""Every API operation declares its scope (DESIGN principle 2, as `core.decorators.scope`).

`@declare_scope("person:read")` marks the view function with the scope name and checks the
capability the scope stands for before the view runs (403 without it). Objects inside the
view still come through scoped selectors, so a record outside the caller's jurisdiction is
a 404. A test walks every registered operation and fails on one without a declaration.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import HttpRequest

from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap
from yanglao.core.middleware import SCOPE_ATTR

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"
# Pseudo-capability: any logged-in, active user, whatever the role (e.g. the stateless
# scoring calculator, which reads and writes no record).
AUTHENTICATED = "authenticated"
# Device platforms (紧急呼叫 alarm intake) authenticate with their own token, not as a user:
# the operation's auth class is the check (community.api_programmes.PlatformAuth).
PLATFORM = "device:platform"

# Scope name -> the capability it requires (None: no login at all).
SCOPES: dict[str, str | None] = {
    PUBLIC: None,
    "person:read": Cap.PERSON_VIEW,
    "person:write": Cap.PERSON_EDIT,
    "region:read": Cap.STATS_VIEW,
    "assessment:score": AUTHENTICATED,
    # One's own API tokens (the security administrator sees and revokes everyone's).
    "token:own": AUTHENTICATED,
    "person:import": Cap.PERSON_IMPORT,
    "benefit:read": Cap.BENEFIT_VIEW,
    "benefit:apply": Cap.BENEFIT_APPLY,
    # Which step (审核/审批/复核) the caller may take is checked by the service (403).
    "benefit:decide": Cap.BENEFIT_VIEW,
    "visit:record": Cap.VISIT_RECORD,
    "visit:view": Cap.VISIT_VIEW,
    "institution:read": Cap.INSTITUTION_VIEW,
    # 等级评定 (issue 11 part 7): officers of the home's county or above.
    "institution:rate": Cap.INSTITUTION_MANAGE,
    # 双随机一公开 and inspections (institutions.api_supervision); the replay of a draw is a
    # pure computation on published inputs.
    "inspection:read": Cap.INSTITUTION_VIEW,
    "inspection:manage": Cap.INSPECTION_MANAGE,
    "inspection:do": Cap.INSPECTION_DO,
    "inspection:answer": Cap.INSTITUTION_OPERATE,
    "inspection:replay": AUTHENTICATED,
    # An operator files its own home's reports (officers may file for a home they manage);
    # which home is checked by the service (404 outside, 403 for a role that may not).
    "institution:report": Cap.INSTITUTION_VIEW,
    # Issue 13: approved figures of other departments' data sets; feedback addressed to the
    # caller's region (an officer records one received by phone or letter, reads, answers).
    "reporting:read": Cap.REPORTING_VIEW,
    "feedback:handle": Cap.FEEDBACK_HANDLE,
    # 社区居家养老服务 (issue 12 part 10): providers' systems list their orders and upload
    # check-in/out and confirmations (idempotent on client_uuid).
    "community:read": Cap.COMMUNITY_VIEW,
    "community:serve": Cap.COMMUNITY_SERVE,
    PLATFORM: None,
    "alarm:read": Cap.PROGRAMME_VIEW,
    # Indicator values from the statistics snapshots (issue 13 part 8).
    "stats:read": Cap.STATS_VIEW,
}


class ScopeDenied(Exception):
    """The caller's role lacks the capability of the operation's scope (403)."""


def _resolved_signature(view: Callable[..., Any]) -> inspect.Signature:
    # django-ninja resolves string annotations in the namespace of the function it is given;
    # the wrapper lives here, so hand it the view's signature with the types already resolved.
    hints = typing.get_type_hints(view)
    sig = inspect.signature(view)
    params = [
        p.replace(annotation=hints.get(p.name, p.annotation)) for p in sig.parameters.values()
    ]
    return sig.replace(parameters=params, return_annotation=hints.get("return", sig.empty))


def declare_scope(scope: str) -> Callable[[F], F]:
    if scope not in SCOPES:
        raise ValueError(f"unknown API scope {scope!r}")
    cap = SCOPES[scope]

    def decorate(view: F) -> F:
        if cap is None:
            setattr(view, SCOPE_ATTR, scope)
            return view

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            user = getattr(request, "auth", None)
            if not isinstance(user, User) or not (
                user.is_active if cap == AUTHENTICATED else user.can(cap)
            ):
                raise ScopeDenied(scope)
            return view(request, *args, **kwargs)

        wrapped.__signature__ = _resolved_signature(view)  # type: ignore[attr-defined]
        setattr(wrapped, SCOPE_ATTR, scope)
        return wrapped  # type: ignore[return-value]

    return decorate


def scope_of(view: Callable[..., Any]) -> str | None:
    return getattr(view, SCOPE_ATTR, None)
