"""The staged import end to end through the services: the validation catalogue, preview
counts, all-or-nothing commit, idempotent re-upload, scope."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from yanglao.accounts.roles import Role
from yanglao.core import crypto
from yanglao.core.models import AuditEvent
from yanglao.imports import services
from yanglao.imports.models import BatchStatus, ColumnMapping, ImportBatch, ImportRow
from yanglao.imports.tests.conftest import HEADER, REF, csv_bytes, idn, line, xlsx_bytes
from yanglao.people import services as people
from yanglao.people.models import MinimumAgePolicy, Person, PersonCategory
from yanglao.people.testing import person_input

pytestmark = pytest.mark.django_db

Run = Callable[..., ImportBatch]


def errors_of(batch: ImportBatch) -> dict[int, str]:
    return {
        r.row_no: " | ".join(f"{c}:{m}" for c, m in r.errors)
        for r in ImportRow.objects.filter(batch=batch, status="rejected")
    }


def test_clean_file_previews_then_commits(run_import: Run) -> None:
    rows = [line(seq=i, name=n) for i, n in enumerate(["张桂兰", "李秀英", "王淑珍"], start=1)]
    batch = run_import(csv_bytes(rows))
    assert batch.status == BatchStatus.VALIDATED
    assert batch.counts["new"] == 3 and batch.counts["rejected"] == 0
    assert Person.objects.count() == 0  # preview writes nothing to the ledger
    services.batch_commit_request(actor=batch.created_by, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED
    assert Person.objects.count() == 3
    p = Person.objects.get(name="李秀英")
    assert p.region_id == "220102001001" and p.id_number == idn(seq=2) and p.phone == "13912345678"
    assert p.id_number_masked.startswith("2201") and "*" in p.id_number_masked
    assert (
        AuditEvent.objects.filter(action="import.commit", object_id=str(batch.public_id)).count()
        == 1
    )
    assert batch.stored_path == ""  # the uploaded file is deleted after the commit


def test_reuploading_the_same_file_changes_nothing(run_import: Run) -> None:
    data = csv_bytes([line(seq=1), line(seq=2, name="李秀英")])
    run_import(data, commit=True)
    before = list(Person.objects.order_by("id").values_list("id", "version", "updated_at"))
    again = run_import(data)
    assert again.counts["unchanged"] == 2 and again.counts["new"] == 0
    services.batch_commit_request(actor=again.created_by, batch=again)
    assert list(Person.objects.order_by("id").values_list("id", "version", "updated_at")) == before


def test_changed_fields_update_and_blank_cells_keep_the_ledger(run_import: Run) -> None:
    run_import(csv_bytes([line(seq=1)]), commit=True)
    changed = line(seq=1, phone="", cells={"村（社区）": "恒安社区"})
    batch = run_import(csv_bytes([changed]))
    assert batch.counts["update"] == 1
    row = ImportRow.objects.get(batch=batch, status="update")
    assert row.changes == {"村（社区）": ["220102001001", "220102001002"]}
    services.batch_commit_request(actor=batch.created_by, batch=batch)
    p = Person.objects.get()
    assert p.region_id == "220102001002" and p.version == 2
    assert p.phone == "13912345678"  # blank cell: the ledger's phone is kept


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"身份证号码": idn()[:-1] + ("0" if idn()[-1] != "0" else "1")}, "身份证号码", "校验位"),
        ({"出生日期": "1948-03-06"}, "身份证号码", "出生日期与身份证号码不一致"),
        ({"性别": "男"}, "身份证号码", "性别与身份证号码不一致"),
        ({"出生日期": "2030-01-01"}, "出生日期", "晚于今天"),
        ({"出生日期": "1948-02-30"}, "出生日期", "不存在"),
        ({"身份证号码": "2.20102194803051E+17"}, "身份证号码", "科学计数法"),
        ({"身份证号码": idn()[:15] + "000"}, "身份证号码", "截断"),
        ({"身份证号码": "220102480305002"}, "身份证号码", "15位"),
        ({"村（社区）": "不存在村"}, "村（社区）", "没有名为"),
        ({"姓名": "张桂兰2"}, "姓名", "数字"),
        ({"联系电话": "1391234567"}, "联系电话", "11位"),
        ({"性别": "未知"}, "性别", "无法识别"),
    ],
)
def test_validation_catalogue(
    run_import: Run, cells: dict[str, str], column: str, message: str
) -> None:
    row = line()
    for key, value in cells.items():
        row[HEADER.index(key)] = value
    batch = run_import(csv_bytes([row, line(seq=2, name="李秀英")]))
    assert batch.counts["rejected"] == 1 and batch.counts["new"] == 1
    errors = errors_of(batch)
    assert list(errors) == [2]  # the header is row 1
    assert column in errors[2] and message in errors[2], errors


def test_under_60_refused_unless_a_local_policy_admits_younger(
    run_import: Run, township: Any
) -> None:
    young = line(birth=date(1970, 5, 1), seq=3)
    batch = run_import(csv_bytes([young]))
    assert "未满60周岁" in errors_of(batch)[2]
    MinimumAgePolicy.objects.create(
        region_id="220102000000",
        min_age=55,
        effective_from=date(2026, 1, 1),
        document_no="南民发〔2026〕1号",
    )
    assert run_import(csv_bytes([young])).counts["new"] == 1
    older_but_too_young = line(birth=date(1975, 1, 1), seq=4)
    assert "未满55周岁" in errors_of(run_import(csv_bytes([older_but_too_young])))[2]


def test_normalised_inputs_are_accepted(run_import: Run) -> None:
    number = idn()
    full_width = " ".join(number[:6]) + number[6:].translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    row = line(
        cells={"身份证号码": full_width, "出生日期": "1948年3月5日", "联系电话": "139 1234 5678"}
    )
    row2 = line(
        seq=2, name="欧阳 秀英", cells={"出生日期": "1948.3.5", "村（社区）": "华阳社区居民委员会"}
    )
    row3 = line(seq=3, name="李秀英", cells={"出生日期": "17597"})  # Excel serial of 1948-03-05
    # A leading apostrophe typed to keep the number as text, a zero-width space pasted from a
    # web page, a phone with the country code.
    row4 = line(seq=4, name="王淑珍", phone="+86 139 1234 5678")
    row4[1] = "'" + row4[1][:5] + "\u200b" + row4[1][5:]
    batch = run_import(csv_bytes([row, row2, row3, row4]))
    assert batch.counts["new"] == 4, errors_of(batch)
    assert Person.objects.count() == 0
    services.batch_commit_request(actor=batch.created_by, batch=batch)
    assert Person.objects.get(name="王淑珍").phone == "13912345678"
    assert Person.objects.get(name="欧阳秀英").region_id == "220102001001"


def test_empty_rows_and_trailing_columns_are_ignored(run_import: Run) -> None:
    rows = [[*line(), "", ""], ["", "", "", "", "", ""], [], [*line(seq=2, name="李秀英"), " "]]
    batch = run_import(csv_bytes(rows, header=[*HEADER, "", ""]))
    assert batch.total_rows == 2 and batch.counts["new"] == 2


def test_gbk_csv(run_import: Run) -> None:
    batch = run_import(csv_bytes([line()], encoding="gbk"), name="台账gbk.csv")
    assert batch.encoding == "gb18030" and batch.counts["new"] == 1


def test_duplicates_within_the_file(run_import: Run) -> None:
    same = line()
    different = line(name="张贵兰")  # same ID number, another name
    batch = run_import(
        csv_bytes([same, same, line(seq=5, name="王淑珍"), line(seq=5, name="王淑贞")])
    )
    assert batch.counts["duplicate"] == 1
    assert batch.counts["new"] == 1
    errors = errors_of(batch)
    assert set(errors) == {4, 5} and "第4行" in errors[5] and "第5行" in errors[4]
    del different


def test_person_registered_in_another_county_is_flagged_not_moved(
    run_import: Run, make_user: Callable[..., Any]
) -> None:
    other = make_user(Role.COUNTY_OFFICER, "220204")
    data = person_input("220204100200", name="张桂兰", birth=date(1948, 3, 5), seq=1)
    data.id_number = idn()
    p, _ = people.person_register(actor=other, data=data)
    batch = run_import(csv_bytes([line()]))
    assert "船营区" in errors_of(batch)[2]
    p.refresh_from_db()
    assert p.region_id == "220204100200" and p.version == 1


def test_dead_person_is_not_revived(run_import: Run, township: Any) -> None:
    run_import(csv_bytes([line()]), commit=True)
    p = Person.objects.get()
    people.person_record_death(
        actor=township, person=p, on=date(2026, 5, 1), reason="病故", expected_version=p.version
    )
    assert "死亡" in errors_of(run_import(csv_bytes([line()])))[2]


def test_village_outside_jurisdiction_refused(run_import: Run) -> None:
    row = line(cells={"村（社区）": "大绥河村"})
    assert "没有名为" in errors_of(run_import(csv_bytes([row])))[2]
    header = [*HEADER, "区划代码"]
    coded = [*line(), "220204100200"]
    assert "不在您的管辖范围内" in errors_of(run_import(csv_bytes([coded], header=header)))[2]


def test_categories_become_tags_and_disability_is_refused(run_import: Run) -> None:
    header = [*HEADER, "人员类别"]
    batch = run_import(
        csv_bytes([[*line(), "独居、低保"], [*line(seq=2, name="李秀英"), "失能"]], header=header),
        commit=True,
    )
    assert "能力评估" in errors_of(batch)[3]
    tags = set(PersonCategory.objects.values_list("category", "source"))
    assert tags == {("living_alone", "import"), ("minimum_living", "import")}


def test_xlsx_with_title_merged_header_formula_and_number_cells(run_import: Run) -> None:
    def build(book: Any, sheet: Any) -> None:
        text = book.add_format({"num_format": "@"})
        datefmt = book.add_format({"num_format": "yyyy-mm-dd"})
        sheet.merge_range(0, 0, 0, 6, "南岭街道华阳社区老年人台账")
        for col, title in enumerate(["姓名", "身份证号码", "出生日期", "村（社区）"]):
            sheet.merge_range(1, col, 2, col, title)
        sheet.merge_range(1, 4, 1, 5, "紧急联系人")
        sheet.write_row(2, 4, ["姓名", "电话"])
        # row 4: formula name with its cached value, date cell, phone as number
        sheet.write_formula(3, 0, '=CONCATENATE("张","桂兰")', None, "张桂兰")
        sheet.write_string(3, 1, idn(), text)
        sheet.write_datetime(3, 2, __import__("datetime").datetime(1948, 3, 5), datefmt)
        sheet.write_string(3, 3, "华阳社区")
        sheet.write_string(3, 4, "李明")
        sheet.write_number(3, 5, 13812345678)
        # row 5: ID typed as a number → scientific notation, rejected with a hint
        sheet.write_string(4, 0, "李秀英")
        sheet.write_number(4, 1, float(idn(seq=2)))
        sheet.write_number(4, 2, 17597)  # date as a plain serial number
        sheet.write_string(4, 3, "华阳社区")

    batch = run_import(xlsx_bytes(build), name="台账.xlsx")
    assert batch.header_row == 2
    assert batch.counts["new"] == 1
    assert "科学计数法" in errors_of(batch)[5]
    services.batch_commit_request(actor=batch.created_by, batch=batch)
    p = Person.objects.get()
    assert p.name == "张桂兰" and p.sex == "F"  # sex derived from the ID number
    contact = p.contacts.get()
    assert contact.name == "李明" and contact.phone == "13812345678"


def test_mapping_is_remembered_for_the_same_layout(run_import: Run, township: Any) -> None:
    header = ["老人姓名", "证件号码", "所在村", "备用列"]
    rows = [[line()[0], line()[1], "华阳社区", "x"]]
    first = run_import(csv_bytes(rows, header=header))
    assert (
        first.mapping == {"0": "name", "1": "id_number", "2": "village_name", "3": ""}
        or first.mapping.get("3") is None
    )
    services.batch_map(
        actor=township,
        batch=first,
        mapping={0: "name", 1: "id_number", 2: "village_name", 3: "ignore"},
    )
    assert ColumnMapping.objects.filter(user=township).count() == 1
    upload = SimpleUploadedFile("again.csv", csv_bytes(rows, header=header))
    second = services.batch_upload(actor=township, upload=upload, reference_date=REF)
    assert second.mapping["3"] == "ignore"


def test_stale_preview_is_refused_and_nothing_written(run_import: Run, township: Any) -> None:
    run_import(csv_bytes([line()]), commit=True)
    batch = run_import(csv_bytes([line(phone="13700000000"), line(seq=2, name="李秀英")]))
    assert batch.counts == {**batch.counts, "update": 1, "new": 1}
    p = Person.objects.get()
    data = person_input("220102001001", name="张桂兰", birth=date(1948, 3, 5))
    data.id_number = idn()
    people.person_update(actor=township, person=p, data=data, expected_version=p.version)
    with pytest.raises(services.StaleBatch):
        services.batch_commit(batch.pk, township.pk)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED and "重新校验" in batch.message
    assert Person.objects.count() == 1


def test_a_failing_statement_rolls_back_the_whole_commit(
    run_import: Run, township: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = [*HEADER, "人员类别"]
    batch = run_import(
        csv_bytes([[*line(seq=1), "独居"], line(seq=2, name="李秀英")], header=header)
    )
    assert batch.counts["new"] == 2
    from yanglao.people import bulk

    original = bulk.insert_rows

    def boom(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("disk full")

    # The tag step is the last one: people, households and contacts are already inserted.
    monkeypatch.setattr(bulk, "insert_rows", boom)
    with pytest.raises(RuntimeError):
        services.batch_commit(batch.pk, township.pk)
    monkeypatch.setattr(bulk, "insert_rows", original)
    assert Person.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED and "未作任何修改" in batch.message


def test_batches_are_private_to_their_uploader(
    run_import: Run, make_user: Callable[..., Any]
) -> None:
    batch = run_import(csv_bytes([line()]))
    colleague = make_user(Role.TOWNSHIP_OFFICER, "220102001")
    with pytest.raises(Http404):
        services.batch_commit_request(actor=colleague, batch=batch)


def test_visit_worker_cannot_import(regions: None, make_user: Callable[..., Any]) -> None:
    worker = make_user(Role.VISIT_WORKER, "220102001001")
    with pytest.raises(Http404):
        services.batch_upload(actor=worker, upload=SimpleUploadedFile("a.csv", csv_bytes([line()])))


def test_rejected_rows_keep_their_cells_encrypted(run_import: Run) -> None:
    bad = line(cells={"联系电话": "123"})
    batch = run_import(csv_bytes([bad]))
    row = ImportRow.objects.get(batch=batch)
    assert bad[1] not in row.raw_cipher
    assert crypto.decrypt(row.raw_cipher).count(bad[1]) == 1


def test_full_export_round_trips_as_unchanged(run_import: Run, township: Any) -> None:
    from django.test import Client

    header = [*HEADER, "人员类别", "紧急联系人", "紧急联系人电话"]
    run_import(
        csv_bytes(
            [[*line(), "独居", "李明", "13812345678"], line(seq=2, name="李秀英")], header=header
        ),
        commit=True,
    )
    c = Client()
    c.force_login(township)
    response = c.get("/people/export.xlsx?ids=full")
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    again = run_import(data, name="导出.xlsx")
    assert again.counts["unchanged"] == 2, errors_of(again)
    assert again.counts["rejected"] == 0 and again.counts["update"] == 0


def test_min_age_policy_command_is_validated_and_audited(regions: None) -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="40到60"):
        call_command("min_age_policy", "220102", "30", "--from", "2026-01-01", "--doc", "x")
    call_command(
        "min_age_policy", "220102", "55", "--from", "2026-01-01", "--doc", "南民发〔2026〕1号"
    )
    call_command(
        "min_age_policy", "220102", "50", "--from", "2026-07-01", "--doc", "南民发〔2026〕9号"
    )
    from yanglao.people.policy import min_age_for

    assert min_age_for("220102001001", date(2026, 3, 1)) == 55
    assert min_age_for("220102001001", date(2026, 8, 1)) == 50
    assert min_age_for("220204100200", date(2026, 8, 1)) == 60
    assert AuditEvent.objects.filter(action="policy.min_age_set").count() == 2


def test_unfinished_imports_expire(run_import: Run) -> None:
    from datetime import timedelta
    from pathlib import Path

    from django.core.management import call_command
    from django.utils import timezone

    batch = run_import(csv_bytes([line(), line(seq=2, cells={"联系电话": "1"})]))
    stored = Path(batch.stored_path)
    assert stored.exists() and ImportRow.objects.filter(batch=batch).count() == 2
    call_command("imports_expire", "--days", "7")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED  # not old enough
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - timedelta(days=8))
    call_command("imports_expire", "--days", "7")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CANCELLED and not stored.exists()
    assert not ImportRow.objects.filter(batch=batch).exists()


def test_id_number_in_other_scripts_digits_is_refused_not_a_duplicate(run_import: Run) -> None:
    """Issue 15: Devanagari / mathematical bold digits registered the same person twice."""
    run_import(csv_bytes([line()]), commit=True)
    number = idn()
    devanagari = line(cells={"身份证号码": "".join(chr(0x0966 + int(d)) for d in number)})
    bold = line(cells={"身份证号码": number[:-1] + chr(0x1D7CE + int(number[-1]))})
    batch = run_import(csv_bytes([devanagari, bold]))
    assert batch.counts["rejected"] == 2 and batch.counts["new"] == 0
    errors = errors_of(batch)
    assert "只能使用数字0-9和X" in errors[2] and "只能使用数字0-9和X" in errors[3]
    assert Person.objects.count() == 1


def test_zip_bomb_upload_is_refused_in_chinese_before_parsing(
    township: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: a 2.9 MB xlsx unpacking to gigabytes took the web process to 2.2 GB."""
    from yanglao.core import sheets
    from yanglao.core.tests.test_xlsx_bomb import _bomb

    monkeypatch.setattr(sheets, "XLSX_MAX_UNCOMPRESSED", 40 << 20)
    upload = SimpleUploadedFile("台账.xlsx", _bomb(1_000_000))
    with pytest.raises(services.ImportInvalid) as exc:
        services.batch_upload(actor=township, upload=upload, reference_date=REF)
    assert "压缩炸弹" in str(exc.value.errors)
    assert not ImportBatch.objects.exists()
