"""Zip bombs and oversized workbooks are refused before calamine parses them (issue 15)."""

from __future__ import annotations

import io
import struct
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from yanglao.core import sheets

SHEET = "xl/worksheets/sheet1.xml"


def _workbook(rows: int = 3) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("台账")
    sheet.merge_range(0, 0, 0, 2, "南岭街道老年人台账")
    for r in range(1, rows + 1):
        sheet.write_row(r, 0, ["姓名", "身份证号码", "备注"] if r == 1 else [f"人{r}", "x", r])
    book.close()
    return buf.getvalue()


def _replace_sheet(data: bytes, sheet_xml: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for m in src.infolist():
            z.writestr(m.filename, sheet_xml if m.filename == SHEET else src.read(m))
    return out.getvalue()


def _sheet_xml(body: bytes, dimension: str = "A1:C3") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="' + dimension.encode() + b'"/><sheetData>' + body + b"</sheetData>"
        b"</worksheet>"
    )


def _bomb(cells: int) -> bytes:
    row = b"<row>" + b'<c t="inlineStr"><is><t>aaaaaaaaaaaaaaaa</t></is></c>' * 1000 + b"</row>"
    return _replace_sheet(_workbook(), _sheet_xml(row * (cells // 1000), dimension="A1"))


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "XLSX_MAX_UNCOMPRESSED", 40 << 20)
    monkeypatch.setattr(sheets, "XLSX_MAX_CELLS", 200_000)


def _open(tmp_path: Path, data: bytes, **kw: Any) -> list[list[str]]:
    path = tmp_path / "upload.xlsx"
    path.write_bytes(data)
    return list(sheets.open_table(path, "upload.xlsx", **kw).rows)


def test_generated_bomb_small_compressed_huge_decompressed(small_limits, tmp_path) -> None:
    bomb = _bomb(1_000_000)  # ~54 MB of XML
    assert len(bomb) < 400_000
    started = time.perf_counter()
    with pytest.raises(sheets.SheetError, match="压缩炸弹"):
        _open(tmp_path, bomb)
    assert time.perf_counter() - started < 5


def test_too_many_actual_cells_with_a_lying_dimension(small_limits, tmp_path) -> None:
    with pytest.raises(sheets.SheetError, match="超过 200,000 个单元格"):
        _open(tmp_path, _bomb(300_000))  # 16 MB: under the size cap, over the cell cap


def test_declared_dimension_over_the_cell_cap(tmp_path) -> None:
    data = _replace_sheet(_workbook(), _sheet_xml(b"", dimension="A1:XFD1048576"))
    with pytest.raises(sheets.SheetError, match="声明 17,179,869,184 个单元格"):
        _open(tmp_path, data)


def test_member_whose_directory_understates_its_size(tmp_path) -> None:
    """zipfile reads no further than the declared size and then fails the CRC check."""
    data = bytearray(_replace_sheet(_workbook(), _sheet_xml(b"<row/>" * 50_000)))
    name = SHEET.encode()
    local = data.index(b"PK\x03\x04")
    while data[local + 30 : local + 30 + len(name)] != name:
        local = data.index(b"PK\x03\x04", local + 4)
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, local + 22, 1000)
    struct.pack_into("<I", data, central + 24, 1000)
    with pytest.raises(sheets.SheetError, match=r"无法解压|不是有效"):
        _open(tmp_path, bytes(data))


def test_not_a_zip_at_all(tmp_path) -> None:
    with pytest.raises(sheets.SheetError, match=r"不是有效的 \.xlsx"):
        _open(tmp_path, b"PK\x03\x04" + b"\0" * 100)


def test_head_copy_keeps_header_and_merges_but_not_the_rest(tmp_path, monkeypatch) -> None:
    """The web request reads a copy cut after the first rows; only the worker parses it all."""
    from python_calamine import CalamineWorkbook

    parsed: list[int] = []
    real = CalamineWorkbook.from_path

    def spy(path: str) -> CalamineWorkbook:
        parsed.append(Path(path).stat().st_size)
        return real(path)

    monkeypatch.setattr(CalamineWorkbook, "from_path", staticmethod(spy))
    data = _workbook(rows=20_000)
    path = tmp_path / "big.xlsx"
    path.write_bytes(data)
    table = sheets.open_table(path, "big.xlsx", head_rows=15)
    rows = list(table.rows)
    assert len(rows) == 15 and rows[0] == ["南岭街道老年人台账"] and rows[1][0] == "姓名"
    assert table.merged == [((0, 0), (0, 2))]
    assert parsed and max(parsed) < len(data) / 5  # only the cut copy (+ shared strings)
    full = list(sheets.open_table(path, "big.xlsx").rows)
    assert len(full) == 20_001 and full[-1][0] == "人20000"


def test_cells_with_a_namespace_prefix_are_counted_too(small_limits, tmp_path) -> None:
    """`<x:c>` cells (a prefixed SpreadsheetML namespace) count as much as plain `<c>` ones."""
    cell = b'<x:c t="inlineStr"><x:is><x:t>aaaaaaaaaaaaaaaa</x:t></x:is></x:c>'
    row = b"<x:row>" + cell * 1000 + b"</x:row>"
    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?><x:worksheet '
        b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<x:dimension ref="A1"/><x:sheetData>' + row * 300 + b"</x:sheetData></x:worksheet>"
    )
    with pytest.raises(sheets.SheetError, match="超过 200,000 个单元格"):
        _open(tmp_path, _replace_sheet(_workbook(), xml))
    plain = b"<row>" + b"<c/><c>" * 10 + b"<c\n r='A1'><v>1</v></c><col/><cfRule/></row>"
    assert sheets._count_cells(plain) == len(sheets._CELL.findall(plain)) == 21
    assert sheets._count_cells(row) == len(sheets._CELL.findall(row)) == 1000


def test_head_copy_keeps_only_the_shared_strings_the_header_uses(tmp_path) -> None:
    """Excel keeps most of a ledger's text (names, ID numbers, addresses) in one shared-string
    table; the header copy drops the entries after the last one its rows use, never
    renumbering them, so the header reads the same however the strings are ordered."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("台账")
    for r in range(20_000, 2, -1):  # the body first: its strings get the low numbers
        sheet.write_row(r, 0, [f"人{r}", f"22010219480305{r:04d}"[:18], f"华阳社区{r}号"])
    sheet.merge_range(0, 0, 0, 2, "南岭街道老年人台账")
    sheet.write_row(1, 0, ["姓名", "身份证号码", "住址"])
    sheet.write_row(2, 0, ["人2", "x", 3])
    book.close()
    data = buf.getvalue()
    path = tmp_path / "late.xlsx"
    path.write_bytes(data)
    head = list(sheets.open_table(path, "late.xlsx", head_rows=15).rows)
    full = list(sheets.open_table(path, "late.xlsx").rows)
    assert head == full[:15]
    assert head[:3] == [["南岭街道老年人台账"], ["姓名", "身份证号码", "住址"], ["人2", "x", "3"]]

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("台账")
    sheet.write_row(0, 0, ["姓名", "身份证号码", "住址"])  # the usual order: header first
    for r in range(1, 20_000):
        sheet.write_row(r, 0, [f"人{r}", f"22010219480305{r:04d}"[:18], f"华阳社区{r}号"])
    book.close()
    path.write_bytes(buf.getvalue())
    copy = tmp_path / "head.xlsx"
    sheets.check_xlsx(path, head_rows=15, head_copy=copy)
    with zipfile.ZipFile(copy) as z:
        strings = z.read("xl/sharedStrings.xml")
    assert strings.count(b"<si>") == 3 + 14 * 3 and strings.endswith(b"</sst>")
    head = list(sheets.open_table(path, "ordered.xlsx", head_rows=15).rows)
    assert head == list(sheets.open_table(path, "ordered.xlsx").rows)[:15]
    assert head[14] == ["人14", "22010219480305" + "0014", "华阳社区14号"]
