"""The xlsx path of the import reads the file once (issue 16): the stored upload is checked for
zip bombs when it is uploaded and parsed once by the worker, the conflict pass goes over the
same parsed sheet, and cells typed as numbers or dates come out as the text Excel shows."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from yanglao.core import crypto, sheets
from yanglao.imports.models import ImportBatch, ImportRow
from yanglao.imports.tests.conftest import HEADER, csv_bytes, idn, line, xlsx_bytes

pytestmark = pytest.mark.django_db

Run = Callable[..., ImportBatch]


def _rows_xlsx(rows: list[list[str]]) -> bytes:
    def build(book: Any, sheet: Any) -> None:
        sheet.write_row(0, 0, HEADER)
        for r, cells in enumerate(rows, start=1):
            for c, value in enumerate(cells):
                sheet.write_string(r, c, value)

    return xlsx_bytes(build)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Which files check_xlsx decompressed and calamine parsed."""
    from python_calamine import CalamineWorkbook

    seen: dict[str, list[str]] = {"check": [], "parse": []}
    check, parse = sheets.check_xlsx, CalamineWorkbook.from_path

    def spy_check(path: Path, **kw: Any) -> None:
        seen["check"].append(Path(path).name)
        check(path, **kw)

    def spy_parse(path: str) -> Any:
        seen["parse"].append(Path(path).name)
        return parse(path)

    monkeypatch.setattr(sheets, "check_xlsx", spy_check)
    monkeypatch.setattr(CalamineWorkbook, "from_path", staticmethod(spy_parse))
    return seen


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_contradicting_lines_are_both_rejected_from_one_read(
    run_import: Run, calls: dict[str, list[str]], kind: str
) -> None:
    first = line(seq=1)
    rows = [first, line(seq=2, name="李秀英"), first, line(seq=1, phone="13800000000")]
    data = _rows_xlsx(rows) if kind == "xlsx" else csv_bytes(rows)
    batch = run_import(data, name=f"台账.{kind}")
    assert batch.counts["new"] == 1 and batch.counts["duplicate"] == 1
    assert batch.counts["rejected"] == 2
    by_row = {r.row_no: r for r in ImportRow.objects.filter(batch=batch)}
    assert by_row[4].status == "duplicate" and "与第2行完全相同" in by_row[4].errors[0][1]
    for row_no in (2, 5):
        assert by_row[row_no].status == "rejected"
        assert by_row[row_no].errors[0][0] == "身份证号码"
    assert "与第5行身份证号码相同但内容不同" in by_row[2].errors[0][1]
    assert "与第2行身份证号码相同但内容不同" in by_row[5].errors[0][1]
    # The first line's cells, found again in the second pass, feed the error workbook.
    assert json.loads(crypto.decrypt(by_row[2].raw_cipher)) == first
    if kind == "xlsx":
        stored = Path(ImportBatch.objects.get(pk=batch.pk).stored_path).name
        assert calls["check"] == [stored]  # at upload only, not again in the worker
        assert calls["parse"] == ["head.xlsx", stored]  # the header copy, then the file once
    else:
        assert calls["parse"] == []


def test_number_and_date_cells_read_as_excel_shows_them(tmp_path: Path) -> None:
    """Only cells that are not text go through cell_text; the result is what it always was."""
    from python_calamine import CalamineWorkbook

    def build(book: Any, sheet: Any) -> None:
        datefmt = book.add_format({"num_format": "yyyy-mm-dd"})
        timefmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        sheet.write_row(0, 0, ["姓名", "身份证号码", "出生日期", "序号", "联系电话", "备注"])
        sheet.write_string(1, 0, "张桂兰")
        sheet.write_number(1, 1, float(idn()))  # an ID typed as a number: 15 digits kept
        sheet.write_datetime(1, 2, date(1948, 3, 5), datefmt)  # a date cell
        sheet.write_number(1, 3, 1)
        sheet.write_number(1, 4, 13812345678)  # a phone typed as a number
        sheet.write_boolean(1, 5, True)
        sheet.write_string(2, 0, "李秀英")
        sheet.write_string(2, 1, idn(seq=2))  # text: kept as typed
        sheet.write_number(2, 2, 17597)  # a date as a plain serial number
        sheet.write_number(2, 3, 2.5)
        sheet.write_datetime(2, 4, datetime.combine(date(2026, 3, 1), time(8, 30)), timefmt)
        sheet.write_string(2, 5, "  ")  # trailing blank cell: trimmed
        sheet.write_formula(3, 0, '=CONCATENATE("王","淑珍")', None, "王淑珍")
        sheet.write_number(3, 2, 0.1 + 0.2)

    path = tmp_path / "numbers.xlsx"
    path.write_bytes(xlsx_bytes(build))
    rows = list(sheets.open_table(path, "numbers.xlsx").rows)
    scientific = sheets.cell_text(float(idn()))
    assert scientific.endswith("E+17") and "." in scientific
    assert rows == [
        ["姓名", "身份证号码", "出生日期", "序号", "联系电话", "备注"],
        ["张桂兰", scientific, "1948-03-05", "1", "13812345678", "TRUE"],
        ["李秀英", idn(seq=2), "17597", "2.5", "2026-03-01 08:30:00"],
        ["王淑珍", "", "0.3"],
    ]
    # The same as converting every cell, as the reader did before it skipped text cells.
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    every = [sheets._trim([sheets.cell_text(v) for v in r]) for r in sheet.iter_rows()]
    assert rows == every


def test_again_gives_the_rows_from_the_start(tmp_path: Path) -> None:
    for name, data in (("a.xlsx", _rows_xlsx([line(seq=1)])), ("a.csv", csv_bytes([line()]))):
        path = tmp_path / name
        path.write_bytes(data)
        table = sheets.open_table(path, name)
        first = list(table.rows)
        assert table.again is not None and list(table.again()) == first == [HEADER, line()]
