"""Local dates: a timestamp is printed as its Asia/Shanghai day, at every boundary (no ORM)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from yanglao.core import dates
from yanglao.core.models import AuditEvent
from yanglao.core.sheets import cell_text, csv_lines, read_xlsx_bytes, write_xlsx

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


# (instant, local day, local minute) around local midnight, the 08:00 UTC-day change and a
# month/year end; the UTC day differs from the local day in every row marked *.
BOUNDARIES = [
    (utc(2026, 11, 29, 16, 30), date(2026, 11, 30), "2026-11-30 00:30"),  # * 00:30 Beijing
    (utc(2026, 11, 29, 15, 59, 59), date(2026, 11, 29), "2026-11-29 23:59"),
    (utc(2026, 11, 29, 16, 0), date(2026, 11, 30), "2026-11-30 00:00"),  # * local midnight
    (utc(2026, 11, 29, 23, 59), date(2026, 11, 30), "2026-11-30 07:59"),  # * 07:59 Beijing
    (utc(2026, 11, 30, 0, 0), date(2026, 11, 30), "2026-11-30 08:00"),
    (utc(2026, 11, 30, 16, 30), date(2026, 12, 1), "2026-12-01 00:30"),  # * new month
    (utc(2026, 12, 31, 17, 0), date(2027, 1, 1), "2027-01-01 01:00"),  # * new year
    (datetime(2026, 11, 30, 0, 30, tzinfo=SHANGHAI), date(2026, 11, 30), "2026-11-30 00:30"),
    (datetime(2026, 11, 30, 0, 30), date(2026, 11, 30), "2026-11-30 00:30"),  # noqa: DTZ001
]


@pytest.mark.parametrize(("instant", "day", "minute"), BOUNDARIES)
def test_timestamps_print_as_the_local_day(instant: datetime, day: date, minute: str) -> None:
    assert dates.local_date(instant) == day
    assert dates.fmt_date(instant) == day.isoformat()
    assert dates.fmt_date(instant, dates.CN_DATE) == f"{day:%Y年%m月%d日}"
    assert dates.fmt_datetime(instant) == minute
    assert dates.iso_datetime(instant)[:10] == day.isoformat()
    # The same instant, whatever zone it came in.
    if instant.tzinfo is not None:
        assert datetime.fromisoformat(dates.iso_datetime(instant)) == instant


@pytest.mark.parametrize(
    ("value", "text"),
    [(date(2026, 11, 29), "2026-11-29"), (None, ""), (date(1, 1, 1), "0001-01-01")],
)
def test_plain_dates_and_none(value: date | None, text: str) -> None:
    assert dates.fmt_date(value) == text
    assert dates.fmt_datetime(None) == ""


def test_api_form_carries_the_local_offset() -> None:
    assert dates.iso_datetime(utc(2026, 11, 29, 16, 30)) == "2026-11-30T00:30:00+08:00"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (utc(2026, 11, 29, 16, 30), "2026-11-30 00:30:00"),
        (utc(2026, 11, 29, 16, 0), "2026-11-30"),  # local midnight: a date cell
        # naive (read from a sheet): taken as local wall-clock time, unchanged
        (datetime(2026, 11, 29, 0, 0), "2026-11-29"),  # noqa: DTZ001
        (datetime(2026, 11, 29, 16, 30), "2026-11-29 16:30:00"),  # noqa: DTZ001
    ],
)
def test_spreadsheet_cells_of_timestamps_are_local(value: datetime, text: str) -> None:
    assert cell_text(value) == text


def test_xlsx_and_csv_writers_write_the_local_day() -> None:
    import io

    at = utc(2026, 11, 29, 16, 30)
    buf = io.BytesIO()
    write_xlsx(buf, ["时间", "日期"], [[at, dates.local_date(at)]])
    assert read_xlsx_bytes(buf.getvalue())[1] == ["2026-11-30 00:30:00", "2026-11-30"]
    lines = list(csv_lines(["时间"], [[at]]))
    assert lines[1].strip() == "2026-11-30 00:30:00"


@pytest.mark.parametrize(("instant", "day", "minute"), BOUNDARIES[:7])
def test_template_date_filter_already_converts(instant: datetime, day: date, minute: str) -> None:
    """Templates use |date on aware values; Django converts to TIME_ZONE first (USE_TZ)."""
    out = Template('{{ t|date:"Y-m-d" }}|{{ t|date:"Y-m-d H:i" }}|{{ t|date:"Y年n月j日" }}')
    assert out.render(Context({"t": instant})) == (
        f"{day.isoformat()}|{minute}|{day.year}年{day.month}月{day.day}日"
    )


def test_audit_event_text_is_local() -> None:
    e = AuditEvent(occurred_at=utc(2026, 11, 29, 16, 30), actor_username="a", action="x.y")
    assert str(e) == "2026-11-30 00:30 a x.y"


@pytest.mark.django_db
def test_audit_log_page_shows_local_time_and_filters_by_local_day(
    regions: None, make_user: Callable[..., Any]
) -> None:
    """An event at 00:30 Beijing is shown at 00:30 and found under that day, not the UTC one."""
    import time_machine
    from django.db import transaction
    from django.test import Client

    from yanglao.accounts.roles import Role
    from yanglao.core.audit import audit

    auditor = make_user(Role.AUDITOR, "220102", mode="stats")
    at = utc(2026, 11, 29, 16, 30)
    with time_machine.travel(at, tick=False):
        with transaction.atomic():
            audit(actor=auditor, action="person.update", object_label="午夜", region_code="220102")
        c = Client()
        c.force_login(auditor)
        page = c.get("/audit/", {"date_from": "2026-11-30", "date_to": "2026-11-30"})
        before = c.get("/audit/", {"date_from": "2026-11-29", "date_to": "2026-11-29"})
    assert "2026-11-30 00:30" in page.content.decode()
    assert "午夜" not in before.content.decode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03", date(2026, 3, 1)),
        ("2026-3", date(2026, 3, 1)),
        (" 2026-12 ", date(2026, 12, 1)),
        ("2026-13", None),
        ("2026-00", None),
        ("abc", None),
        ("", None),
        (None, None),
        ("٢٠٢٦-٠٣", None),  # Arabic-Indic digits: int() would take them
        ("2026-03-01", None),
        ("0000-01", None),
        ("9" * 40, None),
    ],
)
def test_parse_month(text, expected) -> None:
    from yanglao.core.dates import parse_month

    assert parse_month(text) == expected
