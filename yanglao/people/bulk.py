"""The ledger's bulk writer: the one place where many people are written at once.

DESIGN "One writer per table": the ledger import does not write people's tables itself; it
stages its rows and calls `merge_staged`, which writes households, people, contacts and tags
in a handful of set-based statements, writes one audit row per person (each with its own
region, so a county auditor sees exactly their county's rows) and sends the life-event hooks
(registered, moved, categories changed) so the other modules follow — all in the caller's
transaction. The demo generator (people.generator) is the other bulk path and audits the same
way.

The staging table is the caller's; its contract (columns read here):
    batch_id, status ('new' | 'update'), row_no, person_id (update), public_id (new),
    region_id (residence; also 户籍地 of new people — the ledger file has no 户籍 column yet),
    name, sex, birth_date, ethnicity, id_number_cipher, id_number_hash,
    id_number_masked, education, marital_status, living_arrangement, medical_payment,
    income_sources, address, phone_cipher, phone_hash, phone_masked, household_no,
    categories (comma-separated tags to open), c{1,2}_name, c{1,2}_relation,
    c{1,2}_phone_cipher, c{1,2}_phone_masked, changes (JSON, masked field → [old, new]).
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from yanglao.core.audit import Action, Entry, audit_many
from yanglao.core.bulk import adapt, insert_rows, is_postgres
from yanglao.people import hooks, search
from yanglao.people.choices import TagSource
from yanglao.people.generator import TAG_COLUMNS
from yanglao.people.models import (
    EmergencyContact,
    Household,
    Person,
    PersonCategory,
    tail_index,
)

if TYPE_CHECKING:
    from yanglao.accounts.models import User


@dataclass(frozen=True)
class Staged:
    """Which staged rows to write: `table` WHERE batch_id = `batch_id`."""

    table: str
    batch_id: int
    reference_date: date  # start date of the tags the rows open
    note: str  # shown on the tags and in the audit rows, e.g. "导入批次 12"


def _sql(statement: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def _rows(statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return list(cursor.fetchall())


def _uuid(value: Any) -> str:
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


KEYS_TABLE = "people_stage_search_keys"
TAILS_TABLE = "people_stage_tails"


def _search_lookups(s_table: str, batch: int) -> tuple[str, str]:
    """Temporary tables the merge joins for the derived search columns: each distinct staged
    name → its search_keys, and every possible last four characters → its blind index
    (11,000 rows: 0000–9999 and 000X–999X), so no row is written twice."""
    names = [
        n
        for (n,) in _rows(
            f"SELECT DISTINCT name FROM {s_table} WHERE batch_id = %s "
            "AND status IN ('new', 'update')",
            [batch],
        )
    ]
    _sql(f"CREATE TEMPORARY TABLE {KEYS_TABLE} (name varchar(50) PRIMARY KEY, search_keys text)")
    insert_rows(KEYS_TABLE, ("name", "search_keys"), [(n, search.search_keys(n)) for n in names])
    _sql(f"CREATE TEMPORARY TABLE {TAILS_TABLE} (tail varchar(4) PRIMARY KEY, bucket smallint)")
    insert_rows(
        TAILS_TABLE,
        ("tail", "bucket"),
        [
            (t, tail_index(t))
            for t in itertools.chain(
                (f"{i:04d}" for i in range(10_000)), (f"{i:03d}X" for i in range(1_000))
            )
        ],
    )
    return KEYS_TABLE, TAILS_TABLE


def _tail_of(masked: str, tails: str) -> str:
    """SQL: the blind index of a masked number's last four characters (NULL if masked)."""
    return (
        f"(SELECT t.bucket FROM {tails} t WHERE t.tail = substr({masked}, length({masked}) - 3, 4))"
    )


def merge_staged(
    *,
    actor: User,
    staged: Staged,
    via: str,
    on_step: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write the staged 'new' and 'update' rows into the ledger. Must run inside the caller's
    transaction (which also holds the caller's checks): all or nothing."""
    s_table, person, household = staged.table, Person._meta.db_table, Household._meta.db_table
    contact_table = EmergencyContact._meta.db_table
    batch = staged.batch_id
    now = adapt(timezone.now())
    today = timezone.localdate()
    written: dict[str, int] = {}

    def step(name: str) -> None:
        if on_step is not None:
            on_step(name)

    # 1. Households named by 户号 that the village does not have yet.
    new_uuid = "gen_random_uuid()" if is_postgres() else "lower(hex(randomblob(16)))"
    written["households"] = _sql(
        f"INSERT INTO {household} (public_id, region_id, household_no, address) "
        f"SELECT {new_uuid}, d.region_id, d.household_no, d.address FROM ("
        f"  SELECT region_id, household_no, MIN(address) AS address FROM {s_table} "
        "   WHERE batch_id = %s AND status IN ('new', 'update') AND household_no <> '' "
        "   GROUP BY region_id, household_no) d "
        f"WHERE NOT EXISTS (SELECT 1 FROM {household} h "
        "  WHERE h.region_id = d.region_id AND h.household_no = d.household_no)",
        [batch],
    )
    step("households")

    # 2. New people, with their search columns (people.search) from the lookup tables.
    keys, tails = _search_lookups(s_table, batch)
    written["new"] = _sql(
        f"INSERT INTO {person} (public_id, name, sex, birth_date, ethnicity, id_number_cipher, "
        "id_number_hash, id_number_masked, education, living_arrangement, marital_status, "
        "medical_payment, income_sources, region_id, household_region_id, address, phone_cipher, "
        "phone_hash, phone_masked, household_id, life_status, status_date, status_reason, version, "
        "created_at, updated_at, created_by_id, search_keys, id_tail, phone_tail) "
        "SELECT s.public_id, s.name, s.sex, s.birth_date, s.ethnicity, s.id_number_cipher, "
        "s.id_number_hash, s.id_number_masked, s.education, s.living_arrangement, "
        "s.marital_status, s.medical_payment, s.income_sources, s.region_id, s.region_id, "
        "s.address, "
        "s.phone_cipher, s.phone_hash, s.phone_masked, h.id, 'alive', NULL, '', 1, %s, %s, %s, "
        f"COALESCE(k.search_keys, ''), {_tail_of('s.id_number_masked', tails)}, "
        f"{_tail_of('s.phone_masked', tails)} "
        f"FROM {s_table} s LEFT JOIN {household} h "
        "  ON h.region_id = s.region_id AND h.household_no = s.household_no "
        "  AND s.household_no <> '' "
        f"LEFT JOIN {keys} k ON k.name = s.name "
        "WHERE s.batch_id = %s AND s.status = 'new' ORDER BY s.region_id, s.row_no",
        [now, now, actor.pk, batch],
    )
    step("new")

    # 3. Changed people. A changed village is a move (people.hooks.persons_moved): read the
    # old villages before they are overwritten.
    moves = [
        hooks.Moved(pid, old, new, today)
        for pid, old, new in _rows(
            f"SELECT p.id, p.region_id, s.region_id FROM {s_table} s "
            f"JOIN {person} p ON p.id = s.person_id "
            "WHERE s.batch_id = %s AND s.status = 'update' AND p.region_id <> s.region_id",
            [batch],
        )
    ]
    # Every compared column comes from the staged row, which already holds the ledger's
    # value wherever the file's cell was blank.
    written["updated"] = _sql(
        f"UPDATE {person} SET name = s.name, sex = s.sex, birth_date = s.birth_date, "
        "ethnicity = s.ethnicity, region_id = s.region_id, address = s.address, "
        "education = s.education, marital_status = s.marital_status, "
        "living_arrangement = s.living_arrangement, medical_payment = s.medical_payment, "
        "income_sources = s.income_sources, phone_cipher = s.phone_cipher, "
        "phone_hash = s.phone_hash, phone_masked = s.phone_masked, "
        f"search_keys = COALESCE((SELECT k.search_keys FROM {keys} k WHERE k.name = s.name), ''), "
        f"id_tail = {_tail_of(person + '.id_number_masked', tails)}, "
        f"phone_tail = {_tail_of('s.phone_masked', tails)}, "
        f"household_id = COALESCE((SELECT h.id FROM {household} h WHERE h.region_id = s.region_id "
        f"  AND h.household_no = s.household_no AND s.household_no <> ''), {person}.household_id), "
        f"version = {person}.version + 1, updated_at = %s "
        f"FROM {s_table} s WHERE s.batch_id = %s AND s.status = 'update' "
        f"AND {person}.id = s.person_id",
        [now, batch],
    )
    step("updated")
    _sql(f"DROP TABLE {keys}")
    _sql(f"DROP TABLE {tails}")

    # 4. Emergency contacts: replaced for updated people whose file gives contacts.
    _sql(
        f"DELETE FROM {contact_table} WHERE person_id IN ("
        f"SELECT person_id FROM {s_table} WHERE batch_id = %s AND status = 'update' "
        "AND c1_name <> '')",
        [batch],
    )
    contacts = 0
    for n in (1, 2):
        contacts += _sql(
            f"INSERT INTO {contact_table} "
            "(person_id, position, name, relation, phone_cipher, phone_masked) "
            f"SELECT p.id, {n}, s.c{n}_name, s.c{n}_relation, s.c{n}_phone_cipher, "
            f"s.c{n}_phone_masked FROM {s_table} s JOIN {person} p "
            "  ON p.id_number_hash = s.id_number_hash "
            f"WHERE s.batch_id = %s AND s.status IN ('new', 'update') AND s.c{n}_name <> ''",
            [batch],
        )
    written["contacts"] = contacts
    step("contacts")

    # 5. Who was written, with their ids, villages and the tags to open (never ended here).
    people = _rows(
        f"SELECT p.id, p.public_id, p.name, p.region_id, s.status, s.row_no, s.categories, "
        f"s.changes FROM {s_table} s JOIN {person} p ON p.id_number_hash = s.id_number_hash "
        "WHERE s.batch_id = %s AND s.status IN ('new', 'update') ORDER BY s.row_no",
        [batch],
    )
    start = adapt(staged.reference_date)
    tags = [
        (pid, cat, "", start, None, TagSource.IMPORT.value, staged.note, now, actor.pk)
        for pid, *_, cats, _ in people
        if cats
        for cat in cats.split(",")
    ]
    written["tags"] = insert_rows(PersonCategory._meta.db_table, TAG_COLUMNS, tags)
    step("tags")

    # 6. One audit row per person, each with its own region.
    for status, action in (
        ("new", Action.PERSON_BULK_CREATE),
        ("update", Action.PERSON_BULK_UPDATE),
    ):
        audit_many(
            actor=actor,
            action=action,
            object_type="person",
            entries=(
                Entry(
                    object_id=_uuid(public_id),
                    object_label=name,
                    region_code=region,
                    changes={
                        "via": via,
                        "source": staged.note,
                        "row": row_no,
                        "tags": cats,
                        **({"changed": _json(changes) or {}} if status == "update" else {}),
                    },
                )
                for _, public_id, name, region, row_status, row_no, cats, changes in people
                if row_status == status
            ),
        )
    step("audit")

    # 7. The other modules follow, in this transaction.
    ctx = hooks.EventContext(actor=actor, today=today, via=via, note=staged.note)
    hooks.persons_registered.send(
        ctx, [hooks.Registered(p[0], p[3]) for p in people if p[4] == "new"]
    )
    hooks.persons_moved.send(ctx, moves)
    hooks.categories_changed.send(
        ctx,
        [
            hooks.CategoryChanged(pid, region, cat, True, staged.reference_date)
            for pid, _, _, region, _, _, cats, _ in people
            if cats
            for cat in cats.split(",")
        ],
    )
    step("hooks")
    return written
