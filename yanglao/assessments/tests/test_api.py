"""POST /api/v1/assessments/score: any logged-in user, no record touched, 422 per item."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from yanglao.accounts.roles import Role
from yanglao.api.tests.conftest import token_body
from yanglao.assessments.tests.conftest import FULL
from yanglao.core.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = "/api/v1/assessments/score"
PASSWORD = "Yl-test-pass-2026"


@pytest.fixture
def call(client: Client, regions: None, make_user: Callable[..., Any]) -> Callable[..., Any]:
    # An auditor: a role with no ledger capability at all may still use the calculator.
    user = make_user(Role.AUDITOR, "22", mode="stats")
    r = client.post(
        "/api/v1/auth/token",
        token_body(user),
        content_type="application/json",
    )
    token = r.json()["token"]

    def post(body: dict[str, Any]) -> Any:
        return client.post(
            URL, body, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
        )

    return post


def test_full_score(call: Callable[..., Any]) -> None:
    r = call({"standard": "GB/T 42195-2022", "items": FULL, "b39_state": "clear"})
    assert r.status_code == 200
    assert r.json() == {
        "standard": "GB/T 42195-2022",
        "subtotals": {"self_care": 32, "mobility": 15, "mental": 28, "perception_social": 15},
        "total": 90,
        "preliminary_grade": 0,
        "final_grade": 0,
        "final_grade_label": "能力完好",
        "reasons": [],
        "dimension_grades": None,
        "config_version": None,
        "config_status": None,
    }
    assert not AuditEvent.objects.filter(action__startswith="assessment").exists()


def test_adjustments_through_the_endpoint(call: Callable[..., Any]) -> None:
    r = call(
        {
            "items": {**FULL, "B.1.1": 3},
            "diagnoses": [{"icd": "F03", "diagnosed_by": "physician", "confirmed": True}],
            "risk_events": {"fall": 1, "wander": 1, "choke": 0, "self_harm": 0, "other": 0},
        }
    )
    body = r.json()
    assert (body["total"], body["preliminary_grade"], body["final_grade"]) == (89, 1, 2)
    assert body["reasons"] == ["MENTAL_DISORDER", "RISK_EVENTS"]
    coma = call({"items": {}, "coma": True}).json()
    assert coma["final_grade"] == 4 and coma["total"] is None and coma["reasons"] == ["COMA"]


def test_bad_items_are_422_in_chinese(call: Callable[..., Any]) -> None:
    items: dict[str, Any] = {**FULL, "B.2.4": 4, "B.3.7": "1"}
    del items["B.4.5"]
    r = call({"items": items})
    assert r.status_code == 422
    assert r.json()["errors"] == {
        "B.2.4": ["B.2.4 上下楼梯：只能取 0、1、2、3 分"],
        "B.3.7": ["B.3.7 攻击行为：只能取 0、1 分"],
        "B.4.5": ["B.4.5 社会交往能力：未填写"],
    }
    r = call({"standard": "MZ/T 039", "items": FULL})
    assert r.status_code == 422 and set(r.json()["errors"]) == {"standard"}
    r = call({"items": FULL, "extra": 1})
    assert r.status_code == 422 and r.json()["errors"] == {"extra": ["不支持的字段"]}


def test_ltc_2021(call: Callable[..., Any]) -> None:
    from yanglao.assessments import ltc

    items = {i.code: max(i.allowed) for i in ltc.ITEMS}
    r = call({"standard": "LTC-2021", "items": items})
    assert r.status_code == 200
    body = r.json()
    assert body["subtotals"] == {"adl": 100, "cognition": 16, "sensory": 12}
    assert body["final_grade"] == 0 and body["final_grade_label"] == "基本正常"
    assert body["config_status"] == "trial"
    bad = call({"standard": "LTC-2021", "items": {**items, "ADL.3": 10}})
    assert bad.status_code == 422
    assert bad.json()["errors"] == {"ADL.3": ["ADL.3 面部与口腔清洁：只能取 0、5 分"]}


def test_needs_login(client: Client, regions: None) -> None:
    r = client.post(URL, {"items": FULL}, content_type="application/json")
    assert r.status_code == 401
