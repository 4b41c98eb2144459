"""Pure rules, table-driven at every boundary."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from yanglao.statistics import rules


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11", date(2026, 11, 1)),
        ("2026-01", date(2026, 1, 1)),
        ("2026-12", date(2026, 12, 1)),
        ("2026-13", None),
        ("2026-00", None),
        ("２０２６-１１", None),
        ("2026-1", None),
        ("1999-11", None),
        ("2026-11\x00", None),
        ("", None),
        ("𠀀𠀀𠀀𠀀-11", None),
    ],
)
def test_parse_period(text: str, expected: date | None) -> None:
    assert rules.parse_period(text) == expected


@pytest.mark.parametrize(
    ("today", "closed"),
    [
        (date(2026, 11, 30), False),
        (date(2026, 12, 5), False),
        (date(2026, 12, 6), True),  # 5 grace days after 11-30, closed on the 6th
        (date(2027, 1, 1), True),
    ],
)
def test_month_closes_after_the_grace_days(today: date, closed: bool) -> None:
    assert rules.is_closed(date(2026, 11, 1), today) is closed


@pytest.mark.parametrize(
    ("today", "as_of"),
    [(date(2026, 11, 15), date(2026, 11, 15)), (date(2026, 12, 2), date(2026, 11, 30))],
)
def test_as_of(today: date, as_of: date) -> None:
    assert rules.as_of(date(2026, 11, 1), today) == as_of


@pytest.mark.parametrize(
    ("n", "d", "factor", "expected"),
    [
        (5, None, 1, Decimal(5)),
        (1, 2, 100, Decimal("50.0")),
        (2, 3, 100, Decimal("66.7")),
        (1, 3, 1000, Decimal("333.3")),
        (0, 0, 100, None),
        (0, 5, 100, Decimal("0.0")),
    ],
)
def test_figure(n: int, d: int | None, factor: int, expected: Decimal | None) -> None:
    assert rules.figure(n, d, factor) == expected


@pytest.mark.parametrize(
    ("n", "people", "hidden"),
    [
        (0, True, False),
        (1, True, True),
        (4, True, True),
        (5, True, False),
        (3, False, False),
        (None, True, False),
    ],
)
def test_small_cells(n: int | None, people: bool, hidden: bool) -> None:
    assert rules.suppress(n, people) is hidden


def test_public_figure_hides_a_rate_over_a_small_count() -> None:
    assert rules.public_figure(3, 40, 100, True) is None
    assert rules.public_figure(30, 4, 100, True) is None
    assert rules.public_figure(30, 40, 100, True) == "75.0"
    assert rules.public_figure(3, None, 1, False) == "3"


@pytest.mark.parametrize(
    ("value", "target", "at_least", "points"),
    [
        (Decimal(100), Decimal(100), True, Decimal("40.0")),
        (Decimal(50), Decimal(100), True, Decimal("20.0")),
        (Decimal(120), Decimal(100), True, Decimal("40.0")),
        (Decimal(0), Decimal(100), True, Decimal("0.0")),
        (Decimal(0), Decimal(0), False, Decimal("40.0")),
        (Decimal(50), Decimal(0), False, Decimal("20.0")),
        (Decimal(100), Decimal(0), False, Decimal("0.0")),
        (None, Decimal(100), True, Decimal(0)),
    ],
)
def test_score(value: Decimal | None, target: Decimal, at_least: bool, points: Decimal) -> None:
    s = rules.score(
        indicator="x",
        name="月探访率",
        weight=Decimal(40),
        value=value,
        target=target,
        at_least=at_least,
        unit="%",
    )
    assert s.points == points
    assert "/40 分" in s.reason or "不得分" in s.reason
