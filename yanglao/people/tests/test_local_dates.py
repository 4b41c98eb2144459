"""Exports and API answers of the ledger made just after local midnight carry the local day.

At 2026-11-30 16:30 UTC it is 2026-12-01 00:30 in Beijing: a new day and a new month. A person
born 1946-12-01 turns 80 on the local day (79 on the UTC one)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import pytest
import time_machine
from django.test import Client

from yanglao.accounts.roles import Role
from yanglao.api.tests.conftest import token_body
from yanglao.core import sheets
from yanglao.people import services
from yanglao.people.models import Person
from yanglao.people.testing import person_input

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 2026-12-01 00:30 Asia/Shanghai
LOCAL_DAY = "2026-12-01"
PASSWORD = "Yl-test-pass-2026"


@pytest.fixture
def officer(regions: None, make_user: Callable[..., Any]) -> Any:
    return make_user(Role.COUNTY_OFFICER, "220102", password=PASSWORD)


@pytest.fixture
def person(officer: Any) -> Person:
    with time_machine.travel(AT, tick=False):
        p, _ = services.person_register(
            actor=officer, data=person_input("220102001001", name="赵玉兰", birth=date(1946, 12, 1))
        )
    return p


def _file_name(response: Any) -> str:
    return unquote(response["Content-Disposition"].split("''", 1)[1])


def _rows(response: Any, fmt: str) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "xlsx":
        return sheets.read_xlsx_bytes(body)
    import csv
    import io

    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_ledger_export_names_and_ages_by_the_local_day(
    officer: Any, person: Person, fmt: str
) -> None:
    c = Client()
    with time_machine.travel(AT, tick=False):
        c.force_login(officer)
        r = c.get(f"/people/export.{fmt}")
    assert r.status_code == 200
    assert _file_name(r) == f"老年人台账-20261201.{fmt}"
    rows = _rows(r, fmt)
    line = dict(zip(rows[0], rows[1], strict=False))
    assert line["姓名"] == "赵玉兰" and line["出生日期"] == "1946-12-01"
    assert line["年龄"] == "80"  # 79 on the UTC day


def test_api_timestamps_are_local(officer: Any, person: Person) -> None:
    c = Client()
    with time_machine.travel(AT, tick=False):
        r = c.post("/api/v1/auth/token", token_body(officer), content_type="application/json")
        token = r.json()
        detail = c.get(
            f"/api/v1/persons/{person.public_id}",
            headers={"Authorization": f"Bearer {token['token']}"},
        ).json()
    # The instant is unchanged; it is written on the local clock, so its date is the local day.
    assert detail["created_at"] == f"{LOCAL_DAY}T00:30:00+08:00"
    assert detail["updated_at"] == f"{LOCAL_DAY}T00:30:00+08:00"
    assert datetime.fromisoformat(detail["created_at"]) == AT
    expires = datetime.fromisoformat(token["expires_at"])
    assert expires.utcoffset() == timedelta(hours=8)
    assert expires > AT
