"""Benefits work done just after local midnight is dated by the local day.

At 2026-11-30 16:30 UTC it is 2026-12-01 00:30 in Beijing. A person born 1946-12-01 turns 80
that local day, so the nightly run lists them for 高龄津贴 (N06) on 2026-12-01; on the UTC
day they would be 79 and not listed at all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import unquote

import pytest
import time_machine
from django.test import Client

from yanglao.benefits import services
from yanglao.benefits.tests.test_api import BASE, api
from yanglao.core import sheets
from yanglao.people.models import Person

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 2026-12-01 00:30 Asia/Shanghai


def test_discovery_export_and_api_use_the_local_day(
    nanguan_list: Any, make_person: Callable[..., Person], worker: Any, township: Any
) -> None:
    make_person(date(1946, 12, 1), name="孙凤芝")
    with time_machine.travel(AT, tick=False):
        services.nightly()  # the cron job's default date is "today", the local one
        c = Client()
        c.force_login(worker)
        r = c.get("/benefits/discovery/export.xlsx?item=N06")
        listed = api(township).get(f"{BASE}/candidates", {"item": "N06"}).json()
    name = unquote(r["Content-Disposition"].split("''", 1)[1])
    assert name == "应保未保名单-20261201.xlsx"
    rows = sheets.read_xlsx_bytes(b"".join(r.streaming_content))  # type: ignore[attr-defined]
    line = dict(zip(rows[0], rows[1], strict=False))
    assert line["姓名"] == "孙凤芝" and line["首次发现"] == "2026-12-01"
    assert [(i["person_name"], i["first_found"]) for i in listed["items"]] == [
        ("孙凤芝", "2026-12-01")
    ]


def test_decision_time_in_the_api_is_local(
    nanguan_list: Any, make_person: Callable[..., Person], worker: Any, township: Any
) -> None:
    p = make_person(date(1940, 5, 1))
    with time_machine.travel(AT, tick=False):
        w = api(worker)
        r = w.post(
            f"{BASE}/persons/{p.public_id}/applications",
            {"item_code": "N06", "account": "6217000012345678"},
        )
        assert r.status_code == 201, r.content
        r = api(township).post(
            f"{BASE}/applications/{r.json()['id']}/decisions", {"approve": True, "reason": "属实"}
        )
    body = r.json()
    assert body["accepted_on"] == "2026-12-01"
    assert [d["at"] for d in body["decisions"]] == ["2026-12-01T00:30:00+08:00"] * 2
