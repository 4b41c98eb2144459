"""Bulk writes: the writer thread on PostgreSQL (inline on SQLite) writes everything once and
reports a failure to the caller."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection

from yanglao.core.bulk import BackgroundWriter, CopyText, copy_escape
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


def test_copy_escape_keeps_what_copy_text_would_lose() -> None:
    assert copy_escape("王秀英 长春市1栋") == "王秀英 长春市1栋"
    assert copy_escape("a\\b\tc\nd\re") == "a\\\\b\\tc\\nd\\re"


@pytest.mark.postgres
def test_copy_text_stores_the_values_as_written() -> None:
    """CopyText (the generator's rows formatted in Python): escaped text, NULL as \\N."""
    names = ["测试\t制表", "反\\斜杠", "换\n行", "普通"]
    text = "".join(
        f"9{i:011d}\t{copy_escape(name)}\t短\t1\t\\N\t\\N\t\\N\n" for i, name in enumerate(names)
    )
    with BackgroundWriter() as w:
        w.submit((Region._meta.db_table, COLUMNS, CopyText(text)))
    stored = Region.objects.filter(code__startswith="9").order_by("code")
    assert [(r.name, r.parent_id, r.valid_from) for r in stored] == [(n, None, None) for n in names]
