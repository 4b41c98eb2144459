"""Working days (core.workdays), table-driven at every boundary, and the seeded calendar
(core.CalendarDay, migration 0006) read through core.calendar."""

from __future__ import annotations

from datetime import date

import pytest

from yanglao.core import calendar
from yanglao.core.models import CalendarDay
from yanglao.core.workdays import add_working_days, is_working_day

# 春节 2026 as the notice sets it: Sun 15 – Mon 23 February off (weekdays 16–20, 23 listed),
# Saturday 14 and Saturday 28 February worked (调休上班).
SPRING_2026 = {date(2026, 2, d): False for d in (16, 17, 18, 19, 20, 23)} | {
    date(2026, 2, 14): True,
    date(2026, 2, 28): True,
}


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 3, 2), 0, date(2026, 3, 2)),  # nothing to count: the start itself
        (date(2026, 3, 2), 1, date(2026, 3, 3)),  # Monday: start not counted
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Friday → Monday
        (date(2026, 3, 7), 1, date(2026, 3, 9)),  # Saturday → Monday
        (date(2026, 3, 8), 5, date(2026, 3, 13)),  # Sunday → Friday
        (date(2026, 3, 2), 10, date(2026, 3, 16)),
        (date(2026, 12, 31), 1, date(2027, 1, 1)),  # across the year, no row for 2027
        # 春节 2026
        (date(2026, 2, 12), 1, date(2026, 2, 13)),  # Thursday → Friday, before the break
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Friday → the 调休 Saturday
        (date(2026, 2, 14), 1, date(2026, 2, 24)),  # the 调休 Saturday → first day back
        (date(2026, 2, 15), 1, date(2026, 2, 24)),  # inside the break
        (date(2026, 2, 23), 1, date(2026, 2, 24)),  # last day off → Tuesday
        (date(2026, 2, 27), 1, date(2026, 2, 28)),  # Friday → the second 调休 Saturday
        (date(2026, 2, 28), 1, date(2026, 3, 2)),  # Saturday worked → Monday
        (date(2026, 2, 13), 10, date(2026, 3, 5)),  # filing deadline across the break
        (date(2026, 2, 10), 15, date(2026, 3, 9)),  # feedback answer across the break
        (date(2026, 2, 2), 20, date(2026, 3, 6)),  # publication across the break
    ],
)
def test_add_working_days(start: date, days: int, due: date) -> None:
    assert add_working_days(start, days, SPRING_2026) == due


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 2, 13), 10, date(2026, 2, 27)),  # the same without the calendar
        (date(2026, 2, 13), 1, date(2026, 2, 16)),
    ],
)
def test_weekends_only_without_exceptions(start: date, days: int, due: date) -> None:
    assert add_working_days(start, days) == due


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 13), True),  # Friday
        (date(2026, 2, 14), True),  # Saturday, 调休上班
        (date(2026, 2, 15), False),  # Sunday
        (date(2026, 2, 16), False),  # Monday, 春节
        (date(2026, 2, 21), False),  # Saturday
        (date(2026, 2, 24), True),  # Tuesday
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert is_working_day(day, SPRING_2026) is working


@pytest.mark.django_db
def test_seeded_calendar_holds_only_the_exceptions() -> None:
    rows = CalendarDay.objects.all()
    assert all(r.working == (r.day.weekday() >= 5) for r in rows)  # never a plain day
    y2025 = rows.filter(day__year=2025)
    y2026 = rows.filter(day__year=2026)
    # 2025: 1 + 6 + 1 + 3 + 1 + 6 weekdays off; 5 working weekends.
    assert y2025.filter(working=False).count() == 18
    assert sorted(y2025.filter(working=True).values_list("day", flat=True)) == [
        date(2025, 1, 26),
        date(2025, 2, 8),
        date(2025, 4, 27),
        date(2025, 9, 28),
        date(2025, 10, 11),
    ]
    # 2026: 元旦 2 + 春节 6 + 清明 1 + 劳动 3 + 端午 1 + 中秋 1 + 国庆 5 weekdays off.
    assert y2026.filter(working=False).count() == 19
    assert sorted(y2026.filter(working=True).values_list("day", flat=True)) == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]
    assert y2026.get(day=date(2026, 2, 16)).name == "春节"


@pytest.mark.django_db
def test_selector_reads_the_range() -> None:
    spring = calendar.exceptions_between(date(2026, 2, 1), date(2026, 2, 28))
    assert spring == SPRING_2026
    later = calendar.exceptions_from(date(2026, 2, 24))
    assert date(2026, 2, 23) not in later and later[date(2026, 2, 28)] is True
    assert calendar.exceptions_for([None, date(2026, 2, 24), date(2026, 3, 1)]) == later
    assert calendar.exceptions_for([None]) == {}
    # 国庆 2026 through the seeded rows: 10 working days from Wednesday 30 September.
    assert add_working_days(
        date(2026, 9, 30), 10, calendar.exceptions_from(date(2026, 9, 30))
    ) == date(2026, 10, 20)  # 8, 9, the 调休 Saturday 10, then 12–16, 19, 20
