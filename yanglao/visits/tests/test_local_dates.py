"""Visit work done just after local midnight on the 1st belongs to the new local month.

At 2026-11-30 16:30 UTC it is 2026-12-01 00:30 in Beijing: the default month of the cron job,
the pages, the exports and the API is 2026-12, the offline app's "today" is 2026-12-01."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import unquote

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from yanglao.api.tests.conftest import ApiClient
from yanglao.core import sheets
from yanglao.visits import services
from yanglao.visits.models import VisitTask

from .conftest import World

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 2026-12-01 00:30 Asia/Shanghai


def _file_name(response: Any) -> str:
    return unquote(response["Content-Disposition"].split("''", 1)[1])


@pytest.mark.parametrize(
    ("url", "params", "file_name"),
    [
        ("/visits/coverage/export.xlsx", {"region": "220102001"}, "月探访率-南岭街道-2026-12.xlsx"),
        (
            "/visits/coverage/people/",
            {"region": "220102001", "format": "xlsx"},
            "探访名单-南岭街道-2026-12-全部.xlsx",
        ),
    ],
)
def test_exports_default_to_the_local_month(
    world: World, url: str, params: dict[str, str], file_name: str
) -> None:
    p = world.person(name="李淑珍")
    services.assign(actor=world.township, people=[p], worker=world.worker1)
    with time_machine.travel(AT, tick=False):
        call_command("visits_generate")  # no --month: the local month
        c = Client()
        c.force_login(world.county)
        r = c.get(url, params)
    assert VisitTask.objects.get().period_start == date(2026, 12, 1)
    assert r.status_code == 200 and _file_name(r) == file_name
    rows = sheets.read_xlsx_bytes(b"".join(r.streaming_content))  # type: ignore[attr-defined]
    assert len(rows) >= 2


def test_app_and_api_answer_with_the_local_day(
    world: World, api_client: Callable[[Any], ApiClient]
) -> None:
    with time_machine.travel(AT, tick=False):
        c = Client()
        c.force_login(world.worker1)
        data = c.get("/visits/app/data.json").json()
        coverage = api_client(world.county).get("/api/v1/visits/coverage").json()
    assert data["today"] == "2026-12-01"
    assert coverage["month"] == "2026-12"
