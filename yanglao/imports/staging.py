"""Validation of a ledger import on PostgreSQL: stage every line with COPY, classify in SQL.

DESIGN "Bulk writes", issue 16. Per chunk of lines, Python does only what SQL cannot: read
the cells (check digits, dates, coded values, villages — `rules.check_row`), encrypt and
hash the identifiers (one cipher object and one draw of nonces per chunk), and COPY the
chunk into the staging table as `new` or `rejected`, with a bit mask of the compared fields
whose cell was filled (`given`) and a digest of the row's content. Then a few set-based
statements over the batch's staged rows decide what only the whole file and the ledger can:

1. duplicates in the file (same ID number hash): a later line with the first one's content
   → `duplicate`; with other content → `rejected`, and the first line too;
2. the person is already in the ledger: (a) outside the uploader's jurisdiction, or dead or
   moved out → `rejected`; (b) otherwise the ledger's values where the file's cell was blank,
   the changed fields → `update` (with `changes`) or `unchanged`;
3. emergency contacts of people already in the ledger are compared in Python (their phone
   numbers are encrypted with random nonces: only decryption can compare them), and the
   cells of lines rejected in SQL are read again from the file and encrypted, as the
   errors workbook needs them.

The outcome (status, errors and changes of every line) is the one `services._Validator`
computes line by line, which SQLite keeps using; the import tests run on both.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection

from yanglao.core import crypto, idnumber
from yanglao.imports.rules import VillageIndex, below_local_age, check_row
from yanglao.people.models import EmergencyContact, Household, Person, PersonCategory
from yanglao.people.policy import MinAgeTable
from yanglao.regions.idprefix import is_known_prefix
from yanglao.regions.models import Region

# The ledger fields an import compares with a person already registered, in this order.
COMPARED = (
    "name",
    "sex",
    "birth_date",
    "ethnicity",
    "region_id",
    "address",
    "phone_hash",
    "household_no",
    "education",
    "marital_status",
    "living_arrangement",
    "medical_payment",
    "income_sources",
)
CHANGE_LABELS = {
    "name": "姓名",
    "sex": "性别",
    "birth_date": "出生日期",
    "ethnicity": "民族",
    "region_id": "村（社区）",
    "address": "详细住址",
    "phone_hash": "联系电话",
    "household_no": "户号",
    "education": "文化程度",
    "marital_status": "婚姻状况",
    "living_arrangement": "居住情况",
    "medical_payment": "医疗费用支付方式",
    "income_sources": "经济来源",
    "categories": "人员类别",
    "contacts": "紧急联系人",
}
# Which mapped column makes which ledger field part of the comparison.
FIELD_OF = {
    "village_code": "region_id",
    "village_name": "region_id",
    "phone": "phone_hash",
}
# Column key → its bit in ImportRow.given.
GIVEN_BIT = {
    key: 1 << i
    for i, f in enumerate(COMPARED)
    for key in ([k for k, g in FIELD_OF.items() if g == f] or [f])
}

STAGING_COLUMNS = (
    "batch_id",
    "row_no",
    "status",
    "errors",
    "raw_cipher",
    "person_id",
    "person_version",
    "public_id",
    "region_id",
    "name",
    "sex",
    "birth_date",
    "ethnicity",
    "id_number_cipher",
    "id_number_hash",
    "id_number_masked",
    "education",
    "marital_status",
    "living_arrangement",
    "medical_payment",
    "income_sources",
    "address",
    "phone_cipher",
    "phone_hash",
    "phone_masked",
    "household_no",
    "categories",
    "c1_name",
    "c1_relation",
    "c1_phone_cipher",
    "c1_phone_masked",
    "c2_name",
    "c2_relation",
    "c2_phone_cipher",
    "c2_phone_masked",
    "changes",
)
PG_COLUMNS = (*STAGING_COLUMNS, "given", "digest")

DUPLICATE_MESSAGE = "与第{}行完全相同，已忽略"
CONFLICT_MESSAGE = "与第{}行身份证号码相同但内容不同，请核对后只保留一行"
OTHER_COUNTY_MESSAGE = (
    "此人已在{}登记，不在您的管辖范围内，未导入（如已迁入本地，请原登记地先办理迁出）"
)
CLOSED_MESSAGE = "此人已登记为{}{}，不能通过导入修改"
SCOPE_MESSAGE = "村（社区）不在您的管辖范围内"


def mask_any(text: str) -> str:
    """Whatever was typed in the ID column, shown on the preview without the middle digits."""
    t = idnumber.normalise(text)
    if len(t) < 8:
        return "*" * len(t)
    return (t[:6] + "*" * (len(t) - 10) + t[-4:])[:18]


def json_text(value: Any) -> str:
    """JSON text for a staged column; the empty cases (almost every row) without encoding."""
    if not value:
        return "[]" if isinstance(value, list) else "{}"
    return json.dumps(value, ensure_ascii=False, default=str)


# -- per chunk: the checks SQL cannot do -----------------------------------------------------


@dataclass
class StageContext:
    """What checking a chunk needs; built once per validation (and inherited by workers)."""

    batch_id: int
    mapping: dict[int, str]
    villages: VillageIndex
    today: date
    floor: int  # lowest registration age in the uploader's jurisdiction
    min_ages: MinAgeTable
    ranges: Sequence[tuple[str, str]]  # the uploader's edit jurisdiction
    labels: Callable[[str], str]  # field key → the file's title of its column
    cache: dict[tuple[str, str], tuple[object, str | None]] = field(default_factory=dict)

    def cell(self, cells: list[str], key: str) -> str:
        for i, k in self.mapping.items():
            if k == key and i < len(cells):
                return cells[i].strip()
        return ""

    def rejected(self, row_no: int, cells: list[str], errors: Sequence[tuple[str, str]]) -> Any:
        """The staged row of a rejected line, its cells still to be encrypted (`raw`)."""
        return (
            row_no,
            json_text([[self.labels(k) if k else "", m] for k, m in errors]),
            json.dumps(cells, ensure_ascii=False),
            self.cell(cells, "name")[:50],
            mask_any(self.cell(cells, "id_number")),
        )


def _digest(parts: tuple[Any, ...]) -> int:
    """A stable 64-bit digest of a line's content (the same in every worker process)."""
    raw = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(raw, "big", signed=True)


def stage_rows(rows: Sequence[tuple[int, list[str]]], ctx: StageContext) -> list[tuple[Any, ...]]:
    """Check a chunk of lines; the rows to COPY into the staging table (PG_COLUMNS)."""
    valid = []
    rejected = []
    for row_no, cells in rows:
        check = check_row(
            cells,
            ctx.mapping,
            villages=ctx.villages,
            today=ctx.today,
            min_age=ctx.floor,
            known_prefix=is_known_prefix,
            cache=ctx.cache,
        )
        if check.blank:
            continue
        d = check.data
        too_young = (
            below_local_age(d, ctx.min_ages.for_region, ctx.today) if d is not None else None
        )
        if too_young:
            check.errors.append(("birth_date", too_young))
            d = None
        if d is None:
            rejected.append(ctx.rejected(row_no, cells, check.errors))
        elif not any(low <= d.region_code <= high for low, high in ctx.ranges):
            rejected.append(ctx.rejected(row_no, cells, [("village_name", SCOPE_MESSAGE)]))
        else:
            valid.append((row_no, check, d))

    # The identifiers of the whole chunk at once: one keyed state, one cipher, one nonce draw.
    n = len(valid)
    ids = [d.id_number for _, _, d in valid]
    phones = [d.phone for _, _, d in valid]
    c1 = [d.contacts[0].phone if d.contacts else "" for _, _, d in valid]
    c2 = [d.contacts[1].phone if len(d.contacts) > 1 else "" for _, _, d in valid]
    id_hashes = crypto.lookup_hash_many(ids)
    phone_hashes = crypto.lookup_hash_many(phones)
    ciphers = crypto.encrypt_many([*ids, *phones, *c1, *c2, *(r[2] for r in rejected)])
    uuids = os.urandom(16 * n)
    batch = ctx.batch_id
    out: list[tuple[Any, ...]] = []
    for i, (row_no, check, d) in enumerate(valid):
        contacts = [(c.name, c.relation, c.phone) for c in d.contacts]
        k1 = contacts[0] if contacts else ("", "", "")
        k2 = contacts[1] if len(contacts) > 1 else ("", "", "")
        given = 0
        for key in check.given:
            given |= GIVEN_BIT.get(key, 0)
        content = (
            d.name,
            d.sex,
            d.birth_date,
            d.ethnicity,
            d.region_code,
            d.address,
            d.phone,
            d.household_no,
            d.education,
            d.marital_status,
            d.living_arrangement,
            d.medical_payment,
            d.income_sources,
            contacts,
            check.categories,
        )
        out.append(
            (
                batch,
                row_no,
                "new",
                "[]",
                "",
                None,
                None,
                uuid.UUID(bytes=uuids[16 * i : 16 * i + 16], version=4),
                d.region_code,
                d.name,
                d.sex,
                d.birth_date,
                d.ethnicity,
                ciphers[i],
                id_hashes[i],
                idnumber.mask(d.id_number),
                d.education,
                d.marital_status,
                json_text(sorted(d.living_arrangement)),
                json_text(sorted(d.medical_payment)),
                json_text(sorted(d.income_sources)),
                d.address,
                ciphers[n + i],
                phone_hashes[i],
                crypto.mask_phone(d.phone),
                d.household_no,
                ",".join(check.categories),
                k1[0],
                k1[1],
                ciphers[2 * n + i] if k1[0] else "",
                crypto.mask_phone(k1[2]) if k1[0] else "",
                k2[0],
                k2[1],
                ciphers[3 * n + i] if k2[0] else "",
                crypto.mask_phone(k2[2]) if k2[0] else "",
                "{}",
                given,
                _digest(content),
            )
        )
    for j, (row_no, errors, _, name, masked) in enumerate(rejected):
        out.append(_rejected_row(batch, row_no, errors, ciphers[4 * n + j], name, masked))
    return out


def _rejected_row(
    batch: int, row_no: int, errors: str, raw: str, name: str, masked: str
) -> tuple[Any, ...]:
    values: dict[str, Any] = {
        "batch_id": batch,
        "row_no": row_no,
        "status": "rejected",
        "errors": errors,
        "raw_cipher": raw,
        "person_id": None,
        "person_version": None,
        "public_id": None,
        "birth_date": None,
        "name": name,
        "id_number_masked": masked,
        "living_arrangement": "[]",
        "medical_payment": "[]",
        "income_sources": "[]",
        "changes": "{}",
        "given": 0,
        "digest": None,
    }
    return tuple(values.get(c, "") for c in PG_COLUMNS)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Validation allocates millions of short-lived rows and no cycles: with the default
    thresholds the collector ran a full pass over the whole process (Django, the region
    tree) every ~70,000 allocations, a third of the validation's time (measured at
    100,000 lines: 16 s → 11 s). The objects alive now are set aside (gc.freeze) and the
    young generation is collected less often, until the staging is done."""
    import gc

    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


# -- several processes, each COPYing its own chunks ----------------------------------------

_WORKER_CONTEXT: StageContext | None = None  # set before the fork, inherited by the workers


def _stage_and_copy(rows: Sequence[tuple[int, list[str]]]) -> int:
    """In a worker: check a chunk and COPY it, in the worker's own connection and
    transaction; only the number of lines goes back to the parent."""
    from django.db import transaction

    from yanglao.core.bulk import insert_rows

    assert _WORKER_CONTEXT is not None
    staged = stage_rows(rows, _WORKER_CONTEXT)
    with transaction.atomic():
        insert_rows(_TABLE, PG_COLUMNS, staged)
    return len(rows)


def stage_in_workers(
    chunks: Iterator[list[tuple[int, list[str]]]],
    ctx: StageContext,
    workers: int,
    progress: Callable[[int], None],
) -> None:
    """Check and stage the chunks in `workers` forked processes. The parent only reads the
    file and hands out raw cells (at most two chunks per worker waiting)."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

    from django.db import connections

    global _WORKER_CONTEXT
    _WORKER_CONTEXT = ctx
    connections.close_all()  # children must not share the parent's socket
    pending: set[Future[int]] = set()
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for chunk in chunks:
                if len(pending) >= 2 * workers:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for f in done:
                        progress(f.result())
                pending.add(pool.submit(_stage_and_copy, chunk))
            for f in pending:
                progress(f.result())
    finally:
        _WORKER_CONTEXT = None


# -- over the whole batch: the checks SQL does ----------------------------------------------

_TABLE = "imports_importrow"
# A rejected or duplicate line keeps only its number, name, masked number and errors.
_BLANK = (
    "person_id = NULL, person_version = NULL, public_id = NULL, region_id = '', name = '', "
    "sex = '', birth_date = NULL, ethnicity = '', id_number_cipher = '', id_number_hash = '', "
    "id_number_masked = '', education = '', marital_status = '', living_arrangement = '[]', "
    "medical_payment = '[]', income_sources = '[]', address = '', phone_cipher = '', "
    "phone_hash = '', phone_masked = '', household_no = '', categories = '', c1_name = '', "
    "c1_relation = '', c1_phone_cipher = '', c1_phone_masked = '', c2_name = '', "
    "c2_relation = '', c2_phone_cipher = '', c2_phone_masked = '', changes = '{}', given = 0, "
    "digest = NULL"
)


def _sql(statement: str, params: dict[str, Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def _error(message_sql: str) -> str:
    """SQL: the errors column of a line rejected for its ID number."""
    return f"jsonb_build_array(jsonb_build_array(%(id_label)s::text, {message_sql}))"


def _message(template: str, *parts_sql: str) -> str:
    """SQL concatenating a message template's literal pieces and the given expressions."""
    pieces = template.split("{}")
    assert len(pieces) == len(parts_sql) + 1
    out = [_literal(pieces[0])]
    for part, piece in zip(parts_sql, pieces[1:], strict=True):
        out += [f"({part})::text", _literal(piece)]
    return " || ".join(out)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _scope_sql(column: str, ranges: Sequence[tuple[str, str]], params: dict[str, Any]) -> str:
    """SQL: `column` in the jurisdiction (compared as Python compares the codes)."""
    parts = []
    for i, (low, high) in enumerate(ranges):
        params[f"low{i}"], params[f"high{i}"] = low, high
        parts.append(f'{column} COLLATE "C" BETWEEN %(low{i})s AND %(high{i})s')
    return "(" + (" OR ".join(parts) or "FALSE") + ")"


def classify(
    *,
    batch_id: int,
    ranges: Sequence[tuple[str, str]],
    id_label: str,
    want_tags: bool,
) -> None:
    """Steps 1 and 2 of the module docstring, over the batch's staged `new` rows."""
    t = _TABLE
    person, household = Person._meta.db_table, Household._meta.db_table
    params: dict[str, Any] = {"b": batch_id, "id_label": id_label}
    # 1. Duplicates in the file. Only ID numbers staged more than once are looked at.
    _sql(
        f"WITH d AS ("
        f"  SELECT s.id, s.row_no, s.digest, first_value(s.id) OVER w AS first_id, "
        "     first_value(s.row_no) OVER w AS first_row, "
        "     first_value(s.digest) OVER w AS first_digest "
        f"  FROM {t} s WHERE s.batch_id = %(b)s AND s.status = 'new' AND s.id_number_hash IN ("
        f"    SELECT id_number_hash FROM {t} WHERE batch_id = %(b)s AND status = 'new' "
        "     GROUP BY id_number_hash HAVING COUNT(*) > 1) "
        "  WINDOW w AS (PARTITION BY s.id_number_hash ORDER BY s.row_no)), "
        "c AS (SELECT first_id, MIN(row_no) AS conflict FROM d WHERE id <> first_id "
        "  AND digest IS DISTINCT FROM first_digest GROUP BY first_id), "
        f"firsts AS (UPDATE {t} s SET status = 'rejected', "
        f"  errors = {_error(_message(CONFLICT_MESSAGE, 'c.conflict'))}, {_BLANK} "
        "  FROM c WHERE s.id = c.first_id) "
        f"UPDATE {t} s SET "
        "  status = CASE WHEN d.digest = d.first_digest THEN 'duplicate' ELSE 'rejected' END, "
        "  errors = CASE WHEN d.digest = d.first_digest "
        f"    THEN {_error(_message(DUPLICATE_MESSAGE, 'd.first_row'))} "
        f"    ELSE {_error(_message(CONFLICT_MESSAGE, 'd.first_row'))} END, {_BLANK} "
        "FROM d WHERE s.id = d.id AND d.id <> d.first_id",
        params,
    )
    # 2a. Registered in a county outside the uploader's jurisdiction (never moved by an
    # import), or dead or moved out (not revived by an import). One pass over the ledger.
    inside = _scope_sql("p.region_id", ranges, params)
    county = "COALESCE(r.name, left(p.region_id, 6))"
    state = "CASE WHEN p.life_status = 'deceased' THEN '死亡' ELSE '迁出' END"
    when = "COALESCE('（' || to_char(p.status_date, 'YYYY-MM-DD') || '）', '')"
    _sql(
        f"UPDATE {t} s SET status = 'rejected', errors = CASE WHEN NOT {inside} "
        f"  THEN {_error(_message(OTHER_COUNTY_MESSAGE, county))} "
        f"  ELSE {_error(_message(CLOSED_MESSAGE, state, when))} END, {_BLANK} "
        f"FROM {person} p LEFT JOIN {Region._meta.db_table} r "
        "  ON r.code = left(p.region_id, 6) || '000000' "
        "WHERE s.batch_id = %(b)s AND s.status = 'new' AND p.id_number_hash = s.id_number_hash "
        f"AND (NOT {inside} OR p.life_status <> 'alive')",
        params,
    )
    # 2b. Everyone else already registered: blank cells keep the ledger's value; what differs
    # is listed in `changes` (phone numbers masked), which decides update or unchanged.
    merged, changes = [], []
    for i, f in enumerate(COMPARED):
        given = f"(s.given & {1 << i}) <> 0"
        ledger = "COALESCE(h.household_no, '')" if f == "household_no" else f"p.{f}"
        merged.append(f"CASE WHEN {given} THEN s.{f} ELSE {ledger} END AS {f}")
        old, new = ledger, f"s.{f}"
        if f == "birth_date":
            old, new = f"to_char({old}, 'YYYY-MM-DD')", f"to_char({new}, 'YYYY-MM-DD')"
        elif f == "phone_hash":
            old, new = "p.phone_masked", "s.phone_masked"
        changes.append(
            f"CASE WHEN {given} AND s.{f} IS DISTINCT FROM {ledger} THEN jsonb_build_object("
            f"{_literal(CHANGE_LABELS[f])}::text, jsonb_build_array({old}, {new})) "
            "ELSE '{}'::jsonb END"
        )
    phone = f"(s.given & {GIVEN_BIT['phone']}) <> 0"
    tags_join, categories = "", "s.categories"
    if want_tags:
        # Tags already open are not added again; the change shows the open tags before and after.
        tags_join = (
            'CROSS JOIN LATERAL (SELECT ARRAY(SELECT DISTINCT c.category::text COLLATE "C" '
            f"  FROM {PersonCategory._meta.db_table} c "
            "  WHERE c.person_id = p.id AND c.end_date IS NULL ORDER BY 1) AS open) o "
            "CROSS JOIN LATERAL (SELECT ARRAY(SELECT u.tag FROM unnest("
            "  string_to_array(s.categories, ',')) WITH ORDINALITY u(tag, i) "
            "  WHERE u.tag <> ALL(o.open) ORDER BY u.i) AS added) a "
        )
        categories = "array_to_string(a.added, ',')"
        changes.append(
            "CASE WHEN cardinality(a.added) > 0 THEN jsonb_build_object('人员类别'::text, "
            'jsonb_build_array(to_jsonb(o.open), to_jsonb(ARRAY(SELECT DISTINCT x COLLATE "C" '
            "FROM unnest(o.open || a.added) x ORDER BY 1)))) ELSE '{}'::jsonb END"
        )
    assigned = ", ".join(f"{f} = m.{f}" for f in COMPARED)
    _sql(
        f"UPDATE {t} u SET "
        "status = CASE WHEN m.changes = '{}'::jsonb THEN 'unchanged' ELSE 'update' END, "
        "person_id = m.pid, person_version = m.version, public_id = NULL, "
        f"id_number_cipher = '', {assigned}, phone_cipher = m.phone_cipher, "
        "phone_masked = m.phone_masked, categories = m.categories, changes = m.changes "
        f"FROM (SELECT s.id AS sid, p.id AS pid, p.version, {', '.join(merged)}, "
        f"  CASE WHEN {phone} THEN s.phone_cipher ELSE p.phone_cipher END AS phone_cipher, "
        f"  CASE WHEN {phone} THEN s.phone_masked ELSE p.phone_masked END AS phone_masked, "
        f"  {categories} AS categories, {' || '.join(changes)} AS changes "
        f"  FROM {t} s JOIN {person} p ON p.id_number_hash = s.id_number_hash "
        f"  LEFT JOIN {household} h ON h.id = p.household_id {tags_join}"
        "  WHERE s.batch_id = %(b)s AND s.status = 'new') m "
        "WHERE u.id = m.sid",
        params,
    )


def compare_contacts(batch_id: int, chunk: int = 5_000) -> None:
    """Step 3a: a registered person's emergency contacts are replaced only when the file's
    differ from the ledger's first ones; otherwise the staged contacts are cleared."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, person_id, c1_name, c1_relation, c1_phone_cipher, c2_name, "
            f"c2_relation, c2_phone_cipher, changes FROM {_TABLE} WHERE batch_id = %s "
            "AND status IN ('update', 'unchanged') AND c1_name <> '' ORDER BY id",
            [batch_id],
        )
        staged = cursor.fetchall()
    for start in range(0, len(staged), chunk):
        part = staged[start : start + chunk]
        ledger: dict[int, list[tuple[str, str, str]]] = {}
        for c in EmergencyContact.objects.filter(person_id__in=[r[1] for r in part]).order_by(
            "person_id", "position"
        ):
            ledger.setdefault(c.person_id, []).append((c.name, c.relation, c.phone))
        replaced, kept = [], []
        for sid, pid, n1, r1, p1, n2, r2, p2, changes in part:
            contacts = [(n1, r1, crypto.decrypt(p1))]
            if n2:
                contacts.append((n2, r2, crypto.decrypt(p2)))
            old = ledger.get(pid, [])
            changes = changes if isinstance(changes, dict) else json.loads(changes)
            if contacts != old[: len(contacts)]:
                changes[CHANGE_LABELS["contacts"]] = [[c[0] for c in old], [c[0] for c in contacts]]
                replaced.append((json_text(changes), sid))
            else:
                kept.append(("update" if changes else "unchanged", sid))
        with connection.cursor() as cursor:
            if replaced:
                cursor.executemany(
                    f"UPDATE {_TABLE} SET status = 'update', changes = %s::jsonb WHERE id = %s",
                    replaced,
                )
            if kept:
                cursor.executemany(
                    f"UPDATE {_TABLE} SET status = %s, c1_name = '', c1_relation = '', "
                    "c1_phone_cipher = '', c1_phone_masked = '', c2_name = '', c2_relation = '', "
                    "c2_phone_cipher = '', c2_phone_masked = '' WHERE id = %s",
                    kept,
                )


def rejected_in_sql(batch_id: int) -> list[int]:
    """Lines rejected by the statements above: their cells are not staged yet."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT row_no FROM {_TABLE} WHERE batch_id = %s AND status = 'rejected' "
            "AND raw_cipher = '' ORDER BY row_no",
            [batch_id],
        )
        return [r[0] for r in cursor.fetchall()]


def keep_cells(
    batch_id: int, wanted: Sequence[int], rows: Iterator[tuple[int, list[str]]], ctx: StageContext
) -> None:
    """Step 3b: the cells of those lines, read again from the file and encrypted."""
    todo = set(wanted)
    last = max(todo, default=0)
    found: list[tuple[int, list[str]]] = []
    for row_no, cells in rows:
        if row_no in todo:
            found.append((row_no, cells))
        if row_no >= last:
            break
    raws = crypto.encrypt_many([json.dumps(cells, ensure_ascii=False) for _, cells in found])
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {_TABLE} SET raw_cipher = %s, name = %s, id_number_masked = %s "
            "WHERE batch_id = %s AND status = 'rejected' AND row_no = %s",
            [
                (
                    raw,
                    ctx.cell(cells, "name")[:50],
                    mask_any(ctx.cell(cells, "id_number")),
                    batch_id,
                    row_no,
                )
                for raw, (row_no, cells) in zip(raws, found, strict=True)
            ],
        )


def counts(batch_id: int) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT status, COUNT(*) FROM {_TABLE} WHERE batch_id = %s GROUP BY status",
            [batch_id],
        )
        return {str(status): int(n) for status, n in cursor.fetchall()}
