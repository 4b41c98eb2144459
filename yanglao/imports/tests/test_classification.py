"""What each line becomes once the whole file and the ledger are known: duplicate in the file,
unchanged, update (with its changes). PostgreSQL decides this in SQL over the staged rows
(imports.staging), SQLite line by line (services._Validator); both must give these rows."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from yanglao.core import crypto
from yanglao.imports import services
from yanglao.imports.models import ImportBatch, ImportRow
from yanglao.imports.tests.conftest import HEADER, csv_bytes, idn, line
from yanglao.people.models import Person, PersonCategory

pytestmark = pytest.mark.django_db

Run = Callable[..., ImportBatch]

WIDE = [*HEADER, "详细住址", "人员类别", "紧急联系人", "紧急联系人电话"]


def wide(
    seq: int,
    name: str,
    address: str = "南关区华阳街1号",
    tags: str = "",
    contact: str = "",
    contact_phone: str = "",
    phone: str = "13912345678",
) -> list[str]:
    return [*line(seq=seq, name=name, phone=phone), address, tags, contact, contact_phone]


def rows_of(batch: ImportBatch) -> dict[int, ImportRow]:
    return {r.row_no: r for r in ImportRow.objects.filter(batch=batch)}


def test_duplicates_in_the_file(run_import: Run) -> None:
    a = line(seq=1, name="张桂兰")
    b = line(seq=2, name="李秀英")
    b_other = line(seq=2, name="李秀英", phone="13700000000")
    c = line(seq=3, name="王淑珍")
    batch = run_import(
        csv_bytes(
            [
                a,  # 2: first
                a,  # 3: the same line again
                b,  # 4: first, contradicted by line 5
                b_other,  # 5
                b,  # 6: the same as line 4: a duplicate, line 5 is the contradiction
                c,  # 7: first, contradicted by lines 8 and 9
                line(seq=3, name="王淑贞"),  # 8
                line(seq=3, name="王树珍"),  # 9
                line(seq=4, name="赵秀兰"),  # 10: alone
            ]
        )
    )
    rows = rows_of(batch)
    status = {n: r.status for n, r in rows.items()}
    assert status == {
        2: "new",
        3: "duplicate",
        4: "rejected",
        5: "rejected",
        6: "duplicate",
        7: "rejected",
        8: "rejected",
        9: "rejected",
        10: "new",
    }
    assert batch.counts["new"] == 2 and batch.counts["duplicate"] == 2
    assert batch.counts["rejected"] == 5 and batch.total_rows == 9
    assert rows[3].errors == [["身份证号码", "与第2行完全相同，已忽略"]]
    assert rows[6].errors == [["身份证号码", "与第4行完全相同，已忽略"]]
    conflict = "行身份证号码相同但内容不同，请核对后只保留一行"
    assert rows[4].errors == [["身份证号码", f"与第5{conflict}"]]
    assert rows[5].errors == [["身份证号码", f"与第4{conflict}"]]
    assert rows[7].errors == [["身份证号码", f"与第8{conflict}"]]  # the first contradiction
    assert rows[8].errors == [["身份证号码", f"与第7{conflict}"]]
    assert rows[9].errors == [["身份证号码", f"与第7{conflict}"]]
    # Every rejected line keeps its cells for the errors workbook, and shows who it was.
    for n, cells in ((4, b), (5, b_other), (7, c)):
        assert json.loads(crypto.decrypt(rows[n].raw_cipher)) == cells
        assert rows[n].name == cells[0] and rows[n].id_number_masked.startswith("220102")
    services.batch_commit_request(actor=batch.created_by, batch=batch)
    assert set(Person.objects.values_list("name", flat=True)) == {"张桂兰", "赵秀兰"}


def test_unchanged_and_updated_against_the_ledger(run_import: Run) -> None:
    first = [
        wide(1, "张桂兰", tags="独居", contact="李明", contact_phone="13812345678"),
        wide(2, "李秀英"),
        wide(3, "王淑珍", tags="低保"),
        wide(4, "赵秀兰", contact="李明", contact_phone="13812345678"),
    ]
    run_import(csv_bytes(first, header=WIDE), commit=True)
    before = {p.name: p for p in Person.objects.all()}
    again = [
        first[0],  # 2: the same: unchanged
        wide(2, "李秀英", address="南关区华阳街9号", phone="13700000000"),  # 3: two fields
        wide(3, "王淑珍", tags="低保、独居", phone=""),  # 4: a tag added; blank phone kept
        wide(4, "赵秀兰", contact="王强", contact_phone="13812345678"),  # 5: another contact
    ]
    batch = run_import(csv_bytes(again, header=WIDE))
    rows = rows_of(batch)
    assert {n: r.status for n, r in rows.items()} == {
        2: "unchanged",
        3: "update",
        4: "update",
        5: "update",
    }
    assert batch.counts["unchanged"] == 1 and batch.counts["update"] == 3
    assert rows[2].changes == {} and rows[2].person_id == before["张桂兰"].pk
    assert rows[2].c1_name == "" and rows[2].categories == ""  # nothing to write again
    assert rows[3].changes == {
        "详细住址": ["南关区华阳街1号", "南关区华阳街9号"],
        "联系电话": ["139****5678", "137****0000"],
    }
    assert rows[3].person_version == before["李秀英"].version
    assert rows[4].changes == {"人员类别": [["minimum_living"], ["living_alone", "minimum_living"]]}
    assert rows[4].categories == "living_alone"  # only the tag not yet open
    assert rows[4].phone_masked == "139****5678"  # the blank cell keeps the ledger's phone
    assert rows[5].changes == {"紧急联系人": [["李明"], ["王强"]]}
    services.batch_commit_request(actor=batch.created_by, batch=batch)
    after = {p.name: p for p in Person.objects.all()}
    assert after["张桂兰"].version == before["张桂兰"].version  # unchanged: not written
    assert after["李秀英"].address == "南关区华阳街9号" and after["李秀英"].phone == "13700000000"
    assert after["王淑珍"].phone == "13912345678"
    assert set(
        PersonCategory.objects.filter(person=after["王淑珍"], end_date__isnull=True).values_list(
            "category", flat=True
        )
    ) == {"minimum_living", "living_alone"}
    assert [c.name for c in after["赵秀兰"].contacts.all()] == ["王强"]
    assert after["张桂兰"].id_number == idn(seq=1)


def test_blank_cells_keep_the_ledger_and_an_unchanged_line_stays_unchanged(
    run_import: Run,
) -> None:
    run_import(csv_bytes([wide(1, "张桂兰", address="华阳街1号")], header=WIDE), commit=True)
    blank = wide(1, "张桂兰", address="", phone="")
    blank[HEADER.index("性别")] = ""  # derived from the ID number, the same as the ledger's
    batch = run_import(csv_bytes([blank], header=WIDE))
    row = ImportRow.objects.get(batch=batch)
    assert row.status == "unchanged", row.changes
    assert row.address == "华阳街1号" and row.phone_masked == "139****5678"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_worker_processes_stage_what_one_process_stages(
    run_import: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside a transaction (the task worker) the chunks are checked and COPYed by forked
    processes; the lines they stage, and the SQL over them, are those of one process."""
    rows = [line(seq=i, name=n) for i, n in enumerate(["张桂兰", "李秀英", "王淑珍"], start=1)]
    rows += [rows[0], line(seq=2, name="李秀兰"), line(seq=9, cells={"联系电话": "123"})]
    batch = run_import(csv_bytes(rows))  # validated once in the test's transaction
    monkeypatch.setattr(services, "CHUNK", 2)  # three chunks, duplicates across them
    staged = {}
    for workers in (1, 2):
        monkeypatch.setattr(services, "WORKERS", workers)
        ImportBatch.objects.filter(pk=batch.pk).update(status="validating")
        services.batch_validate(batch.pk)
        staged[workers] = [
            (r.row_no, r.status, r.errors, r.name, r.id_number_hash, r.given, r.digest)
            for r in ImportRow.objects.filter(batch=batch).order_by("row_no")
        ]
    assert staged[2] == staged[1]
    assert [s[1] for s in staged[2]] == [
        "new",
        "rejected",
        "new",
        "duplicate",
        "rejected",
        "rejected",
    ]
    batch.refresh_from_db()
    assert batch.status == "validated" and batch.counts["duplicate"] == 1
