"""Pure rules of identity: who needs two-factor login, which account changes need a second
security administrator (four eyes), password expiry and the idle timeout. No database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from yanglao.accounts.roles import CAPABILITIES, Cap, Role

# 等保 2.0 three-role separation: these accounts guard the others and the audit trail.
ADMIN_ROLES = frozenset({Role.AUDITOR, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN})
# Capabilities that reach personal data or figures (everything but account management).
DATA_CAPS = frozenset(
    cap for caps in CAPABILITIES.values() for cap in caps if cap != Cap.ACCOUNT_MANAGE
)


def otp_required(role: str, *, visit_worker_otp: bool) -> bool:
    """Two-factor login is enforced for every role but the village worker, who is configurable."""
    if role == Role.VISIT_WORKER:
        return visit_worker_otp
    return True


def data_access(role: str) -> bool:
    return bool(CAPABILITIES.get(role, frozenset()) & DATA_CAPS)


@dataclass(frozen=True)
class AccountState:
    role: str
    is_active: bool = True
    jurisdictions: frozenset[str] = frozenset()  # "code:mode"


_MODE_RANK = {"stats": 1, "search": 2, "edit": 3}


def _widened(before: Iterable[str], after: Iterable[str]) -> bool:
    """Does `after` grant a region or a mode that `before` did not (ignoring narrower ones)?"""
    held = [j.split(":", 1) for j in before]
    for item in after:
        code, mode = item.split(":", 1)
        covered = any(
            code.startswith(_stem(h_code)) and _MODE_RANK.get(mode, 9) <= _MODE_RANK.get(h_mode, 0)
            for h_code, h_mode in held
        )
        if not covered:
            return True
    return False


def _stem(code: str) -> str:
    """'220102000000' -> '220102': a region's code without its trailing zero levels."""
    for width in (2, 4, 6, 9):
        if code[width:].strip("0") == "":
            return code[:width]
    return code


def needs_approval(
    before: AccountState | None, after: AccountState, *, password_reset: bool = False
) -> bool:
    """Four eyes: creating or raising an account with data access, any change to an auditor
    or administrator account. `before` None is a creation."""
    if after.role in ADMIN_ROLES or (before is not None and before.role in ADMIN_ROLES):
        return True
    if before is None:
        return data_access(after.role) and after.is_active
    if not data_access(after.role) or not after.is_active:
        return False  # lowering: removing access never waits
    gained_caps = CAPABILITIES.get(after.role, frozenset()) - CAPABILITIES.get(
        before.role, frozenset()
    )
    return (
        bool(gained_caps & DATA_CAPS)
        or (not before.is_active)
        or _widened(before.jurisdictions, after.jurisdictions)
    )


def password_expired(changed_at: datetime | None, now: datetime, max_age_days: int) -> bool:
    if max_age_days <= 0 or changed_at is None:
        return False
    return now - changed_at > timedelta(days=max_age_days)


def idle_expired(last_activity: float | None, now: float, timeout: timedelta) -> bool:
    """Has the session been idle (no real request) for longer than the timeout?"""
    return last_activity is not None and now - last_activity > timeout.total_seconds()
