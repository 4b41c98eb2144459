"""The audit hash chain (issue 15): every row chained, breaks found with their first id."""

from __future__ import annotations

import io
import json
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from yanglao.core import chain
from yanglao.core.audit import Entry, audit, audit_many
from yanglao.core.context import RequestContext, current
from yanglao.core.models import AuditEvent
from yanglao.core.tests.pg import IS_POSTGRES, requires_postgres

pytestmark = pytest.mark.django_db


def _write_some() -> list[int]:
    with transaction.atomic():
        audit(actor=None, action="test.one", object_id="1", changes={"a": [1, 2.0]})
        audit_many(
            actor=None,
            action="test.bulk",
            object_type="person",
            entries=[
                Entry(
                    object_id=str(i),
                    object_label=f"张{i}",
                    region_code="110101",
                    changes={"d": date(2026, 11, 30), "f": 1.5, "n": None},
                )
                for i in range(3)
            ],
        )
    audit(actor=None, action="auth.login_failed", changes={"username": "𠀀〇"})
    return list(AuditEvent.objects.order_by("id").values_list("id", flat=True))


def _tamper(sql: str, params: list[str | int]) -> None:
    """Change the table behind the application's back, as a superuser could."""
    with connection.cursor() as cursor:
        if IS_POSTGRES:
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_change")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
            # (the test database has no delete trigger on SQLite: see conftest.django_db_setup)
        cursor.execute(sql, params)
        if IS_POSTGRES:
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_no_change")


def test_single_and_bulk_rows_form_one_unbroken_chain() -> None:
    ids = _write_some()
    hashes = list(AuditEvent.objects.order_by("id").values_list("chain_hash", flat=True))
    assert len(ids) == 5 and all(len(h) == 64 for h in hashes) and len(set(hashes)) == 5
    result = chain.verify()
    assert result.broken is None
    assert (result.checked, result.first_id, result.last_id, result.head) == (
        5,
        ids[0],
        ids[-1],
        hashes[-1],
    )


def test_first_row_links_to_genesis() -> None:
    with transaction.atomic():
        event = audit(actor=None, action="test.one")
    row = AuditEvent.objects.filter(pk=event.pk).values("chain_hash", *chain.CONTENT_FIELDS)[0]
    assert row["chain_hash"] == chain.link(chain.GENESIS, row)


@pytest.mark.parametrize(
    ("how", "bad"),
    [
        ("update", 2),  # a changed row breaks at itself
        ("delete", 3),  # a deleted row breaks at the next one
        ("rehash", 3),  # a row rewritten with a fresh hash breaks the next link
    ],
)
def test_verify_names_the_first_bad_row(how: str, bad: int) -> None:
    ids = _write_some()
    target = ids[2]
    if how == "update":
        _tamper("UPDATE core_auditevent SET object_label = %s WHERE id = %s", ["李四", target])
    elif how == "delete":
        _tamper("DELETE FROM core_auditevent WHERE id = %s", [target])
    else:  # the attacker even recomputes this row's hash correctly
        row = AuditEvent.objects.filter(pk=target).values(*chain.CONTENT_FIELDS)[0]
        row["object_label"] = "李四"
        previous = AuditEvent.objects.get(pk=ids[1]).chain_hash
        _tamper(
            "UPDATE core_auditevent SET object_label = %s, chain_hash = %s WHERE id = %s",
            ["李四", chain.link(previous, row), target],
        )
    result = chain.verify()
    assert result.broken is not None and result.broken.event_id == ids[bad]
    with pytest.raises(CommandError, match=f"id={ids[bad]}"):
        call_command("audit_verify", stdout=io.StringIO())


def test_a_forged_row_appended_without_the_chain_is_found() -> None:
    ids = _write_some()
    forged = AuditEvent(action="test.forged", chain_hash="0" * 64)
    forged.save()
    result = chain.verify()
    assert result.broken is not None and result.broken.event_id == forged.pk > ids[-1]


def test_rows_before_the_chain_are_counted_not_broken() -> None:
    AuditEvent(action="test.legacy").save()  # as written before migration 0004
    _write_some()
    result = chain.verify()
    assert result.broken is None and (result.unchained, result.checked) == (1, 5)
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "审计链完整：已校验 5 条" in out.getvalue() and "无哈希）：1 条" in out.getvalue()


def test_verify_resumes_from_an_anchor() -> None:
    ids = _write_some()
    anchor = AuditEvent.objects.get(pk=ids[1]).chain_hash
    assert chain.verify(after_id=ids[1], anchor=anchor).checked == 3
    assert chain.verify(after_id=ids[1], anchor="1" * 64).broken.event_id == ids[2]  # type: ignore[union-attr]
    with pytest.raises(CommandError, match="--anchor"):
        call_command("audit_verify", "--after-id", str(ids[1]))


@pytest.mark.parametrize(
    ("changes", "ip"),
    [
        ({"x": 100.0, "y": [1.0, 2.5]}, "2001:DB8:0:0::1"),  # floats jsonb gives back as ints
        ({"when": datetime(2026, 11, 30, tzinfo=UTC), "d": date(2026, 1, 2)}, "10.0.0.1"),
        ({"名": "𠀀", "nested": {"b": 1, "a": [None, True]}}, None),
        ({}, "::ffff:10.0.0.1"),
    ],
)
def test_hash_survives_the_database_round_trip(changes: dict, ip: str | None) -> None:
    token = current.set(RequestContext(request_id="r1", ip=ip))
    try:
        with transaction.atomic():
            audit(actor=None, action="test.one", changes=changes)
            audit_many(
                actor=None,
                action="test.bulk",
                object_type="x",
                entries=[Entry(object_id="1", changes=changes)],
            )
    finally:
        current.reset(token)
    assert chain.verify().broken is None


def test_export_writes_json_lines_with_hashes_and_resumes(tmp_path: Path) -> None:
    ids = _write_some()
    out = io.StringIO()
    call_command("audit_export", "--since", str(ids[1]), stdout=out, stderr=io.StringIO())
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [x["id"] for x in lines] == ids[2:]
    assert lines[0]["chain_hash"] == AuditEvent.objects.get(pk=ids[2]).chain_hash
    assert lines[0]["changes"]["d"] == "2026-11-30" and lines[0]["object_label"] == "张1"

    # to a file: two rows, a crash leaves half a line, the next run continues cleanly
    path = tmp_path / "audit.jsonl"
    call_command("audit_export", "--output", str(path), "--limit", "2", stderr=io.StringIO())
    with path.open("a", encoding="utf-8") as f:
        f.write('{"id": 99')
    call_command("audit_export", "--output", str(path), stderr=io.StringIO())
    exported = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in exported] == ids
    # the external store can check the chain from the lines alone
    previous = chain.GENESIS
    for row in exported:
        assert row["chain_hash"] == chain.link(previous, row)
        previous = row["chain_hash"]


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_transactions_appending_at_once_keep_one_chain() -> None:
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for round_ in range(5):
                with transaction.atomic():
                    audit(actor=None, action="test.one", object_id=f"{n}-{round_}")
                    audit_many(
                        actor=None,
                        action="test.bulk",
                        object_type="x",
                        entries=[Entry(object_id=f"{n}-{round_}-{i}") for i in range(50)],
                    )
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    result = chain.verify()
    assert result.broken is None and result.checked == 2 * 5 * 51
    # each transaction's rows are contiguous ids: the chain order is the id order
    object_ids = list(AuditEvent.objects.order_by("id").values_list("object_id", flat=True))
    prefixes = [o.split("-")[0] + o.split("-")[1] for o in object_ids]
    blocks = [p for i, p in enumerate(prefixes) if i == 0 or prefixes[i - 1] != p]
    assert len(blocks) == 10


def test_append_only_triggers_survive_the_chain_migration() -> None:
    # SQLite rebuilds a table to alter it and drops its triggers (migration 0004 restores them)
    with transaction.atomic():
        event = audit(actor=None, action="test.one")
    statements = ["UPDATE core_auditevent SET action = 'x' WHERE id = %s"]
    if IS_POSTGRES:  # the SQLite test database drops its delete trigger (conftest)
        statements.append("DELETE FROM core_auditevent WHERE id = %s")
    for sql in statements:
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])


def test_every_bulk_writer_is_chained_by_insert_rows() -> None:
    # The population generator writes audit rows through insert_rows with its own columns
    # (no actor, no address), not through audit_many: they are chained all the same.
    from django.utils import timezone

    from yanglao.core.bulk import adapt, insert_rows

    columns = (
        "occurred_at",
        "action",
        "object_type",
        "object_id",
        "object_label",
        "region_code",
        "changes",
        "actor_username",
        "request_id",
    )
    now = adapt(timezone.now())
    rows = [
        (now, "person.bulk_create", "person", str(i), "王", "220102", '{"via": "g"}', "", "")
        for i in range(3)
    ]
    with transaction.atomic():
        audit(actor=None, action="test.one")
        assert insert_rows("core_auditevent", columns, rows) == 3
    assert chain.verify().checked == 4
    with pytest.raises(ValueError, match="computed"), transaction.atomic():
        insert_rows("core_auditevent", (*columns, "chain_hash"), [(*rows[0], "0" * 64)])


@pytest.mark.django_db(transaction=True)
def test_bulk_audit_rows_outside_a_transaction_are_refused() -> None:
    from yanglao.core.bulk import insert_rows

    with pytest.raises(RuntimeError, match="transaction"):
        insert_rows("core_auditevent", ("action",), [("x",)])


@pytest.mark.parametrize(
    "changes",
    [
        {},
        None,
        {"row": 7, "via": "import", "tags": ""},
        {"b": 1, "a": {"z": [1, 2.0, 3.5], "y": None}},
        {"date": date(2026, 11, 30), "at": datetime(2026, 11, 30, 8, 1, tzinfo=UTC)},
        {"big": 1e16, "neg": -0.0, "small": 0.1},
        {"名字": "𠀀丽英", "quote": 'a"b\\c\n', "nul": "\u0000"},
        {"tuple": (1, "x"), 3: "int key"},
    ],
)
def test_canonical_changes_hash_as_their_stored_text_would(changes: object) -> None:
    """audit_many hands the chain the canonical text itself (issue 16): it must be what the
    chain would make of the text as stored, so `audit_verify` recomputes the same hash."""
    text = chain.canonical_changes(changes)  # type: ignore[arg-type]
    stored = json.dumps(changes or {}, ensure_ascii=False, default=str)
    assert chain._changes_text(text) == text
    assert text == chain._changes_text(json.dumps(json.loads(stored), default=str))
    row = dict.fromkeys(chain.CONTENT_FIELDS, "") | {
        "occurred_at": datetime(2026, 11, 30, tzinfo=UTC),
        "actor_id": None,
        "ip": None,
    }
    assert chain.canonical({**row, "changes": text}) == chain.canonical(
        {**row, "changes": json.loads(stored)}
    )
