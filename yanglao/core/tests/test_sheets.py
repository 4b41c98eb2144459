"""core.sheets.write_xlsx: numeric columns with a number format and a footer row."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from yanglao.core import sheets


def _written(rows: list[list[object]], **kw: object) -> list[list[Any]]:
    buf = io.BytesIO()
    sheets.write_xlsx(buf, ["编号", "金额", "备注"], rows, **kw)  # type: ignore[arg-type]
    return (
        CalamineWorkbook.from_filelike(io.BytesIO(buf.getvalue())).get_sheet_by_index(0).to_python()
    )


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (Decimal("100.00"), 100.0),
        (Decimal("-12.50"), -12.5),
        (Decimal("99999999.99"), 99999999.99),
        (7, 7.0),
        (0.1, 0.1),
        ("12.30", "12.30"),  # text stays text, even in a number column
        (True, "TRUE"),
    ],
)
def test_number_format_columns_write_numbers(value: object, cell: object) -> None:
    rows = _written([["0012", value, Decimal("5")]], number_formats={1: "0.00"})
    assert rows[1][1] == cell
    assert rows[1][0] == "0012"  # leading zeros kept
    assert rows[1][2] == "5"  # a Decimal outside the listed columns is text, as before


def test_footer_row_after_the_last_line() -> None:
    body = [["1", Decimal("100.00"), ""], ["2", Decimal("50.50"), "补发"]]
    rows = _written(body, number_formats={1: "0.00"}, footer=["合计", Decimal("150.50"), "2笔"])
    assert rows[-1] == ["合计", 150.5, "2笔"] and len(rows) == 4
    assert _written([], footer=["合计", "", ""])[1][0] == "合计"
