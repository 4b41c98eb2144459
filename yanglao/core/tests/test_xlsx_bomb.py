"""Zip bombs and oversized workbooks are refused before calamine parses them (issue 15)."""

from __future__ import annotations

import io
import struct
import time
import zipfile
from pathlib import Path

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


def _open(tmp_path: Path, data: bytes, **kw: int) -> list[list[str]]:
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
