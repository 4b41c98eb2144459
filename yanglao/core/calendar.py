"""The working calendar read from the database (selector): the exceptions to Monday–Friday
from a date on, loaded in one query for a whole list. Deadlines are computed from it by the
pure core.workdays.add_working_days. No cache: the table holds a few dozen rows a year and one
indexed query per list is cheaper than keeping many processes' caches fresh after an edit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from yanglao.core.models import CalendarDay
from yanglao.core.workdays import NO_EXCEPTIONS


def exceptions_between(first: date, last: date) -> Mapping[date, bool]:
    """{day: working} of the listed days from `first` to `last` (both included)."""
    return dict(
        CalendarDay.objects.filter(day__gte=first, day__lte=last).values_list("day", "working")
    )


def exceptions_from(first: date | None) -> Mapping[date, bool]:
    """{day: working} of every listed day on or after `first` (a deadline counted from
    `first` never looks earlier); None (nothing to count) → no rows."""
    if first is None:
        return NO_EXCEPTIONS
    return dict(CalendarDay.objects.filter(day__gte=first).values_list("day", "working"))


def exceptions_for(starts: Iterable[date | None]) -> Mapping[date, bool]:
    """One query for the deadlines of a whole list: from the earliest start."""
    return exceptions_from(min((s for s in starts if s is not None), default=None))
