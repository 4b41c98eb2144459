"""Pure rules of the department reports, table-driven at every boundary."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from yanglao.reporting import rules
from yanglao.reporting.choices import PeriodType as P

M, Q, Y = P.MONTHLY, P.QUARTERLY, P.YEARLY


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        (M, "2026-10", date(2026, 10, 1)),
        (M, "2026年10月", date(2026, 10, 1)),
        (M, "２０２６－１０", date(2026, 10, 1)),  # full-width digits and hyphen
        (M, "２０２６年１０月", date(2026, 10, 1)),  # full-width digits
        (M, "2026/1", date(2026, 1, 1)),
        (M, "2026-13", None),
        (M, "2026-00", None),
        (M, "1999-12", None),
        (M, "2026", None),
        (M, "", None),
        (M, "2026-10\x00", None),
        (Q, "2026-Q3", date(2026, 7, 1)),
        (Q, "2026q4", date(2026, 10, 1)),
        (Q, "2026年第1季度", date(2026, 1, 1)),
        (Q, "2026年第三季度", date(2026, 7, 1)),
        (Q, "2026-Q5", None),
        (Q, "2026-Q0", None),
        (Y, "2026", date(2026, 1, 1)),
        (Y, "2026年", date(2026, 1, 1)),
        (Y, "26", None),
        (Y, "𠀀", None),
    ],
)
def test_parse_period(kind: str, raw: str, expected: date | None) -> None:
    assert rules.parse_period(kind, raw) == expected


@pytest.mark.parametrize(
    ("kind", "start", "key", "label", "end"),
    [
        (M, date(2026, 2, 1), "2026-02", "2026年2月", date(2026, 2, 28)),
        (M, date(2028, 2, 1), "2028-02", "2028年2月", date(2028, 2, 29)),
        (Q, date(2026, 10, 1), "2026-Q4", "2026年第4季度", date(2026, 12, 31)),
        (Q, date(2026, 1, 1), "2026-Q1", "2026年第1季度", date(2026, 3, 31)),
        (Y, date(2026, 1, 1), "2026", "2026年", date(2026, 12, 31)),
    ],
)
def test_period_key_label_end(kind: str, start: date, key: str, label: str, end: date) -> None:
    assert rules.period_key(kind, start) == key
    assert rules.period_label(kind, start) == label
    assert rules.period_end(kind, start) == end
    assert rules.parse_period(kind, key) == start


@pytest.mark.parametrize(
    ("kind", "start", "due_day", "due"),
    [
        (M, date(2026, 10, 1), 10, date(2026, 11, 10)),  # 10th of the following month
        (M, date(2026, 12, 1), 10, date(2027, 1, 10)),  # across the year
        (M, date(2026, 1, 1), 31, date(2026, 2, 28)),  # clamped to February
        (Q, date(2026, 7, 1), 15, date(2026, 10, 15)),  # the month after the quarter
        (Q, date(2026, 10, 1), 15, date(2027, 1, 15)),
        (Y, date(2026, 1, 1), 31, date(2027, 1, 31)),
    ],
)
def test_due_date(kind: str, start: date, due_day: int, due: date) -> None:
    assert rules.due_date(kind, start, due_day) == due


@pytest.mark.parametrize(
    ("kind", "today", "last"),
    [
        (M, date(2026, 11, 1), date(2026, 10, 1)),
        (M, date(2026, 11, 30), date(2026, 10, 1)),
        (M, date(2026, 1, 5), date(2025, 12, 1)),
        (Q, date(2026, 10, 1), date(2026, 7, 1)),
        (Q, date(2026, 9, 30), date(2026, 4, 1)),
        (Y, date(2026, 11, 30), date(2025, 1, 1)),
    ],
)
def test_last_complete(kind: str, today: date, last: date) -> None:
    assert rules.last_complete(kind, today) == last


@pytest.mark.parametrize(
    ("start", "ok"),
    [
        (date(2026, 10, 1), True),  # the month just ended
        (date(2026, 11, 1), False),  # still running
        (date(2023, 1, 1), True),  # oldest kept (KEEP_YEARS = 3)
        (date(2022, 12, 1), False),
        (None, False),
    ],
)
def test_period_errors(start: date | None, ok: bool) -> None:
    assert (rules.period_errors(M, start, date(2026, 11, 30)) == []) is ok


@pytest.mark.parametrize(
    ("submitted", "today", "state", "days", "late"),
    [
        (date(2026, 11, 10), date(2026, 11, 30), "on_time", 0, False),  # on the due date
        (date(2026, 11, 1), date(2026, 11, 30), "on_time", 0, False),
        (date(2026, 11, 11), date(2026, 11, 30), "late", 1, True),  # the day after
        (date(2026, 11, 20), date(2026, 11, 30), "late", 10, True),
        (None, date(2026, 11, 10), "not_due", 0, False),  # missing, due today
        (None, date(2026, 11, 11), "missing_overdue", 1, True),
        (None, date(2026, 11, 30), "missing_overdue", 20, True),
    ],
)
def test_timeliness(submitted: date | None, today: date, state: str, days: int, late: bool) -> None:
    t = rules.timeliness(date(2026, 11, 10), submitted, today)
    assert (t.state, t.days_late, t.is_late) == (state, days, late)
    assert t.label  # every state has a Chinese label


@pytest.mark.parametrize(
    ("expected", "received", "rate"),
    [
        (0, 0, None),
        (3, 0, Decimal("0.0")),
        (3, 1, Decimal("33.3")),
        (3, 2, Decimal("66.7")),  # half up
        (3, 3, Decimal("100.0")),
        (8, 1, Decimal("12.5")),
        (2, 5, Decimal("100.0")),  # never above 100 %
    ],
)
def test_reporting_rate(expected: int, received: int, rate: Decimal | None) -> None:
    assert rules.reporting_rate(expected, received) == rate


@pytest.mark.parametrize(
    ("raw", "value", "error"),
    [
        ("120", 120, None),
        ("0", 0, None),
        (" 1,234 ", 1234, None),
        ("1，234", 1234, None),
        ("１２０", 120, None),  # full-width digits normalised
        ("12.0", 12, None),
        ("", None, None),
        ("　", None, None),
        ("-3", None, "不能为负数"),
        ("12.5", None, "应为整数（人数、户数、部数不能有小数）"),
        ("十二", None, "请用阿拉伯数字填写（如 120）"),
        ("12人", None, "应为不小于0的整数"),
        ("𠀀", None, "应为不小于0的整数"),
        ("1e5", None, "应为不小于0的整数"),
        ("10000000", 10_000_000, None),
        ("10000001", None, "数值过大（不超过10,000,000）"),
        ("9" * 41, None, "数字过长"),
        ("²", None, "应为不小于0的整数"),
    ],
)
def test_parse_count(raw: str, value: int | None, error: str | None) -> None:
    assert rules.parse_count(raw) == (value, error)


def test_approver_is_the_level_above() -> None:
    assert rules.approver_level(4) == 3  # township reports, county approves
    assert rules.approver_level(5) == 4  # village reports, township approves
