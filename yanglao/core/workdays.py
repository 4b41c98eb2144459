"""Working days (工作日), pure (no ORM): Monday to Friday, except the days the calendar lists
(core.models.CalendarDay): public holidays on weekdays (放假, False) and adjusted working
weekends (调休上班, True). Table-tested at every boundary in tests/test_workdays.py; the
rows come from core.calendar.exceptions_from()."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from types import MappingProxyType

# No exceptions: weekends only (what a pure test passes when holidays do not matter).
NO_EXCEPTIONS: Mapping[date, bool] = MappingProxyType({})


def is_working_day(d: date, exceptions: Mapping[date, bool] = NO_EXCEPTIONS) -> bool:
    """Monday–Friday unless the calendar says otherwise."""
    return exceptions.get(d, d.weekday() < 5)


def add_working_days(
    start: date, days: int, exceptions: Mapping[date, bool] = NO_EXCEPTIONS
) -> date:
    """The date `days` working days after `start` (start itself not counted; 0 → start)."""
    d, left = start, days
    while left > 0:
        d += timedelta(days=1)
        if is_working_day(d, exceptions):
            left -= 1
    return d
