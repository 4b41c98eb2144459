"""Tests that need PostgreSQL (database roles, concurrent writers).

They are skipped on SQLite with the reason below, and never on PostgreSQL: the condition is
the configured database itself, so `.ci/run`'s PostgreSQL pass always runs them (and it sets
YANGLAO_REQUIRE_POSTGRES=1, which turns a wrong database into an error).
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings

IS_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

if os.environ.get("YANGLAO_REQUIRE_POSTGRES") == "1" and not IS_POSTGRES:
    # .ci/run sets this for its PostgreSQL pass: a misconfigured database fails, never skips.
    raise RuntimeError("YANGLAO_REQUIRE_POSTGRES=1 but the test database is not PostgreSQL")

requires_postgres = pytest.mark.skipif(
    not IS_POSTGRES,
    reason="needs PostgreSQL (roles, advisory locks, concurrent transactions); "
    "runs in .ci/run's PostgreSQL pass",
)
