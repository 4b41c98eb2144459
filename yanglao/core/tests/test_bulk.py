"""Bulk writes: the writer thread on PostgreSQL (inline on SQLite) writes everything once and
reports a failure to the caller."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection

from yanglao.core.bulk import BackgroundWriter
from yanglao.regions.models import Region

pytestmark = pytest.mark.django_db(transaction=True)
COLUMNS = ("code", "name", "short_name", "level", "parent_id", "valid_from", "valid_to")


def rows(start: int, n: int) -> list[tuple[object, ...]]:
    return [
        (f"9{i:011d}", f"测试{i}", f"测试{i}", 1, None, None, None) for i in range(start, start + n)
    ]


def test_writes_every_batch_once() -> None:
    with BackgroundWriter() as w:
        assert w.inline == (connection.vendor != "postgresql")
        for start in range(0, 5000, 1000):
            w.submit((Region._meta.db_table, COLUMNS, rows(start, 1000)))
    assert Region.objects.filter(code__startswith="9").count() == 5000


def test_a_failed_batch_is_reported_and_rolled_back() -> None:
    w = BackgroundWriter()
    w.submit((Region._meta.db_table, COLUMNS, rows(0, 10)))
    with pytest.raises(IntegrityError):
        w.submit((Region._meta.db_table, COLUMNS, rows(5, 10)))  # codes 5..9 exist
        w.close()
    assert Region.objects.filter(code__startswith="9").count() == 10
