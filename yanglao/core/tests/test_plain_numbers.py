"""Numbers with units as people write them (issue 14 part 2)."""

from __future__ import annotations

import pytest

from yanglao.core.templatetags.plain import quantity


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        ("1.00", "台", "1 台"),
        ("2.50", "次/月", "2.5 次/月"),
        ("100.00", "元/人/月", "100.00 元/人/月"),
        ("10", "", "10"),
        (None, "台", ""),
        ("由地方确定", "台", "由地方确定 台"),
        ("1E+1", "人", "10 人"),
    ],
)
def test_quantity(value: object, unit: str, text: str) -> None:
    assert quantity(value, unit) == text
