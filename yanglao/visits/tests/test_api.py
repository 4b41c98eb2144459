"""API v1 of visits: list, idempotent upload, coverage; other county gets 404."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from yanglao.api.tests.conftest import ApiClient
from yanglao.visits import services
from yanglao.visits.models import VisitRecord
from yanglao.visits.testing import all_ok

from .conftest import World

pytestmark = pytest.mark.django_db


def test_tasks_upload_and_coverage(world: World, api_client: Callable[[Any], ApiClient]) -> None:
    p = world.person(name="王桂芳")
    services.assign(actor=world.township, people=[p], worker=world.worker1)
    services.tasks_generate(month=timezone.localdate())
    worker = api_client(world.worker1)
    items = worker.get("/api/v1/visits/tasks").json()
    assert [(i["name"], i["task"]["status"]) for i in items] == [("王桂芳", "pending")]
    record = {
        "client_uuid": str(uuid.uuid4()),
        "person": str(p.public_id),
        "method": "video",
        "visit_date": timezone.localdate().isoformat(),
        "risk_level": "normal",
        "findings": all_ok(),
    }
    statuses = [
        worker.post("/api/v1/visits/records", {"records": [record]}).json()["results"][0]["status"]
        for _ in range(3)
    ]
    assert statuses == ["accepted", "duplicate", "duplicate"]
    assert VisitRecord.objects.count() == 1
    assert worker.post("/api/v1/visits/records", {"records": [], "x": 1}).status_code == 422
    county = api_client(world.county)
    assert county.post("/api/v1/visits/records", {"records": [record]}).status_code == 403
    cov = county.get("/api/v1/visits/coverage", {"region": "220102001"}).json()
    assert cov["total"]["roster"] == 1 and cov["total"]["visited"] == 1
    assert cov["total"]["rate"] == 1.0 and cov["target"] == 1.0
    bad = county.get("/api/v1/visits/coverage", {"month": "2026-13"})
    assert bad.status_code == 422 and "月份" in bad.json()["errors"]["month"][0]
    outsider = api_client(world.outsider)
    assert outsider.get("/api/v1/visits/coverage", {"region": "220102"}).status_code == 404
