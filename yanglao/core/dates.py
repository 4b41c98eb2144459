"""Dates as people read them: the calendar day on the wall clock of settings.TIME_ZONE.

A stored timestamp is an instant (UTC in the database). The day printed on a report, written
to a spreadsheet or returned by the API is the local (Asia/Shanghai) day: `.date()` on an
aware UTC value gives the previous day between 00:00 and 08:00 Beijing time. Everything that
turns a timestamp into text goes through here. Templates need nothing: with USE_TZ, Django's
`|date` filter converts to the current time zone first.

Naive datetimes are taken as already local wall-clock times (what a spreadsheet cell holds).
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.utils import timezone

ISO_DATE = "%Y-%m-%d"  # 2026-11-30, the default everywhere
CN_DATE = "%Y年%m月%d日"  # 2026年11月30日, printed forms (the assessment report)
MINUTES = "%Y-%m-%d %H:%M"


def local_datetime(value: datetime) -> datetime:
    """An aware datetime on the local wall clock; naive values are returned unchanged."""
    return timezone.localtime(value) if timezone.is_aware(value) else value


def local_date(value: date | datetime) -> date:
    """The local calendar day of a timestamp; a plain date is returned as it is."""
    if isinstance(value, datetime):
        return local_datetime(value).date()
    return value


def fmt_date(value: date | datetime | None, fmt: str = ISO_DATE) -> str:
    """'2026-11-30' (or `fmt`) for a date or the local day of a timestamp; '' for None."""
    if value is None:
        return ""
    day = local_date(value)
    return day.isoformat() if fmt == ISO_DATE else day.strftime(fmt)  # strftime: year 1 → '1'


def fmt_datetime(value: datetime | None, fmt: str = MINUTES) -> str:
    """'2026-11-30 00:30' on the local wall clock; '' for None."""
    return "" if value is None else local_datetime(value).strftime(fmt)


def iso_datetime(value: datetime) -> str:
    """ISO 8601 with the local offset, '2026-11-30T00:30:00+08:00' (API answers): the same
    instant as UTC, but its first ten characters are the local day."""
    return local_datetime(value).isoformat(timespec="seconds")


_MONTH = re.compile(r"^([0-9]{4})-([0-9]{1,2})$")


def parse_month(text: str | None) -> date | None:
    """'2026-03' → date(2026, 3, 1); None for anything else (a query parameter is hostile)."""
    m = _MONTH.match((text or "").strip())
    if m is None or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
        return None
    return date(int(m.group(1)), int(m.group(2)), 1)


def days_overdue(due: date | None, today: date) -> int:
    """Whole days past a deadline: 0 on the due day and before it, or without a deadline.
    A to-do shows it in red ("逾期3天") and sorts by it, most overdue first."""
    if due is None or due >= today:
        return 0
    return (today - due).days


def days_since(start: date | datetime, today: date) -> int:
    """Whole days since something happened (a timestamp taken as Beijing local date); an
    open emergency shows how long it has been open ("已2天")."""
    return max((today - local_date(start)).days, 0)
