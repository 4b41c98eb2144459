"""The import over the REST API: the same rules as the page."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from yanglao.accounts.roles import Role
from yanglao.api.tests.conftest import token_body
from yanglao.imports.tests.conftest import csv_bytes, line
from yanglao.people.models import Person

pytestmark = pytest.mark.django_db
PASSWORD = "Yl-test-pass-2026"


def bearer(user: Any) -> dict[str, str]:
    r = Client().post(
        "/api/v1/auth/token",
        token_body(user),
        content_type="application/json",
    )
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_upload_validate_inspect_commit(township: Any, make_user: Callable[..., Any]) -> None:
    c, h = Client(), bearer(township)
    bad = line(seq=2, name="李秀英", phone="139")
    body = {
        "file_name": "台账.csv",
        "content_base64": base64.b64encode(csv_bytes([line(), bad])).decode(),
    }
    r = c.post("/api/v1/imports", body, content_type="application/json", headers=h)
    assert r.status_code == 201, r.content
    batch = r.json()
    assert batch["status"] == "uploaded" and batch["mapping"]["1"] == "id_number"
    url = f"/api/v1/imports/{batch['id']}"
    r = c.post(f"{url}/validate", {}, content_type="application/json", headers=h)
    assert r.json()["counts"]["new"] == 1 and r.json()["counts"]["rejected"] == 1
    rows = c.get(f"{url}/rows", {"status": "rejected"}, headers=h).json()
    assert rows["count"] == 1 and rows["items"][0]["row_no"] == 3
    assert "11位" in rows["items"][0]["errors"][0][1]
    r = c.post(f"{url}/commit", {}, content_type="application/json", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "committed"
    assert Person.objects.count() == 1

    colleague = make_user(Role.TOWNSHIP_OFFICER, "220102001")
    assert c.get(url, headers=bearer(colleague)).status_code == 404


def test_bad_input_is_a_422_in_chinese(township: Any) -> None:
    c, h = Client(), bearer(township)
    r = c.post(
        "/api/v1/imports",
        {"file_name": "a.csv", "content_base64": "@@@"},
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == 422 and "base64" in r.json()["errors"]["content_base64"][0]
    old_xls = base64.b64encode(b"\xd0\xcf\x11\xe0" + b"0" * 100).decode()
    r = c.post(
        "/api/v1/imports",
        {"file_name": "a.xls", "content_base64": old_xls},
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == 422 and "另存为" in r.json()["errors"]["file"][0]
