"""The benefits API: eligibility with missing facts, the three steps, 403 for a step the
role may not take, 404 for another county, 422 in Chinese."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from yanglao.accounts.roles import Role
from yanglao.api.tests.conftest import ApiClient, token_body
from yanglao.people.models import Person

pytestmark = pytest.mark.django_db
PASSWORD = "Yl-test-pass-2026"
BASE = "/api/v1/benefits"


def api(user: Any) -> ApiClient:
    r = Client().post(
        "/api/v1/auth/token",
        token_body(user),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    return ApiClient(str(r.json()["token"]))


def test_application_through_three_levels(
    nanguan_list: Any,
    make_person: Callable[..., Person],
    worker: Any,
    township: Any,
    county_officer: Any,
) -> None:
    p = make_person(date(1940, 5, 1), severe_disability="")
    w, t, c = api(worker), api(township), api(county_officer)
    rows = {r["code"]: r for r in w.get(f"{BASE}/persons/{p.public_id}/eligibility").json()}
    assert rows["N06"]["eligible"] is True and rows["N06"]["amount"] == "100.00"
    # Converted from a 重残 tag without a grade: 一级或二级, enough for 重度残疾人护理补贴.
    assert rows["N07-2"]["eligible"] is True and rows["N07-2"]["missing"] == []
    assert rows["N05"]["eligible"] is False  # not 经济困难
    r = w.post(f"{BASE}/persons/{p.public_id}/applications", {"item_code": "N06"})
    assert r.status_code == 422
    assert "发放账号" in r.json()["errors"]["account"][0]
    r = w.post(
        f"{BASE}/persons/{p.public_id}/applications",
        {"item_code": "N06", "account": "6217000012345678"},
    )
    assert r.status_code == 201 and r.json()["account"] == "6217****5678"
    app_id = r.json()["id"]
    decide = f"{BASE}/applications/{app_id}/decisions"
    assert c.post(decide, {"approve": True, "reason": "同意"}).status_code == 403  # not yet
    assert t.post(decide, {"approve": True, "reason": "属实"}).status_code == 200
    r = c.post(decide, {"approve": True, "reason": "同意"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert [d["step"] for d in r.json()["decisions"]] == ["accept", "review", "approve"]
    listed = c.get(f"{BASE}/applications", {"status": "approved"}).json()
    assert listed["count"] == 1


def test_other_county_is_404(
    nanguan_list: Any,
    make_person: Callable[..., Person],
    make_user: Callable[..., Any],
) -> None:
    p = make_person(date(1940, 5, 1))
    outsider = api(make_user(Role.COUNTY_OFFICER, "220204"))
    assert outsider.get(f"{BASE}/persons/{p.public_id}/eligibility").status_code == 404
    assert outsider.get(f"{BASE}/items", {"region": "220102"}).status_code == 404
    assert outsider.get(f"{BASE}/candidates", {"region": "220102"}).status_code == 404
    own = outsider.get(f"{BASE}/items").json()
    assert {r["code"] for r in own} >= {"N06", "N07-1"}
    assert outsider.get(f"{BASE}/items", {"region": "22"}).status_code == 200  # the level above


def test_ineligible_application_shows_the_finding_in_the_api(
    nanguan_list: Any,
    make_person: Callable[..., Person],
    worker: Any,
    township: Any,
    county_officer: Any,
) -> None:
    p = make_person(date(1950, 5, 1))  # 76: N06 needs 80
    notice = "经系统核对，不符合该项目条件：年龄76周岁（条件：80周岁及以上）"
    w, t, c = api(worker), api(township), api(county_officer)
    body = {"item_code": "N06", "account": "6217000012345678"}
    r = w.post(f"{BASE}/persons/{p.public_id}/applications", body)
    assert r.status_code == 422 and r.json()["errors"]["acknowledge_ineligible"][0] == notice
    r = w.post(
        f"{BASE}/persons/{p.public_id}/applications", {**body, "acknowledge_ineligible": True}
    )
    assert r.status_code == 201
    out = r.json()
    assert out["eligible"] is False and out["eligibility_notice"] == notice
    assert out["warnings"][0] == notice
    detail = t.get(f"{BASE}/applications/{out['id']}").json()
    assert detail["eligibility_notice"] == notice and detail["eligibility_reasons"]
    decide = f"{BASE}/applications/{out['id']}/decisions"
    r = t.post(decide, {"approve": True, "reason": "转县复核"})
    assert r.status_code == 200 and r.json()["eligibility_notice"] == notice
    assert c.get(f"{BASE}/applications/{out['id']}").json()["eligibility_notice"] == notice
    r = c.post(decide, {"approve": True, "reason": "同意"})
    assert r.status_code == 422 and r.json()["errors"]["__all__"][0].startswith(notice)
    listed = c.get(f"{BASE}/applications").json()["items"]
    assert [a["eligibility_notice"] for a in listed] == [notice]


def test_eligible_application_has_no_notice(
    nanguan_list: Any, make_person: Callable[..., Person], worker: Any
) -> None:
    p = make_person(date(1940, 5, 1))
    r = api(worker).post(
        f"{BASE}/persons/{p.public_id}/applications",
        {"item_code": "N06", "account": "6217000012345678"},
    )
    assert r.status_code == 201
    assert r.json()["eligible"] is True and r.json()["eligibility_notice"] == ""
