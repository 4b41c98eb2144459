"""The count behind one line of a workbench to-do list (yanglao.site.workbench).

Each app that owns the work answers with a `Todo` from its selectors (set-based, scoped);
the top app only arranges them. Kept here, at the bottom, so every app can return one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from yanglao.core.dates import days_overdue, days_since


@dataclass(frozen=True)
class Todo:
    """How many, how many of them are late, and the oldest late one's days late (0: none)."""

    total: int
    late: int = 0
    late_days: int = 0


def counted(total: int, late: int = 0, oldest_due: date | None = None, *, today: date) -> Todo:
    """A to-do whose late ones are those past a deadline; `oldest_due` the earliest of them."""
    return Todo(total, late, days_overdue(oldest_due, today) if late else 0)


def all_urgent(total: int, oldest: date | datetime | None, *, today: date) -> Todo:
    """A to-do that is urgent from the first day (an open emergency): every one counts as
    late, and the days are how long the oldest has been open."""
    return Todo(total, total, days_since(oldest, today) if total and oldest else 0)
