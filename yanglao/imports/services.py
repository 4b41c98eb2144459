"""Staged import of a ledger: upload → map columns → validate → preview → commit.

Validation runs as a background task and writes every line to the staging table in chunks.
On PostgreSQL each chunk is COPYed as soon as its lines are checked, and what needs the whole
file or the ledger (duplicates in the file, new / update / unchanged) is decided afterwards in
SQL (imports.staging); SQLite decides line by line here (_Validator). The commit is a handful of set-based statements in ONE transaction:
a commit that fails or whose process is killed leaves the ledger exactly as before, and a
committed batch cannot be committed twice (row lock on the batch). Re-uploading a file that
is already in the ledger gives only "unchanged" rows, and committing it writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap
from yanglao.accounts.scoping import WRITE_RECORDS, in_scope, scope_q, scoped, user_ranges
from yanglao.core import crypto, idnumber
from yanglao.core.audit import Action, audit
from yanglao.core.bulk import BackgroundWriter, adapt, is_postgres, job_memory
from yanglao.core.sheets import SheetError, Table, open_table, sniff_kind
from yanglao.imports import staging
from yanglao.imports.models import BatchStatus, ColumnMapping, ImportBatch, ImportRow, RowStatus
from yanglao.imports.rules import RowCheck, Village, VillageIndex, below_local_age, check_row
from yanglao.people import bulk as people_bulk
from yanglao.people import columns as C
from yanglao.people.choices import LifeStatus
from yanglao.people.models import EmergencyContact, Person, PersonCategory
from yanglao.people.policy import MinAgeTable
from yanglao.regions.idprefix import is_known_prefix
from yanglao.regions.models import Level, Region

MAX_UPLOAD_BYTES = 300 * 1024 * 1024
CHUNK = 5_000
# Processes checking and staging chunks on PostgreSQL (imports.staging.stage_in_workers).
# Measured on 2 cores, 200,000 lines, alternating runs: 2 workers 9.0 s vs 1 process 15.4 s
# with a core free; no difference (20.4 s vs 20.1 s, medians of five) on a machine loaded
# by other work. YANGLAO_IMPORT_WORKERS overrides (1: no worker processes).
WORKERS = int(os.environ.get("YANGLAO_IMPORT_WORKERS") or min(os.cpu_count() or 1, 4))
HEAD_ROWS = 12


class ImportInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def _fail(message: str, field: str = "file") -> ImportInvalid:
    return ImportInvalid({field: [message]})


def upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _fingerprint(titles: Sequence[str]) -> str:
    return hashlib.sha256("\x1f".join(titles).encode()).hexdigest()


def _sample(text: str) -> str:
    """Sample cells shown on the mapping page: never a full ID or phone number."""
    t = text.strip()
    if len(t) >= 15 and t[:6].isdigit():
        return idnumber.mask(idnumber.normalise(t)) if len(t) == 18 else t[:4] + "…"
    if len(t) == 11 and t.isdigit():
        return crypto.mask_phone(t)
    return t[:20]


# -- upload and mapping -------------------------------------------------------------------


def batch_upload(
    *, actor: User, upload: UploadedFile, reference_date: date | None = None
) -> ImportBatch:
    if not actor.can(Cap.PERSON_IMPORT) or not user_ranges(actor, WRITE_RECORDS):
        raise Http404
    name = os.path.basename(upload.name or "ledger")[:200]
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise _fail(f"文件超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB，请分成几个文件上传")
    if not upload.size:
        raise _fail("文件是空的")
    if crypto.rehash_in_progress():
        # Staging compares lookup hashes row by row; it waits until `keys_rotate` is done.
        raise _fail("系统正在更换身份证号码查找算法（密钥轮换），暂停导入，请稍后再试")
    head = upload.read(8)
    upload.seek(0)
    try:
        kind = sniff_kind(head, name)
    except SheetError as e:
        raise _fail(str(e)) from None
    path = upload_dir() / f"{uuid.uuid4().hex}.{kind}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        # Only a look at the first rows here (the web request); the worker parses the file.
        table = open_table(path, name, head_rows=HEAD_ROWS + 3)
        head_rows = [row for _, row in zip(range(HEAD_ROWS + 3), table.rows, strict=False)]
    except SheetError as e:
        path.unlink(missing_ok=True)
        raise _fail(str(e)) from None
    header = C.find_header(head_rows, table.merged)
    if header is None:
        path.unlink(missing_ok=True)
        raise _fail("在文件前10行中找不到表头（如“姓名”“身份证号码”），请检查是否选错了文件")
    titles = [t or f"第{i + 1}列" for i, t in enumerate(header.titles)]
    data_rows = head_rows[header.row + 1 : header.row + 4]
    samples = [[_sample(r[i]) if i < len(r) else "" for r in data_rows] for i in range(len(titles))]
    remembered = ColumnMapping.objects.filter(user=actor, fingerprint=_fingerprint(titles)).first()
    if remembered is not None:
        mapping = remembered.mapping
    else:
        mapping = {str(i): k for i, k in C.guess_mapping(titles).items()}
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            created_by=actor,
            file_name=name,
            file_kind=kind,
            file_size=upload.size or 0,
            encoding=table.encoding,
            stored_path=str(path),
            header_row=header.row,
            headers=titles,
            samples=samples,
            mapping=mapping,
            reference_date=reference_date or timezone.localdate(),
        )
        audit(
            actor=actor,
            action=Action.IMPORT_UPLOAD,
            object_type="import_batch",
            object_id=str(batch.public_id),
            object_label=name,
            changes={"size": batch.file_size, "kind": kind, "remembered_mapping": bool(remembered)},
        )
    return batch


def _own(actor: User, batch: ImportBatch) -> None:
    """A batch is its uploader's; anyone else gets 404 (the rows hold personal data)."""
    if batch.created_by_id != actor.pk:
        raise Http404


def batch_map(
    *, actor: User, batch: ImportBatch, mapping: dict[int, str], reference_date: date | None = None
) -> ImportBatch:
    """Confirm the column mapping (remembered for this header layout) and start validation."""
    _own(actor, batch)
    if batch.status not in (BatchStatus.UPLOADED, BatchStatus.VALIDATED, BatchStatus.FAILED):
        raise _fail("该批次当前不能修改列对应关系", "mapping")
    valid = {c.key for c in C.COLUMNS} | {C.IGNORE, ""}
    bad = [k for k in mapping.values() if k not in valid]
    if bad or any(i < 0 or i >= len(batch.headers) for i in mapping):
        raise _fail("列对应关系中有无效的字段", "mapping")
    problems = C.mapping_problems(mapping)
    if problems:
        raise ImportInvalid({"mapping": problems})
    clean = {str(i): k for i, k in sorted(mapping.items()) if k}
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        batch.mapping = clean
        if reference_date is not None:
            batch.reference_date = reference_date
        batch.status = BatchStatus.VALIDATING
        batch.processed_rows = 0
        batch.message = ""
        batch.save()
        ColumnMapping.objects.update_or_create(
            user=actor,
            fingerprint=_fingerprint(batch.headers),
            defaults={"mapping": clean},
        )
        audit(
            actor=actor,
            action=Action.IMPORT_VALIDATE,
            object_type="import_batch",
            object_id=str(batch.public_id),
            object_label=batch.file_name,
            changes={"mapping": {batch.headers[int(i)]: k for i, k in clean.items()}},
        )
        from yanglao.imports.tasks import validate_task

        batch_id = batch.pk
        transaction.on_commit(lambda: validate_task.enqueue(batch_id))
    return batch


def batch_cancel(*, actor: User, batch: ImportBatch) -> None:
    _own(actor, batch)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status in (BatchStatus.COMMITTED, BatchStatus.COMMITTING):
            raise _fail("已提交的批次不能取消", "status")
        batch.status = BatchStatus.CANCELLED
        batch.save(update_fields=["status"])
        ImportRow.objects.filter(batch=batch).delete()
        audit(
            actor=actor,
            action=Action.IMPORT_CANCEL,
            object_type="import_batch",
            object_id=str(batch.public_id),
            object_label=batch.file_name,
        )
    _remove_file(batch)


def _remove_file(batch: ImportBatch) -> None:
    if batch.stored_path:
        Path(batch.stored_path).unlink(missing_ok=True)
        ImportBatch.objects.filter(pk=batch.pk).update(stored_path="")


# -- validation -----------------------------------------------------------------------------


def _villages(actor: User) -> VillageIndex:
    qs = Region.objects.filter(level=Level.VILLAGE, valid_to__isnull=True)
    rows = scoped(qs, actor, WRITE_RECORDS, field="code").values_list(
        "code", "name", "parent__name"
    )
    villages = [Village(code, name, township or "") for code, name, township in rows]
    names: dict[str, str | None] = {}  # a file of another county repeats the same codes

    def elsewhere(code: str) -> str | None:
        if code not in names:
            r = Region.objects.filter(code=code, level=Level.VILLAGE).values_list("name").first()
            names[code] = r[0] if r else None
        return names[code]

    return VillageIndex(villages, elsewhere)


_COMPARED = staging.COMPARED
_CHANGE_LABELS = staging.CHANGE_LABELS
_FIELD_OF = staging.FIELD_OF


@dataclass
class _Existing:
    id: int
    version: int
    region_id: str
    life_status: str
    status_date: date | None
    values: dict[str, Any]
    phone_cipher: str
    phone_masked: str
    open_tags: set[str]
    contacts: list[tuple[str, str, str]]  # name, relation, phone


def _existing(hashes: list[str], want_tags: bool, want_contacts: bool) -> dict[str, _Existing]:
    out: dict[str, _Existing] = {}
    rows = Person.objects.filter(id_number_hash__in=hashes).values(
        "id",
        "id_number_hash",
        "version",
        "life_status",
        "status_date",
        "phone_cipher",
        "phone_masked",
        "household__household_no",
        *[f for f in _COMPARED if f != "household_no"],
    )
    for r in rows:
        values = {f: r[f] for f in _COMPARED if f != "household_no"}
        values["household_no"] = r["household__household_no"] or ""
        out[r["id_number_hash"]] = _Existing(
            id=r["id"],
            version=r["version"],
            region_id=r["region_id"],
            life_status=r["life_status"],
            status_date=r["status_date"],
            values=values,
            phone_cipher=r["phone_cipher"],
            phone_masked=r["phone_masked"],
            open_tags=set(),
            contacts=[],
        )
    ids = {e.id: e for e in out.values()}
    if want_tags and ids:
        for pid, cat in PersonCategory.objects.filter(
            person_id__in=list(ids), end_date__isnull=True
        ).values_list("person_id", "category"):
            ids[pid].open_tags.add(cat)
    if want_contacts and ids:
        for c in EmergencyContact.objects.filter(person_id__in=list(ids)).order_by(
            "person_id", "position"
        ):
            ids[c.person_id].contacts.append((c.name, c.relation, c.phone))
    return out


def _label(key: str, batch: ImportBatch) -> str:
    """The file's own title for a field's column, else the canonical header."""
    for i, k in batch.mapping.items():
        if k == key:
            return str(batch.headers[int(i)])
    col = C.BY_KEY.get(key)
    return col.header if col else ""


def _open_stored(batch: ImportBatch) -> Table:
    """The stored upload; an xlsx passed `check_xlsx` when it was uploaded (batch_upload),
    so it is parsed without decompressing it once more for the check."""
    return open_table(Path(batch.stored_path), batch.file_name, checked=True)


def _data_rows(batch: ImportBatch, rows: Iterable[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """(row number as Excel shows it, cells) after the header."""
    for index, cells in enumerate(rows):
        if index > batch.header_row:
            yield index + 1, cells


STAGING_COLUMNS = staging.STAGING_COLUMNS


@dataclass(slots=True)
class _Keys:
    """A valid row's protected forms, computed with its check."""

    id_hash: str
    id_cipher: str
    id_masked: str
    phone_hash: str
    phone_cipher: str
    phone_masked: str
    contact_ciphers: tuple[str, str]


@dataclass(slots=True)
class _Checked:
    row_no: int
    cells: list[str]
    check: RowCheck
    keys: _Keys | None


@dataclass
class _PrepState:
    mapping: dict[int, str]
    villages: VillageIndex
    today: date
    floor: int
    min_ages: MinAgeTable


def _chunks(
    rows: Iterator[tuple[int, list[str]]], size: int
) -> Iterator[list[tuple[int, list[str]]]]:
    chunk: list[tuple[int, list[str]]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _prepare_chunk(rows: list[tuple[int, list[str]]], state: _PrepState) -> list[_Checked]:
    """The database-free part of validation: check each line, encrypt what is valid.

    Measured: handing this to a process pool was slower on 2 cores (pickling each checked
    row back to the writer cost more than the checks), so it runs in-process."""
    out: list[_Checked] = []
    for row_no, cells in rows:
        check = check_row(
            cells,
            state.mapping,
            villages=state.villages,
            today=state.today,
            min_age=state.floor,
            known_prefix=is_known_prefix,
        )
        if check.blank:
            continue
        d = check.data
        too_young = (
            below_local_age(d, state.min_ages.for_region, state.today) if d is not None else None
        )
        if too_young:
            check.errors.append(("birth_date", too_young))
            check.data = d = None
        keys = None
        if d is not None:
            contacts = [c.phone for c in d.contacts] + ["", ""]
            keys = _Keys(
                id_hash=crypto.lookup_hash(d.id_number),
                id_cipher=crypto.encrypt(d.id_number),
                id_masked=idnumber.mask(d.id_number),
                phone_hash=crypto.lookup_hash(d.phone),
                phone_cipher=crypto.encrypt(d.phone),
                phone_masked=crypto.mask_phone(d.phone),
                contact_ciphers=(crypto.encrypt(contacts[0]), crypto.encrypt(contacts[1])),
            )
        out.append(_Checked(row_no, cells, check, keys))
    return out


class _Validator:
    def __init__(self, batch: ImportBatch):
        self.batch = batch
        self.actor: User = batch.created_by
        self.mapping = {int(i): k for i, k in batch.mapping.items()}
        self.mapped = set(self.mapping.values())
        self.ranges = user_ranges(self.actor, WRITE_RECORDS)
        self.county_names: dict[str, str] = {}
        self.villages = _villages(self.actor)
        self.today = batch.reference_date
        self.min_ages = MinAgeTable(self.today)
        self.pg = is_postgres()
        self.seen: dict[str, tuple[int, int]] = {}  # id hash → (first row, content digest)
        self.conflicts: dict[int, int] = {}  # first row → a later row contradicting it
        self.counts = {s.value: 0 for s in RowStatus}
        self.total = 0

    def in_scope(self, code: str) -> bool:
        return in_scope(self.actor, code, WRITE_RECORDS)

    def county_name(self, code: str) -> str:
        county = code[:6] + "000000"
        if county not in self.county_names:
            r = Region.objects.filter(code=county).values_list("name").first()
            self.county_names[county] = r[0] if r else code[:6]
        return self.county_names[county]

    def run(self) -> None:
        ImportRow.objects.filter(batch=self.batch).delete()
        # Read once: the conflict pass goes over the same parsed sheet again (an xlsx is
        # neither decompressed nor parsed a second time).
        table = _open_stored(self.batch)
        if self.pg:
            self._run_pg(table)
            return
        self._check_all(self.min_ages.lowest_within(self.ranges), table.rows)
        if self.conflicts:
            self._mark_conflicts(self._again(table))

    def _again(self, table: Table) -> Iterable[list[str]]:
        return table.again() if table.again else _open_stored(self.batch).rows

    def _run_pg(self, sheet: Table) -> None:
        """PostgreSQL: each chunk COPYed as checked, then classified in SQL (imports.staging)."""
        labels: dict[str, str] = {}

        def label(key: str) -> str:
            if key not in labels:
                labels[key] = _label(key, self.batch)
            return labels[key]

        ctx = staging.StageContext(
            batch_id=self.batch.pk,
            mapping=self.mapping,
            villages=self.villages,
            today=self.today,
            floor=self.min_ages.lowest_within(self.ranges),
            min_ages=self.min_ages,
            ranges=self.ranges,
            labels=label,
        )
        table = ImportRow._meta.db_table

        def progress(lines: int) -> None:
            self.total += lines
            ImportBatch.objects.filter(pk=self.batch.pk).update(processed_rows=self.total)

        chunks = _chunks(_data_rows(self.batch, sheet.rows), CHUNK)
        with staging.fewer_collections():
            # Workers see only committed rows: inside a transaction, stage in this process.
            if WORKERS > 1 and not connection.in_atomic_block:
                staging.stage_in_workers(chunks, ctx, WORKERS, progress)
            else:  # the COPY runs in the writer thread while the next chunk is checked
                with BackgroundWriter() as bg:
                    for chunk in chunks:
                        bg.submit((table, staging.PG_COLUMNS, staging.stage_rows(chunk, ctx)))
                        progress(len(chunk))
        with transaction.atomic():
            job_memory()  # the duplicate search and the joins hash a million rows in memory
            staging.classify(
                batch_id=self.batch.pk,
                ranges=self.ranges,
                id_label=label("id_number"),
                want_tags="categories" in self.mapped,
            )
            staging.compare_contacts(self.batch.pk)
        wanted = staging.rejected_in_sql(self.batch.pk)
        if wanted:
            staging.keep_cells(
                self.batch.pk, wanted, _data_rows(self.batch, self._again(sheet)), ctx
            )
        self.counts.update(staging.counts(self.batch.pk))
        self.total = sum(self.counts.values())

    def _check_all(self, floor: int, rows: Iterable[list[str]]) -> None:
        state = _PrepState(
            mapping=self.mapping,
            villages=self.villages,
            today=self.today,
            floor=floor,
            min_ages=self.min_ages,
        )
        with BackgroundWriter() as self.bg:
            for chunk in _chunks(_data_rows(self.batch, rows), CHUNK):
                self._write(_prepare_chunk(chunk, state))

    def _write(self, chunk: list[_Checked]) -> None:
        if not chunk:
            return
        hashes = [c.keys.id_hash for c in chunk if c.keys is not None]
        existing = _existing(
            hashes,
            want_tags="categories" in self.mapped,
            want_contacts=bool(self.mapped & {"contact1_name", "contact1_phone"}),
        )
        rows = [self._stage(c, existing) for c in chunk]
        self.bg.submit((ImportRow._meta.db_table, STAGING_COLUMNS, rows))
        self.total += len(chunk)
        ImportBatch.objects.filter(pk=self.batch.pk).update(processed_rows=self.total)

    def _reject(
        self, row_no: int, cells: list[str], errors: list[tuple[str, str]]
    ) -> tuple[Any, ...]:
        self.counts[RowStatus.REJECTED] += 1
        titled = [[_label(k, self.batch) if k else "", m] for k, m in errors]
        raw = crypto.encrypt(json.dumps(cells, ensure_ascii=False))
        return self._row(
            row_no,
            RowStatus.REJECTED,
            errors=titled,
            raw=raw,
            name=self._cell(cells, "name")[:50],
            id_number_masked=_mask_any(self._cell(cells, "id_number")),
        )

    def _cell(self, cells: list[str], key: str) -> str:
        for i, k in self.mapping.items():
            if k == key and i < len(cells):
                return cells[i].strip()
        return ""

    def _row(self, row_no: int, status: str, **kw: Any) -> tuple[Any, ...]:
        values: dict[str, Any] = {
            "batch_id": self.batch.pk,
            "row_no": row_no,
            "status": status,
            "errors": _json(kw.pop("errors", [])),
            "raw_cipher": kw.pop("raw", ""),
            "person_id": None,
            "person_version": None,
            "public_id": None,
            "birth_date": None,
            "living_arrangement": "[]",
            "medical_payment": "[]",
            "income_sources": "[]",
            "changes": "{}",
        }
        values.update(kw)
        if self.pg:  # psycopg adapts uuid and date itself
            return tuple(values.get(c, "") for c in STAGING_COLUMNS)
        return tuple(adapt(values.get(c, "")) for c in STAGING_COLUMNS)

    def _stage(self, c: _Checked, existing: dict[str, _Existing]) -> tuple[Any, ...]:
        row_no, cells, check, keys = c.row_no, c.cells, c.check, c.keys
        if check.data is None or keys is None:
            return self._reject(row_no, cells, check.errors)
        d = check.data
        id_hash = keys.id_hash
        if not self.in_scope(d.region_code):
            return self._reject(row_no, cells, [("village_name", "村（社区）不在您的管辖范围内")])
        new_values: dict[str, Any] = {
            "name": d.name,
            "sex": d.sex,
            "birth_date": d.birth_date,
            "ethnicity": d.ethnicity,
            "region_id": d.region_code,
            "address": d.address,
            "phone_hash": keys.phone_hash,
            "household_no": d.household_no,
            "education": d.education,
            "marital_status": d.marital_status,
            "living_arrangement": sorted(d.living_arrangement),
            "medical_payment": sorted(d.medical_payment),
            "income_sources": sorted(d.income_sources),
        }
        contacts = [(c.name, c.relation, c.phone) for c in d.contacts]
        # Only compared within this run: Python's own hash of the values is enough.
        digest = hash(
            (
                tuple((k, str(v)) for k, v in new_values.items()),
                tuple(contacts),
                tuple(check.categories),
            )
        )
        first = self.seen.get(id_hash)
        if first is not None:
            if first[1] == digest:
                self.counts[RowStatus.DUPLICATE] += 1
                return self._row(
                    row_no,
                    RowStatus.DUPLICATE,
                    errors=[[_label("id_number", self.batch), f"与第{first[0]}行完全相同，已忽略"]],
                )
            self.conflicts.setdefault(first[0], row_no)
            return self._reject(
                row_no,
                cells,
                [("id_number", f"与第{first[0]}行身份证号码相同但内容不同，请核对后只保留一行")],
            )
        self.seen[id_hash] = (row_no, digest)

        ex = existing.get(id_hash)
        status = RowStatus.NEW
        changes: dict[str, list[Any]] = {}
        given = check.given
        phone_cipher, phone_masked = "", ""
        tags = list(check.categories)
        if ex is not None:
            if not self.in_scope(ex.region_id):
                return self._reject(
                    row_no,
                    cells,
                    [
                        (
                            "id_number",
                            f"此人已在{self.county_name(ex.region_id)}登记，不在您的管辖范围内，"
                            "未导入（如已迁入本地，请原登记地先办理迁出）",
                        )
                    ],
                )
            if ex.life_status != LifeStatus.ALIVE:
                state = "死亡" if ex.life_status == LifeStatus.DECEASED else "迁出"
                when = f"（{ex.status_date:%Y-%m-%d}）" if ex.status_date else ""
                return self._reject(
                    row_no, cells, [("id_number", f"此人已登记为{state}{when}，不能通过导入修改")]
                )
            # Blank cells never erase what the ledger holds: keep the ledger's value.
            for key in _COMPARED:
                column_keys = [k for k, f in _FIELD_OF.items() if f == key] or [key]
                if not (given & set(column_keys)):
                    new_values[key] = ex.values[key]
                elif new_values[key] != ex.values[key]:
                    changes[key] = [_shown(key, ex.values[key]), _shown(key, new_values[key])]
            if "phone" not in given:
                phone_cipher, phone_masked = ex.phone_cipher, ex.phone_masked
            elif "phone_hash" in changes:
                changes["phone_hash"] = [ex.phone_masked, crypto.mask_phone(d.phone)]
            tags = [t for t in tags if t not in ex.open_tags]
            if tags:
                changes["categories"] = [sorted(ex.open_tags), sorted(ex.open_tags | set(tags))]
            if contacts and contacts != ex.contacts[: len(contacts)]:
                changes["contacts"] = [[c[0] for c in ex.contacts], [c[0] for c in contacts]]
            else:
                contacts = []  # the same as the ledger's, or none given: keep the ledger's
            status = RowStatus.UPDATE if changes else RowStatus.UNCHANGED
            changes = {_CHANGE_LABELS.get(k, k): v for k, v in changes.items()}
        if not phone_cipher and "phone_hash" in new_values and (ex is None or "phone" in given):
            phone_cipher, phone_masked = keys.phone_cipher, keys.phone_masked
        self.counts[status] += 1
        c1 = contacts[0] if contacts else ("", "", "")
        c2 = contacts[1] if len(contacts) > 1 else ("", "", "")
        return self._row(
            row_no,
            status,
            person_id=ex.id if ex else None,
            person_version=ex.version if ex else None,
            public_id=uuid.uuid4() if ex is None else None,
            region_id=new_values["region_id"],
            name=new_values["name"],
            sex=new_values["sex"],
            birth_date=new_values["birth_date"],
            ethnicity=new_values["ethnicity"],
            id_number_cipher=keys.id_cipher if ex is None else "",
            id_number_hash=id_hash,
            id_number_masked=keys.id_masked,
            education=new_values["education"],
            marital_status=new_values["marital_status"],
            living_arrangement=_json(new_values["living_arrangement"]),
            medical_payment=_json(new_values["medical_payment"]),
            income_sources=_json(new_values["income_sources"]),
            address=new_values["address"],
            phone_cipher=phone_cipher,
            phone_hash=new_values["phone_hash"],
            phone_masked=phone_masked,
            household_no=new_values["household_no"],
            categories=",".join(tags),
            c1_name=c1[0],
            c1_relation=c1[1],
            c1_phone_cipher=keys.contact_ciphers[0] if c1[0] else "",
            c1_phone_masked=crypto.mask_phone(c1[2]) if c1[0] else "",
            c2_name=c2[0],
            c2_relation=c2[1],
            c2_phone_cipher=keys.contact_ciphers[1] if c2[0] else "",
            c2_phone_masked=crypto.mask_phone(c2[2]) if c2[0] else "",
            changes=_json(changes),
        )

    def _mark_conflicts(self, rows: Iterable[list[str]]) -> None:
        """The first of several contradicting lines was staged as good: reject it too."""
        if not self.conflicts:
            return
        wanted = self.conflicts
        left = len(wanted)
        for row_no, cells in _data_rows(self.batch, rows):
            if not left:
                break  # every first line is found: the rest of the file is not needed
            if row_no not in wanted:
                continue
            left -= 1
            errors = [
                [
                    _label("id_number", self.batch),
                    f"与第{wanted[row_no]}行身份证号码相同但内容不同，请核对后只保留一行",
                ]
            ]
            row = ImportRow.objects.get(batch=self.batch, row_no=row_no)
            self.counts[row.status] -= 1
            self.counts[RowStatus.REJECTED] += 1
            row.status = RowStatus.REJECTED
            row.errors = errors
            row.raw_cipher = crypto.encrypt(json.dumps(cells, ensure_ascii=False))
            row.save(update_fields=["status", "errors", "raw_cipher"])


_mask_any = staging.mask_any
_json = staging.json_text


def _shown(key: str, value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def batch_validate(batch_id: int) -> None:
    """Task body: check every line, stage it, count the outcomes."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    if batch.status != BatchStatus.VALIDATING:
        return
    started = time.perf_counter()
    v = _Validator(batch)
    try:
        v.run()
    except SheetError as e:
        ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.FAILED, message=str(e))
        return
    except MemoryError:
        # The worker's memory cap (`yanglao worker`, WORKER_MEMORY_MB): this file, not the
        # process, fails; the worker goes on with the next task.
        ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.FAILED, message=TOO_BIG)
        return
    except Exception as e:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.FAILED, message=f"校验中断：{e}"[:500]
        )
        raise
    counts: dict[str, float] = dict(v.counts)
    counts["total"] = v.total
    counts["seconds"] = round(time.perf_counter() - started, 2)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.VALIDATED,
        counts=counts,
        total_rows=v.total,
        processed_rows=v.total,
        validated_at=timezone.now(),
        message="" if v.total else "文件中没有数据行",
    )


# -- commit -----------------------------------------------------------------------------------


class StaleBatch(Exception):
    """The ledger changed after validation: the preview no longer holds."""


def batch_commit_request(*, actor: User, batch: ImportBatch) -> None:
    """Queue the commit (the page shows its progress)."""
    _own(actor, batch)
    if batch.status != BatchStatus.VALIDATED:
        raise _fail("只有校验完成的批次才能提交", "status")
    with transaction.atomic():
        updated = ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.VALIDATED).update(
            status=BatchStatus.COMMITTING, message=""
        )
        if not updated:
            raise _fail("该批次已在提交中或已提交", "status")
        from yanglao.imports.tasks import commit_task

        batch_id, actor_id = batch.pk, actor.pk
        transaction.on_commit(lambda: commit_task.enqueue(batch_id, actor_id))


def batch_commit(
    batch_id: int, actor_id: int, *, on_step: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Merge the staged rows into the ledger: all or nothing. Returns what was written.

    `on_step` is called after each statement (tests kill the process there and check that
    nothing was written).
    """
    actor = User.objects.get(pk=actor_id)
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
            if batch.status == BatchStatus.COMMITTED:
                return dict(batch.counts.get("written", {}))
            if batch.status not in (BatchStatus.COMMITTING, BatchStatus.VALIDATED):
                raise _fail("该批次不能提交", "status")
            if batch.created_by_id != actor.pk:
                raise Http404
            job_memory()  # the ordered insert of the new people sorts in memory, not on disk
            written = _merge(batch, actor, on_step=on_step)
            batch.status = BatchStatus.COMMITTED
            batch.committed_at = timezone.now()
            batch.committed_by = actor
            batch.counts = {**batch.counts, "written": written}
            batch.save(update_fields=["status", "committed_at", "committed_by", "counts"])
            audit(
                actor=actor,
                action=Action.IMPORT_COMMIT,
                object_type="import_batch",
                object_id=str(batch.public_id),
                object_label=batch.file_name,
                changes={"written": written, "counts": batch.counts},
            )
    except (StaleBatch, IntegrityError) as e:
        message = (
            str(e)
            if isinstance(e, StaleBatch)
            else "校验后有人登记了同一身份证号码的老人，请重新校验后再提交"
        )
        ImportBatch.objects.filter(pk=batch_id).update(
            status=BatchStatus.VALIDATED, message=message
        )
        raise StaleBatch(message) from e
    except Exception as e:
        ImportBatch.objects.filter(
            pk=batch_id, status__in=[BatchStatus.COMMITTING, BatchStatus.VALIDATED]
        ).update(status=BatchStatus.VALIDATED, message=f"提交失败，台账未作任何修改：{e}"[:500])
        raise
    _remove_file(batch)
    return written


def _sql(statement: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def _merge(
    batch: ImportBatch, actor: User, *, on_step: Callable[[str], None] | None
) -> dict[str, int]:
    staging = ImportRow._meta.db_table
    person = Person._meta.db_table

    def step(name: str) -> None:
        if on_step is not None:
            on_step(name)

    # The scope is the committer's now, not the uploader's then: a jurisdiction may change.
    inside = scope_q(actor, WRITE_RECORDS)
    writes = ImportRow.objects.filter(batch=batch, status__in=[RowStatus.NEW, RowStatus.UPDATE])
    if inside is None or writes.exclude(inside).exists():
        raise StaleBatch("部分行已不在您的管辖范围内，请重新校验")

    # Optimistic check: every person the preview compared against is as it was then.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {staging} s JOIN {person} p ON p.id = s.person_id "
            "WHERE s.batch_id = %s AND s.status IN ('update', 'unchanged') "
            "AND (p.version <> s.person_version OR p.life_status <> 'alive')",
            [batch.pk],
        )
        changed = cursor.fetchone()[0]
    if changed:
        raise StaleBatch(f"校验后台账中有 {changed} 人的信息被修改，请重新校验后再提交")
    step("checked")
    # The ledger's own bulk writer writes, audits per person and sends the life-event hooks.
    return people_bulk.merge_staged(
        actor=actor,
        staged=people_bulk.Staged(
            table=staging,
            batch_id=batch.pk,
            reference_date=batch.reference_date,
            note=f"导入批次 {batch.pk}",
        ),
        via="import",
        on_step=on_step,
    )


def batches_expire(*, days: int = 7) -> int:
    """Cancel imports left unfinished for `days`: delete the uploaded file and the staged rows
    (personal data kept no longer than the work needs, PIPL art. 19). Returns how many."""
    from datetime import timedelta

    cutoff = timezone.now() - timedelta(days=days)
    stale = ImportBatch.objects.filter(
        created_at__lt=cutoff,
        status__in=[
            BatchStatus.UPLOADED,
            BatchStatus.VALIDATING,
            BatchStatus.VALIDATED,
            BatchStatus.FAILED,
        ],
    )
    n = 0
    for batch in stale:
        with transaction.atomic():
            ImportRow.objects.filter(batch=batch).delete()
            ImportBatch.objects.filter(pk=batch.pk).update(
                status=BatchStatus.CANCELLED, message=f"超过{days}天未提交，已自动取消"
            )
            audit(
                actor=None,
                action=Action.IMPORT_CANCEL,
                object_type="import_batch",
                object_id=str(batch.public_id),
                object_label=batch.file_name,
                changes={"reason": f"expired after {days} days"},
            )
        _remove_file(batch)
        n += 1
    return n


# -- recovery after a killed worker -----------------------------------------------------------

# Not in core.audit.Action (another change owns that module): the audit page shows the code.
RECOVER_ACTION = "import.recover"
RECOVERED_COMMIT = (
    "提交过程被意外中断（处理进程停止或数据库连接断开），台账未作任何修改，可重新提交或取消"
)
RECOVERED_VALIDATION = "校验过程被意外中断，已重新排队校验"
TOO_BIG = "文件过大：校验时超出后台处理进程的内存上限，请把文件拆成几个较小的文件分批导入"
GAVE_UP_VALIDATION = (
    "校验过程已 {} 次被意外中断，不再自动重试（多为文件过大，超出后台处理进程的内存上限）："
    "请把文件拆成几个较小的文件分批导入，仍不行请联系系统管理员"
)
# A validation that killed its worker this often (out of memory: a native parser aborts instead
# of raising MemoryError) is not queued again, or it would kill every worker in turn.
MAX_LOST_VALIDATIONS = 2


def _tasks_for(batch_id: int, task_name: str) -> Any:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=f"yanglao.imports.tasks.{task_name}", args_kwargs__args__0=batch_id
    )


def _is_live(batch_id: int, task_name: str, cutoff: Any) -> bool:
    """A task of the batch is queued, or started after `cutoff` (may still be running)."""
    from django_tasks_db.compat import TaskResultStatus

    tasks = _tasks_for(batch_id, task_name)
    if tasks.filter(status=TaskResultStatus.READY).exists():
        return True
    return tasks.filter(status=TaskResultStatus.RUNNING, started_at__gte=cutoff).exists()


WORKER_LOST = "yanglao.imports.services.WorkerLost"


def _abandon(batch_id: int, task_name: str) -> None:
    """Tasks left RUNNING by a dead worker are marked failed, so they stop looking alive."""
    from django_tasks_db.compat import TaskResultStatus

    _tasks_for(batch_id, task_name).filter(status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=WORKER_LOST,
        traceback="worker stopped while running the task",
    )


def batches_recover(*, minutes: int = 10) -> dict[str, int]:
    """Give back batches a dead worker left behind (run by the scheduler and at worker start).

    提交中 with no queued task and no task started within `minutes`, and no transaction
    holding the batch row (a live commit locks it) → 待提交 with a Chinese message, audited;
    the killed transaction wrote nothing, so it can be committed again or cancelled.
    校验中 likewise → validated again from the start (validation is repeatable)."""
    from datetime import timedelta

    cutoff = timezone.now() - timedelta(minutes=minutes)
    done = {"committing": 0, "validating": 0, "failed": 0}
    for batch_id in ImportBatch.objects.filter(status=BatchStatus.COMMITTING).values_list(
        "pk", flat=True
    ):
        if _is_live(batch_id, "commit_task", cutoff):
            continue
        with transaction.atomic():
            batch = (
                ImportBatch.objects.select_for_update(skip_locked=True)
                .filter(pk=batch_id, status=BatchStatus.COMMITTING)
                .first()
            )
            if batch is None:  # committed meanwhile, or a live commit holds the row
                continue
            batch.status = BatchStatus.VALIDATED
            batch.message = RECOVERED_COMMIT
            batch.save(update_fields=["status", "message"])
            _abandon(batch_id, "commit_task")
            audit(
                actor=None,
                action=RECOVER_ACTION,
                object_type="import_batch",
                object_id=str(batch.public_id),
                object_label=batch.file_name,
                changes={"status": [BatchStatus.COMMITTING, BatchStatus.VALIDATED]},
            )
        done["committing"] += 1
    for batch_id in ImportBatch.objects.filter(status=BatchStatus.VALIDATING).values_list(
        "pk", flat=True
    ):
        if _is_live(batch_id, "validate_task", cutoff):
            continue
        from yanglao.imports.tasks import validate_task

        with transaction.atomic():
            batch = (
                ImportBatch.objects.select_for_update(skip_locked=True)
                .filter(pk=batch_id, status=BatchStatus.VALIDATING)
                .first()
            )
            if batch is None:
                continue
            _abandon(batch_id, "validate_task")
            lost = (
                _tasks_for(batch_id, "validate_task")
                .filter(exception_class_path=WORKER_LOST)
                .count()
            )
            if lost >= MAX_LOST_VALIDATIONS:
                batch.status = BatchStatus.FAILED
                batch.message = GAVE_UP_VALIDATION.format(lost)
                batch.save(update_fields=["status", "message"])
                audit(
                    actor=None,
                    action=RECOVER_ACTION,
                    object_type="import_batch",
                    object_id=str(batch.public_id),
                    object_label=batch.file_name,
                    changes={"status": [BatchStatus.VALIDATING, BatchStatus.FAILED]},
                )
                done["failed"] += 1
                continue
            batch.message = RECOVERED_VALIDATION
            batch.save(update_fields=["message"])
            audit(
                actor=None,
                action=RECOVER_ACTION,
                object_type="import_batch",
                object_id=str(batch.public_id),
                object_label=batch.file_name,
                changes={"status": [BatchStatus.VALIDATING, BatchStatus.VALIDATING]},
            )
            transaction.on_commit(partial(validate_task.enqueue, batch_id))
        done["validating"] += 1
    return done
