from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from yanglao.accounts.roles import Role
from yanglao.imports import services
from yanglao.imports.models import ImportBatch
from yanglao.people.testing import make_id_number

VILLAGE = "220102001001"  # 华阳社区, 南岭街道, 南关区
OTHER_COUNTY_VILLAGE = "220204100200"  # 大绥河村, 船营区
HEADER = ["姓名", "身份证号码", "性别", "出生日期", "村（社区）", "联系电话"]
REF = date(2026, 11, 1)


def idn(birth: date = date(1948, 3, 5), sex: str = "F", seq: int = 1, area: str = "220102") -> str:
    return make_id_number(area, birth, sex, seq)


def line(
    name: str = "张桂兰",
    birth: date = date(1948, 3, 5),
    sex: str = "F",
    seq: int = 1,
    village: str = "华阳社区",
    phone: str = "13912345678",
    cells: dict[str, str] | None = None,
) -> list[str]:
    row = {
        "姓名": name,
        "身份证号码": idn(birth, sex, seq),
        "性别": "女" if sex == "F" else "男",
        "出生日期": birth.isoformat(),
        "村（社区）": village,
        "联系电话": phone,
    }
    row.update(cells or {})
    return [row[h] for h in HEADER]


def csv_bytes(
    rows: Sequence[Sequence[str]], header: Sequence[str] = HEADER, encoding: str = "utf-8-sig"
) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(build: Callable[[Any, Any], None]) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("台账")
    build(book, sheet)
    book.close()
    return buf.getvalue()


@pytest.fixture
def township(regions: None, make_user: Callable[..., Any]) -> Any:
    return make_user(Role.TOWNSHIP_OFFICER, "220102001")


@pytest.fixture
def run_import(township: Any) -> Callable[..., ImportBatch]:
    """Upload, map as guessed, validate (tasks run inline in tests); returns the batch."""

    def run(
        data: bytes, name: str = "台账.csv", actor: Any = None, commit: bool = False
    ) -> ImportBatch:
        actor = actor or township
        upload = SimpleUploadedFile(name, data)
        batch = services.batch_upload(actor=actor, upload=upload, reference_date=REF)
        mapping = {int(i): k for i, k in batch.mapping.items()}
        services.batch_map(actor=actor, batch=batch, mapping=mapping)
        batch.refresh_from_db()
        if commit:
            services.batch_commit_request(actor=actor, batch=batch)
            batch.refresh_from_db()
        return batch

    return run


@pytest.fixture(autouse=True)
def _on_commit_now(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each test runs inside a transaction that never commits; run queued tasks at once.
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda fn, using=None, robust=False: fn())
