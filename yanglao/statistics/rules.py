"""Pure rules of the statistics module: periods, figures, small-cell suppression, scores.
No ORM; table-driven tests in tests/test_rules.py."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

# Late visit records and roll approvals still arrive in the first days of the next month
# (visits.rules.GRACE_DAYS: records may be uploaded 5 days late); a month is closed, and its
# figures frozen, from the 6th day after its end.
GRACE_DAYS = 5
# 统计调查 practice: in anything public, a count of people below this is not shown (nor a
# rate whose numerator or denominator is), so that nobody can be recognised in a village.
SMALL_CELL = 5
SUPPRESSED = "<5"


def month_start(d: date) -> date:
    return d.replace(day=1)


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return date(d.year + y, m + 1, 1)


def closes_on(period: date) -> date:
    """First day on which the month starting `period` is closed."""
    return month_end(period) + timedelta(days=GRACE_DAYS + 1)


def is_closed(period: date, today: date) -> bool:
    return today >= closes_on(period)


def as_of(period: date, today: date) -> date:
    """The reference day of a period's figures: its last day, or today while it runs."""
    return min(month_end(period), today)


def parse_period(text: str) -> date | None:
    """'2026-11' → date(2026, 11, 1); anything else (full-width digits, junk) → None."""
    text = (text or "").strip()
    if len(text) != 7 or text[4] != "-" or not text.isascii():
        return None
    y, m = text[:4], text[5:]
    if not (y.isdigit() and m.isdigit()) or not 1 <= int(m) <= 12 or not 2000 <= int(y) <= 2100:
        return None
    return date(int(y), int(m), 1)


def figure(numerator: int, denominator: int | None, factor: int) -> Decimal | None:
    """The displayed value: a count, or numerator/denominator × factor with one decimal
    (None when the denominator is 0)."""
    if factor == 1 or denominator is None:
        return Decimal(numerator)
    if denominator == 0:
        return None
    value = Decimal(numerator) * factor / Decimal(denominator)
    return value.quantize(Decimal("0.1"), ROUND_HALF_UP)


def suppress(n: int | None, counts_people: bool) -> bool:
    """Whether a public count must be hidden (1–4 people; 0 is shown)."""
    return counts_people and n is not None and 0 < n < SMALL_CELL


def public_figure(
    numerator: int, denominator: int | None, factor: int, counts_people: bool
) -> str | None:
    """The figure as the public sees it: None when suppressed."""
    if suppress(numerator, counts_people) or suppress(denominator, counts_people):
        return None
    value = figure(numerator, denominator, factor)
    return None if value is None else str(value)


@dataclass(frozen=True)
class Score:
    indicator: str
    weight: Decimal
    value: Decimal | None
    target: Decimal
    points: Decimal
    reason: str


def score(
    *,
    indicator: str,
    name: str,
    weight: Decimal,
    value: Decimal | None,
    target: Decimal,
    at_least: bool,
    unit: str,
) -> Score:
    """Points of one weighted indicator (绩效评估): the full weight at or beyond the target,
    pro rata below it (for an at-most target: full at or below, nothing at twice the target
    or more); no figure scores nothing. The reason says why, in Chinese."""
    zero = Decimal(0)
    if value is None:
        return Score(indicator, weight, None, target, zero, f"{name}：无数据，不得分")
    if at_least:
        ratio = Decimal(1) if target <= 0 else min(Decimal(1), max(zero, value / target))
        cmp = "达到" if value >= target else "未达到"
        reason = f"{name} {value}{unit}，{cmp}目标 {target}{unit}"
    else:
        if value <= target:
            ratio = Decimal(1)
        else:
            span = target if target > 0 else Decimal(100)
            ratio = max(zero, 1 - (value - target) / span)
        cmp = "不高于" if value <= target else "高于"
        reason = f"{name} {value}{unit}，{cmp}目标 {target}{unit}"
    points = (weight * ratio).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return Score(indicator, weight, value, target, points, f"{reason}，得 {points}/{weight} 分")
