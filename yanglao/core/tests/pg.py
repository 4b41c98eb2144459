"""Tests that need PostgreSQL (database roles, concurrent writers).

They are skipped on SQLite with the reason below, and never on PostgreSQL: the condition is
the configured database itself, so `.ci/run`'s PostgreSQL pass always runs them.
"""

from __future__ import annotations

from django.conf import settings

import pytest

IS_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

requires_postgres = pytest.mark.skipif(
    not IS_POSTGRES,
    reason="needs PostgreSQL (roles, advisory locks, concurrent transactions); "
    "runs in .ci/run's PostgreSQL pass",
)
