"""The audit hash chain: every audit row carries sha256(previous row's hash + its own content).

Design (issue 15, measured in docs/security.md "审计日志防篡改"):

- The hash is computed in Python by the writer (`core.audit.audit`, and `core.bulk.insert_rows`
  for every bulk write to the audit table: `audit_many`, the population generator) and stored
  in the row's `chain_hash` column as it is inserted, so the audit table is never
  UPDATEd and the same code runs on SQLite and PostgreSQL.
- Writers append one at a time: on PostgreSQL a transaction-scoped advisory lock
  (`pg_advisory_xact_lock`) is taken before the chain head is read, and held until commit, so
  two transactions appending at once chain one after the other. Ids are drawn from the
  sequence *after* the lock is taken, so the chain order is the id order. On SQLite the
  database allows one writer at a time anyway (IMMEDIATE transactions).
- A row's content is hashed in a canonical form that survives the round trip through the
  database (UTC timestamp with microseconds, JSON with sorted keys, integral floats as ints,
  the IP in its compressed form), so `verify` recomputes it from what it reads.

Rejected alternative: a sealing job that chains committed rows later into a seal table. It
avoids the lock, but a row whose transaction commits after a later id was sealed would be
missed or sealed out of order; making that safe needs snapshot bookkeeping that is harder to
prove than a lock whose cost we measured (100,000 bulk rows: see docs/security.md).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from json.encoder import encode_basestring as _json_str
from typing import Any

from django.db import connection

GENESIS = "0" * 64
# Any constant: the advisory lock key of the audit chain (ASCII "YLAUDIT").
_LOCK_KEY = 0x594C4155444954

CONTENT_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "region_code",
    "changes",
    "request_id",
    "ip",
)


def _plain(value: Any) -> Any:
    """JSON values as the database gives them back: integral floats become ints."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def stored_changes(changes: dict[str, Any] | None) -> Any:
    """`changes` as it will be stored and read back (non-JSON values become strings)."""
    return json.loads(json.dumps(changes or {}, ensure_ascii=False, default=str))


@lru_cache(maxsize=256)  # a bulk write hashes the same time and address 100,000 times
def _ip(value: str | None) -> str:
    if not value:
        return ""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return str(value)


@lru_cache(maxsize=256)
def _when(value: datetime | str) -> str:
    if isinstance(value, str):  # SQLite raw rows
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


_FLAT = frozenset({str, int, bool, type(None)})  # JSON values _plain leaves as they are


class CanonicalJSON(str):
    """A `changes` text already in the canonical form (`canonical_changes`): hashed as it is,
    not parsed and dumped again (an import audits each of 1,000,000 people with its own
    changes, so no cache helps)."""


def canonical_changes(changes: dict[str, Any] | None) -> CanonicalJSON:
    """`changes` as stored (non-JSON values as strings) in the canonical form: sorted keys,
    compact, integral floats as ints. Parsing it and dumping it canonically gives it back."""
    changes = changes or {}
    if not all(type(k) is str and type(v) in _FLAT for k, v in changes.items()):
        changes = _plain(changes)  # only where a float or a container needs it: 1 µs a row
    return CanonicalJSON(
        json.dumps(
            changes,
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
    )


@lru_cache(maxsize=256)  # a bulk write stores the same changes text for every row
def _changes_text(changes: str) -> str:
    return json.dumps(
        _plain(json.loads(changes)), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )


def canonical(row: dict[str, Any]) -> bytes:
    """The content of one audit row as hashed (a dict with CONTENT_FIELDS)."""
    changes = row["changes"]
    if type(changes) is CanonicalJSON:
        changes_text = str(changes)  # a plain str: the fast path below tests exact types
    elif isinstance(changes, str):
        changes_text = _changes_text(changes)
    else:
        changes_text = json.dumps(
            _plain(changes if changes is not None else {}),
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )
    actor_id = row["actor_id"]
    parts = (
        _when(row["occurred_at"]),
        "" if actor_id is None else str(actor_id),
        row["actor_username"] or "",
        row["action"],
        row["object_type"] or "",
        row["object_id"] or "",
        row["object_label"] or "",
        row["region_code"] or "",
        changes_text,
        row["request_id"] or "",
        _ip(row["ip"]),
    )
    if all(type(p) is str for p in parts):
        # json.dumps of a list of str with these options, without its encoder set-up per row
        # (a bulk write hashes 100,000s of rows): the same bytes.
        return ("[" + ",".join(map(_json_str, parts)) + "]").encode()
    return json.dumps(list(parts), ensure_ascii=False, separators=(",", ":")).encode()


def link(previous: str, row: dict[str, Any]) -> str:
    return hashlib.sha256(previous.encode() + canonical(row)).hexdigest()


def lock_and_head() -> str:
    """Take the chain lock (until the end of the transaction) and return the head hash."""
    from yanglao.core.models import AuditEvent

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    last = AuditEvent.objects.order_by("-id").values_list("chain_hash", flat=True).first()
    return last or GENESIS


def chained(
    columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> tuple[tuple[str, ...], Iterator[tuple[Any, ...]]]:
    """Bulk audit rows (values adapted for the backend) with their chain hashes appended.

    Called by core.bulk.insert_rows for the audit table, so every bulk writer (audit_many,
    the population generator's background writer) is chained in its own transaction. Takes
    the chain lock at once; the rows are hashed as the caller's COPY consumes them."""
    if "chain_hash" in columns:
        raise ValueError("chain_hash is computed, not given")
    if not connection.in_atomic_block:
        raise RuntimeError("audit rows must be written inside transaction.atomic()")
    at = {c: i for i, c in enumerate(columns)}
    missing = [f for f in CONTENT_FIELDS if f not in at]  # nullable columns left to NULL
    head = lock_and_head()

    def rows_with_hash() -> Iterator[tuple[Any, ...]]:
        nonlocal head
        for values in rows:
            row = {c: values[i] for c, i in at.items()}
            for f in missing:
                row[f] = None
            head = link(head, row)
            yield (*values, head)

    return (*columns, "chain_hash"), rows_with_hash()


@dataclass(frozen=True)
class Break:
    event_id: int
    reason: str


@dataclass(frozen=True)
class Result:
    checked: int
    unchained: int  # rows written before the chain existed (empty hash), all at the start
    first_id: int | None
    last_id: int | None
    head: str
    broken: Break | None


def rows(after_id: int = 0, batch: int = 5000) -> Iterator[dict[str, Any]]:
    """Audit rows in id order, as dicts of CONTENT_FIELDS + id + chain_hash."""
    from yanglao.core.models import AuditEvent

    fields = ("id", "chain_hash", *CONTENT_FIELDS)
    last = after_id
    while True:
        chunk = list(AuditEvent.objects.filter(id__gt=last).order_by("id").values(*fields)[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1]["id"]


def verify(*, after_id: int = 0, anchor: str | None = None) -> Result:
    """Walk the chain in id order. Rows before the first hashed row are counted as
    `unchained` (written before migration 0004); an empty hash after it is a break.
    `after_id` and `anchor` resume from a previously verified (or exported) row."""
    previous = anchor
    checked = unchained = 0
    first_id = last_id = None
    for row in rows(after_id):
        if first_id is None:
            first_id = row["id"]
        last_id = row["id"]
        stored = row["chain_hash"]
        if previous is None:
            if not stored:
                unchained += 1
                continue
            previous = GENESIS
        if not stored:
            return Result(
                checked, unchained, first_id, last_id, previous, Break(row["id"], "缺少哈希")
            )
        expected = link(previous, row)
        if stored != expected:
            reason = "内容或顺序与哈希不符（本行或其前一行被修改、删除或插入）"
            return Result(checked, unchained, first_id, last_id, previous, Break(row["id"], reason))
        previous = stored
        checked += 1
    return Result(checked, unchained, first_id, last_id, previous or GENESIS, None)
