"""Audit retention: at least six months, for ever by default (issue 15)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from yanglao.core.retention import MINIMUM_DAYS, check_retention, retention_errors


@pytest.mark.parametrize(
    ("days", "ok"),
    [
        (0, True),
        (-1, False),
        (1, False),
        (MINIMUM_DAYS - 1, False),
        (MINIMUM_DAYS, True),
        (3650, True),
    ],
)
def test_retention_is_forever_or_at_least_six_months(days: int, ok: bool) -> None:
    assert (retention_errors(days) == []) is ok


def test_default_keeps_for_ever(settings) -> None:
    assert settings.AUDIT_RETENTION_DAYS == 0 and check_retention() == []


def test_a_short_retention_fails_the_system_check(settings) -> None:
    settings.AUDIT_RETENTION_DAYS = 30
    [error] = check_retention()
    assert error.id == "yanglao.E015" and "6 个月" in error.msg
    with pytest.raises(SystemCheckError, match=r"yanglao\.E015"):
        call_command("check", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
def test_audit_verify_states_the_retention(settings) -> None:
    settings.AUDIT_RETENTION_DAYS = 365
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "保存期限：保存 365 天" in out.getvalue()
