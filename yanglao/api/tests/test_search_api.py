"""GET /api/v1/persons?q=: the ledger's search kinds (people.search) through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from yanglao.accounts.roles import Role
from yanglao.people import search, services
from yanglao.people.testing import person_input

pytestmark = pytest.mark.django_db
PERSONS = "/api/v1/persons"


def test_search_kinds_and_refusals(regions, make_user, api_client: Callable[[Any], Any]) -> None:
    officer = make_user(Role.COUNTY_OFFICER, "220102")
    for seq, name in ((1, "王丽英"), (2, "李丽英"), (3, "张秀兰")):
        services.person_register(
            actor=officer, data=person_input("220102001001", name=name, seq=seq)
        )
    client = api_client(officer)
    ok = client.get(PERSONS, {"q": "丽英"})
    assert ok.status_code == 200
    assert {p["name"] for p in ok.json()["items"]} == {"王丽英", "李丽英"}
    assert [p["name"] for p in client.get(PERSONS, {"q": "zxl"}).json()["items"]] == ["张秀兰"]
    bad = client.get(PERSONS, {"q": "1234"})
    assert bad.status_code == 422
    assert bad.json()["errors"]["q"] == [search.TAIL_NEEDS_TOWNSHIP]
    narrowed = client.get(PERSONS, {"q": "1234", "region": "220102001"})
    assert narrowed.status_code == 200
    assert client.get(PERSONS, {"q": "12"}).status_code == 422
