from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`@pytest.mark.postgres` tests belong to the PostgreSQL run (CI runs the suite on both):
    on SQLite they are deselected, never skipped; on PostgreSQL they always run."""
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    chosen = [i for i in items if "postgres" not in i.keywords]
    if len(chosen) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if "postgres" in i.keywords])
        items[:] = chosen
