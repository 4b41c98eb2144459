"""/api/v1/inspections: the replay of a published draw, and inspector / operator scoping
(bound to tasks / to their home) through the API."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest

from yanglao.accounts.roles import Role
from yanglao.institutions.models import Finding
from yanglao.institutions.tests.conftest import World
from yanglao.institutions.tests.supervision_world import (
    Supervision,
    inspect,
    payload,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/inspections"


def test_replay_of_the_published_draw_gives_the_same_selection(
    world: World, sup: Supervision, api_client: Callable[[Any], Any]
) -> None:
    c = api_client(world.county)
    d = c.get(f"{API}/draws/{sup.draw.public_id}").json()
    body = {k: d[k] for k in ("seed", "ratio", "per_task", "homes", "inspectors", "conflicts")}
    # Anyone logged in may replay (a pure computation): here the operator.
    r = api_client(world.operator).post(f"{API}/replay", body)
    assert r.status_code == 200 and r.json() == d["result"]
    other = api_client(world.operator).post(f"{API}/replay", {**body, "seed": d["seed"] + "x"})
    assert other.status_code == 200
    for bad in ({**body, "ratio": "0"}, {**body, "per_task": 1}, {**body, "conflicts": [["a"]]}):
        r = c.post(f"{API}/replay", bad)
        assert r.status_code == 400 and r.json()["detail"]


def test_inspector_scoped_to_assigned_tasks(
    world: World, sup: Supervision, make_user, api_client: Callable[[Any], Any]
) -> None:
    task = sup.task(world.home)
    mine = api_client(sup.inspector)
    assert mine.get(f"{API}/tasks/{task.public_id}").status_code == 200
    assert len(mine.get(f"{API}/tasks").json()) == 2
    stranger = api_client(make_user(Role.INSPECTOR, "220102", mode="stats"))
    assert stranger.get(f"{API}/tasks").json() == []
    assert stranger.get(f"{API}/tasks/{task.public_id}").status_code == 404
    record = payload(task)
    r = stranger.post(f"{API}/records", {"records": [record]}).json()
    assert r["results"][0]["status"] == "rejected"
    assert (
        mine.post(f"{API}/records", {"records": [record]}).json()["results"][0]["status"]
        == "accepted"
    )
    assert (
        mine.post(f"{API}/records", {"records": [record]}).json()["results"][0]["status"]
        == "duplicate"
    )
    finding = Finding.objects.get()
    assert (
        stranger.post(f"{API}/findings/{finding.public_id}/recheck", {"close": True}).status_code
        == 404
    )


def test_operator_answers_own_findings_only(
    world: World, sup: Supervision, api_client: Callable[[Any], Any]
) -> None:
    inspect(sup.task(world.home), sup.inspector)
    inspect(sup.task(world.other_home), sup.inspector)
    mine = Finding.objects.get(institution=world.home)
    theirs = Finding.objects.get(institution=world.other_home)
    op = api_client(world.operator)
    assert [f["id"] for f in op.get(f"{API}/findings").json()] == [str(mine.public_id)]
    assert op.post(f"{API}/findings/{theirs.public_id}/answer", {"note": "x"}).status_code == 404
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n0000").decode()
    r = op.post(
        f"{API}/findings/{mine.public_id}/answer", {"note": "已整改", "photos_base64": [png]}
    )
    assert r.status_code == 200 and r.json()["status"] == "answered"
    bad = op.post(f"{API}/findings/{mine.public_id}/answer", {"note": "x", "photos_base64": ["@@"]})
    assert bad.status_code == 400 and bad.json()["detail"] == "照片数据无法读取"
    r = api_client(sup.inspector2).post(f"{API}/findings/{mine.public_id}/recheck", {"close": True})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    theirs.refresh_from_db()
    assert theirs.status == "open"


def test_region_filter_outside_jurisdiction_is_404(
    world: World, sup: Supervision, api_client: Callable[[Any], Any]
) -> None:
    c = api_client(world.county)
    assert c.get(f"{API}/plans", {"region": "220204"}).status_code == 404
    assert c.get(f"{API}/tasks", {"region": "２２\x00"}).status_code == 404
    assert len(c.get(f"{API}/tasks", {"region": "220102"}).json()) == 2
