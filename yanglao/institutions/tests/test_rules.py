"""Pure rules, table-driven at every boundary."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from yanglao.institutions import rules


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("91350100M000100Y43", True),  # GB 32100-2015 example
        ("91110000600037341L", True),
        ("91350100M000100Y44", False),  # check character off by one
        ("91350100M000100Y4", False),  # 17 characters
        ("91350100M000100Y433", False),  # 19
        ("91350100I000100Y43", False),  # I is not in the character set
        ("A1350100M000100Y43", False),  # no such registration authority
        ("913501X0M000100Y43", False),  # region code not digits
        ("", False),
    ],
)
def test_credit_code(code: str, ok: bool) -> None:
    assert (rules.credit_code_errors(code) == []) is ok


def test_credit_code_normalised_from_what_offices_type() -> None:
    assert (
        rules.normalise_credit_code(" ９１３５０１００ｍ０００１００ｙ４３ ")
        == "91350100M000100Y43"
    )


@pytest.mark.parametrize(
    ("first", "due"),
    [
        (date(2026, 11, 2), date(2026, 11, 16)),  # Monday → two weeks later
        (date(2026, 11, 6), date(2026, 11, 20)),  # Friday → Friday
        (date(2026, 11, 7), date(2026, 11, 20)),  # Saturday: counting starts Monday
        (date(2026, 11, 8), date(2026, 11, 20)),  # Sunday
        (date(2026, 12, 28), date(2027, 1, 11)),  # across the new year
    ],
)
def test_filing_due_is_ten_working_days(first: date, due: date) -> None:
    assert rules.filing_due(first) == due


def test_filing_due_skips_listed_holidays() -> None:
    holidays = {date(2026, 10, d): False for d in range(1, 9)}  # 国庆 (Thu 1 – Thu 8)
    assert rules.filing_due(date(2026, 9, 30), holidays) == date(2026, 10, 22)


def test_filing_due_counts_an_adjusted_working_saturday() -> None:
    # 春节 2026: Mon 16 – Mon 23 February off, Saturday 28 February worked (调休上班).
    cal = {date(2026, 2, d): False for d in (16, 17, 18, 19, 20, 23)}
    cal[date(2026, 2, 14)] = cal[date(2026, 2, 28)] = True
    assert rules.filing_due(date(2026, 2, 13), cal) == date(2026, 3, 5)
    assert rules.filing_due(date(2026, 2, 13)) == date(2026, 2, 27)  # weekends only


@pytest.mark.parametrize(
    ("beds", "errors"),
    [
        (rules.Beds(100, 60, 10), 0),
        (rules.Beds(100, 100, 100), 0),
        (rules.Beds(100, 101, 0), 1),
        (rules.Beds(100, 0, 101), 1),
        (rules.Beds(0, 0, 0), 0),
        (rules.Beds(-1, 0, 0), 1),
    ],
)
def test_bed_errors(beds: rules.Beds, errors: int) -> None:
    assert len(rules.bed_errors(beds)) == errors


@pytest.mark.parametrize(
    ("nursing", "total", "share", "meets"),
    [
        (60, 100, Decimal("60.0"), True),  # exactly the 60% target
        (59, 100, Decimal("59.0"), False),
        (2, 3, Decimal("66.7"), True),
        (0, 0, None, None),
    ],
)
def test_nursing_share_target(
    nursing: int, total: int, share: Decimal | None, meets: bool | None
) -> None:
    assert rules.share(nursing, total) == share
    assert rules.meets_nursing_target(rules.Beds(total, nursing, 0)) is meets
