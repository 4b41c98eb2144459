"""Importing a ledger at province scale (issue 3), default 1,000,000 csv rows.

Cases, all in one run on the same empty person table with all its indexes:
- our staged import: full validation (check digits, dates, villages, scope, duplicates,
  encryption) into the staging table, then the set-based commit;
- baseline (a): a raw `COPY` of the very person rows the import wrote — the physical limit;
- (b): a per-row ORM `save()` import of a 10,000-row sample, extrapolated;
- 100,000-row .xlsx: the whole import against just reading the file with python-calamine
  (the rows as calamine gives them, nothing else), beside the csv import of the very same
  rows: the difference between the two is all the xlsx itself costs.
The benchmark file holds the person columns only (no contacts or tags), so the import and
the COPY write the same rows.
"""

from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone

from bench import Result, Timing, say
from yanglao.accounts.models import User
from yanglao.accounts.roles import Role
from yanglao.accounts.services import user_create
from yanglao.core import crypto, idnumber
from yanglao.core.sheets import open_table
from yanglao.imports import services
from yanglao.imports.ledgerfile import HEADER, ledger_rows, write_ledger
from yanglao.imports.models import ImportBatch
from yanglao.people.generator import load_villages
from yanglao.people.models import Person
from yanglao.regions.models import Region
from yanglao.regions.services import regions_load_bundled

SEED = 20261123
COLUMNS = 13  # 序号 … 居住情况: the person's own fields
ORM_SAMPLE = 10_000
XLSX_ROWS = 100_000
STEPS: dict[str, dict[str, float]] = {}
AUDIT_COPY = (
    "occurred_at, actor_id, actor_username, action, object_type, object_id, object_label,"
    " region_code, changes, request_id, ip, chain_hash"
)  # file suffix → commit step → seconds


def _once(fn: Any) -> tuple[Timing, Any]:
    t = time.perf_counter()
    value = fn()
    ms = (time.perf_counter() - t) * 1000
    return Timing(ms, ms, ms, 1), value


def _truncate() -> None:
    with connection.cursor() as c:
        c.execute(
            "TRUNCATE people_person, people_household, people_personcategory, "
            "people_emergencycontact, imports_importrow, imports_importbatch CASCADE"
        )


def _officer() -> User:
    user = User.objects.filter(username="bench_importer").first()
    if user is None:
        user = user_create(
            actor=None,
            username="bench_importer",
            password="Bench-Yanglao-2026",
            role=Role.PROVINCE_OFFICER,
            full_name="基准测试",
            jurisdictions=[("220000000000", "edit")],
        )
    return user


def _import(path: Path, actor: User) -> tuple[Timing, Timing, ImportBatch]:
    with path.open("rb") as f:
        batch = services.batch_upload(actor=actor, upload=File(f, name=path.name))  # type: ignore[arg-type]
    batch.mapping = {str(i): k for i, k in services.C.guess_mapping(batch.headers).items()}
    batch.status = "validating"
    batch.save()
    validate, _ = _once(lambda: services.batch_validate(batch.pk))
    batch.refresh_from_db()
    marks: list[tuple[str, float]] = [("", time.monotonic())]

    def mark(name: str) -> None:
        marks.append((name, time.monotonic()))

    commit, _ = _once(lambda: services.batch_commit(batch.pk, actor.pk, on_step=mark))
    batch.refresh_from_db()
    # Where the commit's time goes: seconds of each step of people.bulk.merge_staged.
    STEPS[path.suffix] = {name: round(t - marks[i][1], 2) for i, (name, t) in enumerate(marks[1:])}
    return validate, commit, batch


def run(people: int, runs: int) -> Result:
    if not Region.objects.exists():
        regions_load_bundled(actor=None)
    actor = _officer()
    villages = load_villages()
    today = timezone.localdate()
    tmp = Path(tempfile.mkdtemp(prefix="yanglao-bench-import-"))
    csv_path = tmp / "ledger.csv"
    say(f"生成 {people:,} 行台账 csv……")
    t = time.perf_counter()
    rows = (r[:COLUMNS] for r in ledger_rows(villages, people, seed=SEED, today=today))
    write_ledger(csv_path, rows, header=HEADER[:COLUMNS])
    say(f"  {time.perf_counter() - t:.1f} s，{csv_path.stat().st_size / 1e6:.0f} MB")

    result = Result(
        name="ledger_import",
        baseline=f"COPY 同样的 {people:,} 行到带全部索引的老年人表",
        meta={"rows": people, "file_mb": round(csv_path.stat().st_size / 1e6, 1)},
    )
    _truncate()
    say("导入（校验 + 提交）……")
    validate, commit, batch = _import(csv_path, actor)
    total = Timing(validate.median_ms + commit.median_ms, 0, 0, 1)
    total.min_ms = total.max_ms = total.median_ms
    written = Person.objects.count()
    result.meta["imported"] = written
    result.meta["counts"] = batch.counts
    result.meta["commit_steps_s"] = STEPS.get(".csv", {})
    say(f"  提交各步（秒）：{result.meta['commit_steps_s']}")

    say("基线：COPY 同样的行……")
    buf = io.BytesIO()
    with connection.cursor() as c, c.cursor.copy("COPY people_person TO STDOUT") as out:
        for block in out:
            buf.write(block)
    # The import also writes one audit row per person (DESIGN "Audit"): the same rows,
    # COPYed into the audit table with its indexes, are the rest of what must be written.
    audit_buf = io.BytesIO()
    with (
        connection.cursor() as c,
        c.cursor.copy(
            f"COPY (SELECT {AUDIT_COPY} FROM core_auditevent WHERE action = %s"
            " AND changes->>'via' = 'import') TO STDOUT",
            ["person.bulk_create"],
        ) as out,
    ):
        for block in out:
            audit_buf.write(block)
    _truncate()
    data = buf.getvalue()
    audit_data = audit_buf.getvalue()

    def copy_in() -> None:
        with (
            transaction.atomic(),
            connection.cursor() as c,
            c.cursor.copy("COPY people_person FROM STDIN") as cp,
        ):
            cp.write(data)

    copy, _ = _once(copy_in)
    result.add(
        "原样 COPY（物理上限，基线）", copy, copy, f"{written / copy.median_ms * 1000:,.0f} 行/秒"
    )

    class Rollback(Exception):
        pass

    def copy_with_audit() -> None:
        try:
            with transaction.atomic(), connection.cursor() as c:
                with c.cursor.copy("COPY people_person FROM STDIN") as cp:
                    cp.write(data)
                with c.cursor.copy(f"COPY core_auditevent ({AUDIT_COPY}) FROM STDIN") as cp:
                    cp.write(audit_data)
                raise Rollback  # the audit table is append-only: its trigger refuses DELETE
        except Rollback:
            pass

    _truncate()
    both, _ = _once(copy_with_audit)
    result.add(
        "下限：同样的人员行＋每人一条审计行 COPY",
        both,
        copy,
        f"本系统导入合计为它的 {total.median_ms / both.median_ms:.1f} 倍",
    )
    result.add("本系统导入：校验（含加密、查重、区划、范围）", validate, copy)
    result.add("本系统导入：提交（集合式写入，一个事务）", commit, copy)
    result.add(
        "本系统导入：合计",
        total,
        copy,
        f"{written / total.median_ms * 1000:,.0f} 行/秒；目标 ≤ 2 倍",
    )

    say(f"逐行 ORM save()，{ORM_SAMPLE:,} 行样本……")
    _truncate()
    table = open_table(csv_path, "ledger.csv")
    sample = [r for _, r in zip(range(ORM_SAMPLE + 1), table.rows, strict=False)][1:]

    def orm() -> None:
        for r in sample:
            number = idnumber.normalise(r[2])
            Person(
                name=r[1],
                sex="M" if r[3] == "男" else "F",
                birth_date=idnumber.birth_date_of(number) or today,
                id_number_cipher=crypto.encrypt(number),
                id_number_hash=crypto.lookup_hash(number),
                id_number_masked=idnumber.mask(number),
                region_id=r[6],
                household_region_id=r[6],
                address=r[8],
                phone_cipher=crypto.encrypt(r[9]),
                phone_hash=crypto.lookup_hash(r[9]),
                phone_masked=crypto.mask_phone(r[9]),
            ).save()

    orm_t, _ = _once(orm)
    scale = people / ORM_SAMPLE
    extrapolated = Timing(
        orm_t.median_ms * scale, orm_t.median_ms * scale, orm_t.median_ms * scale, 1
    )
    result.add(
        f"逐行 ORM save()（{ORM_SAMPLE:,} 行实测，外推到 {people:,} 行）",
        extrapolated,
        copy,
        f"样本 {orm_t.median_ms / 1000:.1f} s，几乎不校验",
    )

    xlsx_rows = min(XLSX_ROWS, people)
    xlsx_path = tmp / "ledger.xlsx"
    say(f"生成 {xlsx_rows:,} 行 xlsx……")
    same_csv = tmp / "ledger-xlsx-rows.csv"
    rows_x = [r[:COLUMNS] for r in ledger_rows(villages, xlsx_rows, seed=SEED + 7, today=today)]
    write_ledger(xlsx_path, iter(rows_x), header=HEADER[:COLUMNS])
    write_ledger(same_csv, iter(rows_x), header=HEADER[:COLUMNS])
    del rows_x

    def calamine_read() -> int:
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(xlsx_path)).get_sheet_by_index(0)
        return sum(1 for _ in sheet.iter_rows())

    read, n = _once(calamine_read)
    ours, _ = _once(lambda: sum(1 for _ in open_table(xlsx_path, "ledger.xlsx").rows))
    _truncate()
    xv, xc, _ = _import(xlsx_path, actor)
    _truncate()
    cv, cc, _ = _import(same_csv, actor)

    def total_of(a: Timing, b: Timing) -> Timing:
        ms = a.median_ms + b.median_ms
        return Timing(ms, ms, ms, 1)

    xtotal, ctotal = total_of(xv, xc), total_of(cv, cc)
    result.add(f"xlsx {xlsx_rows:,} 行：只读文件（python-calamine，基线）", read, read)
    result.add(
        f"xlsx {xlsx_rows:,} 行：open_table 读取（含压缩炸弹检查、转成文本）",
        ours,
        read,
        "导入时不再重复检查（上传时已检查）",
    )
    result.add(f"xlsx {xlsx_rows:,} 行：本系统导入：校验", xv, read)
    result.add(f"xlsx {xlsx_rows:,} 行：本系统导入：提交", xc, read)
    result.add(f"xlsx {xlsx_rows:,} 行：本系统导入合计", xtotal, read, "目标 ≤ 3 倍")
    result.add(
        f"同样 {xlsx_rows:,} 行的 csv：本系统导入合计",
        ctotal,
        read,
        f"xlsx / csv = {xtotal.median_ms / ctotal.median_ms:.2f}",
    )
    result.meta["xlsx_rows_read"] = n
    for p in tmp.iterdir():
        p.unlink()
    tmp.rmdir()
    return result
