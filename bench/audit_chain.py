"""Time core.audit.audit_many for N rows (default 100,000) in one transaction, rolled back.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<db> YANGLAO_ENV=development \
        uv run python bench/audit_chain.py 100000
"""

from __future__ import annotations

import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yanglao.settings")
django.setup()

from django.db import transaction  # noqa: E402

from yanglao.core.audit import Entry, audit_many  # noqa: E402


class _Rollback(Exception):
    pass


def main(n: int) -> None:
    entries = [
        Entry(
            object_id=f"00000000-0000-0000-0000-{i:012d}",
            object_label=f"测试{i}",
            region_code="110101001001",
            changes={"name": ["", f"测试{i}"], "source": "bench"},
        )
        for i in range(n)
    ]
    for _ in range(3):
        start = time.perf_counter()
        try:
            with transaction.atomic():
                audit_many(
                    actor=None, action="person.bulk_create", object_type="person", entries=entries
                )
                raise _Rollback
        except _Rollback:
            pass
        sys.stdout.write(f"{n} rows: {time.perf_counter() - start:.2f} s\n")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
