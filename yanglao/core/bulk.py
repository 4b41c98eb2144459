"""Set-based writes: many rows in one statement (COPY on PostgreSQL, executemany on SQLite).

DESIGN "Bulk writes": Django's bulk_create manages ~9k rows/s here, COPY 35-218k rows/s.
Callers pass values already adapted for the backend (`adapt`), inside their transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


JOB_WORK_MEM = "256MB"


def job_memory() -> None:
    """PostgreSQL: the statements of a nightly job hash their sets in memory (SET LOCAL: this
    transaction only; call it inside the job's atomic block). With the 4 MB default a test
    such as "holds one of these categories" over millions of people falls back to one index
    probe per person (or a sort spilled to disk), so the job grows faster than the people."""
    if is_postgres():
        with connection.cursor() as cur:
            cur.execute(f"SET LOCAL work_mem = '{JOB_WORK_MEM}'")


def adapt(value: Any) -> Any:
    """A Python value as the backend stores it (SQLite has no uuid/date/datetime types)."""
    if is_postgres() or value is None:
        return value
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


class CopyText(str):
    """Rows already in PostgreSQL's COPY text format: one line per row, each
    ending in a newline. For bulk writers whose rows are many and wide: formatting a line in
    Python is several times cheaper than psycopg adapting each value (the generator)."""


_COPY_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def copy_escape(text: str) -> str:
    """A text value as COPY's text format holds it (backslash, tab, newline, CR escaped)."""
    if text.isprintable() and "\\" not in text:  # tab, newline and CR are not printable
        return text
    for raw, escaped in _COPY_ESCAPES:
        text = text.replace(raw, escaped)
    return text


def insert_rows(
    table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]] | CopyText
) -> int:
    """Insert rows into `table`; returns how many. Values must already be adapted, or the
    rows already formatted as COPY text (`CopyText`, PostgreSQL only).

    Rows for the audit table get their chain hashes here (core.chain), whoever writes them."""
    from yanglao.core import chain
    from yanglao.core.models import AuditEvent

    if table == AuditEvent._meta.db_table:
        if isinstance(rows, CopyText):
            raise ValueError("audit rows are chained from their values, not from COPY text")
        columns, rows = chain.chained(columns, rows)
    cols = ", ".join(columns)
    n = 0
    with connection.cursor() as cursor:
        if isinstance(rows, CopyText):
            if not is_postgres():
                raise ValueError("COPY text needs PostgreSQL")
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy,
            ):
                copy.write(rows)
            return rows.count("\n")
        if is_postgres():
            # The raw psycopg cursor: wrap its errors as Django's (IntegrityError etc.).
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
                    n += 1
        else:
            batch = list(rows)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", batch)
            n = len(batch)
    return n


Write = tuple[str, Sequence[str], Sequence[Sequence[Any]] | CopyText]  # table, columns, rows


class BackgroundWriter:
    """Runs bulk inserts in a second thread with its own connection, so Python can prepare
    the next batch while PostgreSQL writes this one (psycopg waits without the GIL).

    Each `submit` is one transaction. On SQLite, or with `inline=True`, writes happen at
    once in the caller's connection (SQLite test databases are not shared between threads'
    transactions). Errors surface on the next `submit` or on `close`; call `close` always
    (a `with` block does).
    """

    def __init__(self, *, inline: bool | None = None, depth: int = 2) -> None:
        import queue
        import threading

        # Inside a transaction (tests, callers' own atomic blocks) another connection cannot
        # see the rows this one has not committed: write inline there too.
        if inline is None:
            inline = not is_postgres() or connection.in_atomic_block
        self.inline = inline
        self.error: BaseException | None = None
        if self.inline:
            return
        self.queue: queue.Queue[list[Write] | None] = queue.Queue(maxsize=depth)
        self.thread = threading.Thread(target=self._run, name="bulk-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from django.db import connections, transaction

        try:
            while (job := self.queue.get()) is not None:
                with transaction.atomic():
                    for table, columns, rows in job:
                        insert_rows(table, columns, rows)
        except BaseException as e:  # surfaced to the caller
            self.error = e
            while self.queue.get() is not None:
                pass
        finally:
            connections.close_all()

    def submit(self, *writes: Write) -> None:
        if self.inline:
            from django.db import transaction

            with transaction.atomic():
                for table, columns, rows in writes:
                    insert_rows(table, columns, rows)
            return
        if self.error is not None:
            raise self.error
        self.queue.put(list(writes))

    def close(self) -> None:
        if not self.inline:
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None and not self.inline:
            self.error = self.error or RuntimeError("aborted")
        self.close()
