"""Pure identity rules, table-driven at their boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from yanglao.accounts.lockout import failures_count
from yanglao.accounts.policy import (
    AccountState,
    idle_expired,
    needs_approval,
    otp_required,
    password_expired,
)
from yanglao.accounts.roles import Role
from yanglao.accounts.validators import character_classes


@pytest.mark.parametrize(
    ("role", "flag", "required"),
    [
        (Role.VISIT_WORKER, False, False),
        (Role.VISIT_WORKER, True, True),
        (Role.TOWNSHIP_OFFICER, False, True),
        (Role.PROVINCE_OFFICER, False, True),
        (Role.ASSESSOR, False, True),
        (Role.INSTITUTION_OPERATOR, False, True),
        (Role.AUDITOR, False, True),
        (Role.SECURITY_ADMIN, False, True),
        (Role.SYSTEM_ADMIN, False, True),
    ],
)
def test_otp_required_by_role(role: str, flag: bool, required: bool) -> None:
    assert otp_required(role, visit_worker_otp=flag) is required


COUNTY = AccountState(Role.COUNTY_OFFICER, True, frozenset({"220102000000:edit"}))


@pytest.mark.parametrize(
    ("before", "after", "needed"),
    [
        # creations
        (None, AccountState(Role.PROVINCE_OFFICER), True),
        (None, AccountState(Role.VISIT_WORKER), True),
        # an operator reads its own residents (institutions): data access
        (None, AccountState(Role.INSTITUTION_OPERATOR), True),
        (None, AccountState(Role.AUDITOR), True),
        (None, AccountState(Role.SECURITY_ADMIN), True),
        # raising
        (
            AccountState(Role.TOWNSHIP_OFFICER, True, COUNTY.jurisdictions),
            COUNTY,
            True,  # the county officer approves benefits: a new capability
        ),
        (COUNTY, AccountState(Role.CITY_OFFICER, True, COUNTY.jurisdictions), False),
        (COUNTY, AccountState(Role.COUNTY_OFFICER, True, frozenset({"220000000000:edit"})), True),
        (COUNTY, AccountState(Role.COUNTY_OFFICER, True, frozenset({"220204000000:edit"})), True),
        # a village inside the county, or a weaker mode: not wider
        (COUNTY, AccountState(Role.COUNTY_OFFICER, True, frozenset({"220102001001:edit"})), False),
        (COUNTY, AccountState(Role.COUNTY_OFFICER, True, frozenset({"220102000000:stats"})), False),
        # township officers review benefit applications: a capability the county lacks
        (COUNTY, AccountState(Role.TOWNSHIP_OFFICER, True, COUNTY.jurisdictions), True),
        # operating a home is a capability the county officer lacks
        (COUNTY, AccountState(Role.INSTITUTION_OPERATOR, True, COUNTY.jurisdictions), True),
        (COUNTY, AccountState(Role.COUNTY_OFFICER, False, COUNTY.jurisdictions), False),
        (
            AccountState(Role.COUNTY_OFFICER, False, COUNTY.jurisdictions),
            COUNTY,
            True,  # reactivating an account with data access
        ),
        # any change to an auditor or administrator account
        (AccountState(Role.AUDITOR), AccountState(Role.AUDITOR), True),
        (AccountState(Role.SYSTEM_ADMIN), AccountState(Role.SYSTEM_ADMIN, False), True),
        (COUNTY, AccountState(Role.AUDITOR), True),
    ],
)
def test_four_eyes_rule(before: AccountState | None, after: AccountState, needed: bool) -> None:
    assert needs_approval(before, after) is needed


NOW = datetime(2026, 11, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changed", "days", "expired"),
    [
        (None, 90, False),
        (NOW - timedelta(days=90), 90, False),
        (NOW - timedelta(days=90, seconds=1), 90, True),
        (NOW - timedelta(days=900), 0, False),  # 0: never expires
    ],
)
def test_password_expiry(changed: datetime | None, days: int, expired: bool) -> None:
    assert password_expired(changed, NOW, days) is expired


@pytest.mark.parametrize(
    ("last", "now", "expired"),
    [(None, 10_000.0, False), (0.0, 1800.0, False), (0.0, 1800.5, True)],
)
def test_idle_timeout(last: float | None, now: float, expired: bool) -> None:
    assert idle_expired(last, now, timedelta(minutes=30)) is expired


@pytest.mark.parametrize(
    ("password", "classes"),
    [("abcdefghij", 1), ("abcdeFGHIJ", 2), ("abcdeFGHI9", 3), ("abcdeFGH9!", 4), ("密码密码1a", 3)],
)
def test_character_classes(password: str, classes: int) -> None:
    assert character_classes(password) == classes


@pytest.mark.parametrize(
    ("account", "address", "count"),
    [(4, 29, 4), (5, 0, 5), (0, 30, 5), (7, 30, 7), (0, 100, 5)],
)
def test_lockout_by_account_or_address(account: int, address: int, count: int) -> None:
    assert failures_count(account, address, account_limit=5, ip_limit=30) == count
