"""Pages and the sync endpoint as users see them."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yanglao.core import sheets
from yanglao.core.models import AuditEvent
from yanglao.visits import services
from yanglao.visits.choices import FollowUpKind, RiskLevel
from yanglao.visits.models import VisitRecord
from yanglao.visits.rules import FollowUpInput
from yanglao.visits.testing import all_ok, visit_input

from .conftest import V1, World

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    return c


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def payload(person, **over):
    body = {
        "client_uuid": str(uuid.uuid4()),
        "person": str(person.public_id),
        "method": "door",
        "visit_date": timezone.localdate().isoformat(),
        "visit_time": "09:30",
        "risk_level": "normal",
        "findings": all_ok(),
        "follow_ups": [],
    }
    body.update(over)
    return body


def post_sync(c: Client, records: list[dict[str, object]]):
    c.get("/visits/app/")  # sets the CSRF cookie, as the app page does
    token = c.cookies["csrftoken"].value
    return c.post(
        "/visits/sync/",
        data=json.dumps({"records": records}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )


@pytest.fixture
def assigned(world: World):
    p = world.person(name="李淑珍")
    services.assign(actor=world.township, people=[p], worker=world.worker1)
    services.tasks_generate(month=timezone.localdate())
    return p


def test_worker_list_app_and_data(world: World, assigned) -> None:
    c = client_for(world.worker1)
    page = c.get("/visits/").content.decode()
    assert "李淑珍" in page and "待访" in page
    app = c.get("/visits/app/").content.decode()
    assert 'rel="manifest"' in app and "visits/app.js" in app
    data = c.get("/visits/app/data.json").json()
    assert [p["name"] for p in data["people"]] == ["李淑珍"]
    assert data["people"][0]["task"]["status"] == "pending"
    sw = c.get("/visits/sw.js")
    assert sw["Content-Type"].startswith("application/javascript")
    assert c.get("/visits/manifest.webmanifest").json()["scope"] == "/visits/"


def test_sync_same_record_three_times_is_stored_once(world: World, assigned) -> None:
    c = client_for(world.worker1)
    record = payload(assigned)
    answers = [post_sync(c, [record]).json()["results"][0]["status"] for _ in range(3)]
    assert answers == ["accepted", "duplicate", "duplicate"]
    assert VisitRecord.objects.filter(client_uuid=record["client_uuid"]).count() == 1
    # In one batch too: the repeat inside the batch is a duplicate.
    again = payload(assigned)
    results = post_sync(c, [again, again, again]).json()["results"]
    assert [r["status"] for r in results] == ["accepted", "duplicate", "duplicate"]
    assert VisitRecord.objects.count() == 2


def test_sync_needs_csrf_token(world: World, assigned) -> None:
    c = client_for(world.worker1)
    r = c.post(
        "/visits/sync/",
        data=json.dumps({"records": [payload(assigned)]}),
        content_type="application/json",
    )
    assert r.status_code == 403
    assert VisitRecord.objects.count() == 0


def test_sync_rejects_with_reasons_and_keeps_the_good_ones(world: World, assigned) -> None:
    other = world.person("220102001002", name="外村老人")
    c = client_for(world.worker1)
    bad = payload(assigned, findings={**all_ok(), "health": {"level": "serious", "note": ""}})
    outside = payload(other)
    junk = payload(assigned, visit_date="昨天", client_uuid="x")
    good = payload(assigned)
    results = post_sync(c, [bad, outside, junk, good]).json()["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected", "rejected", "accepted"]
    assert "请写明具体情况" in results[0]["errors"]["findings.health"][0]
    assert "不在您负责" in results[1]["errors"]["person"][0]
    assert "visit_date" in results[2]["errors"] and "client_uuid" in results[2]["errors"]
    assert VisitRecord.objects.count() == 1
    r = post_sync(c, [good] * 101)
    assert r.status_code == 400 and "最多" in r.json()["errors"]["records"][0]


def test_board_shows_emergency_and_overdue(world: World, assigned) -> None:
    services.visit_record(
        actor=world.worker1,
        person=assigned,
        data=visit_input(
            timezone.localdate(),
            risk_level=RiskLevel.EMERGENCY,
            follow_ups=[FollowUpInput(FollowUpKind.EMERGENCY, "已拨打120", call_made=True)],
        ),
        client_uuid=uuid.uuid4(),
    )
    c = client_for(world.township)
    page = c.get("/visits/board/").content.decode()
    assert "紧急情况" in page and "李淑珍" in page
    assert "李淑珍" in c.get("/visits/board/emergencies/").content.decode()
    assert c.get("/visits/board/", {"village": "x"}).status_code == 404
    assert client_for(world.worker1).get("/visits/board/").status_code == 403


def test_assign_page_bulk(world: World) -> None:
    a, b = world.person(name="甲"), world.person(name="乙")
    c = client_for(world.township)
    page = c.get("/visits/assign/").content.decode()
    assert "甲" in page and "未分配" in page
    token = c.cookies["csrftoken"].value
    r = c.post(
        "/visits/assign/",
        {"person": [str(a.public_id), str(b.public_id)], "worker": world.worker1.pk},
        headers={"X-CSRFToken": token},
    )
    assert r.status_code == 302
    assert a.visit_subject.worker == world.worker1
    person_page = c.get(f"/visits/person/{a.public_id}/").content.decode()
    assert "备岗巡访员</dt><dd>—" in person_page
    c_ = world.person(name="丙")
    assert "未分配" in c.get("/visits/assign/", {"unassigned": "1"}).content.decode()
    page = c.get("/visits/assign/", {"worker": world.worker1.pk}).content.decode()
    assert "甲" in page and "乙" in page and c_.name not in page
    r = client_for(world.outsider).get("/visits/assign/")
    assert "甲" not in r.content.decode()


def test_coverage_pages_export_and_outsider(world: World, assigned) -> None:
    services.visit_record(
        actor=world.worker1,
        person=assigned,
        data=visit_input(timezone.localdate()),
        client_uuid=uuid.uuid4(),
    )
    c = client_for(world.county)
    month = f"{timezone.localdate():%Y-%m}"
    page = c.get("/visits/coverage/", {"region": "220102", "month": month}).content.decode()
    assert "南岭街道" in page and "100.0%" in page and "echarts.min.js" in page
    trend = c.get("/visits/coverage/trend/", {"region": "220102001", "month": month})
    assert "trend-data" in trend.content.decode() and "100.0%" in trend.content.decode()
    x = c.get("/visits/coverage/export.xlsx", {"region": "220102001", "month": month})
    rows = sheets.read_xlsx_bytes(body(x))
    assert rows[0][:3] == ["区划代码", "区划", "月初在册"]
    assert ["220102001001", "华阳社区", "1", "1", "0", "100.0%", "100%"] in rows
    lst = c.get("/visits/coverage/people/", {"region": "220102001", "month": month, "visited": "1"})
    assert "李淑珍" in lst.content.decode()
    ex = c.get(
        "/visits/coverage/people/",
        {"region": "220102001", "month": month, "visited": "1", "format": "xlsx"},
    )
    assert "李淑珍" in str(sheets.read_xlsx_bytes(body(ex)))
    assert AuditEvent.objects.filter(action="visit.export", actor=world.county).exists()
    out = client_for(world.outsider)
    assert out.get("/visits/coverage/", {"region": "220102"}).status_code == 404
    assert out.get("/visits/coverage/people/", {"region": V1}).status_code == 404
    rec = VisitRecord.objects.get()
    assert out.get(f"/visits/record/{rec.public_id}/").status_code == 404


def test_policy_page_refuses_loosening_in_chinese(world: World) -> None:
    c = client_for(world.county)
    c.get("/visits/policy/", {"region": "220102"})
    token = c.cookies["csrftoken"].value
    r = c.post(
        "/visits/policy/?region=220102",
        {
            "kind": "frequency",
            "target": "living_alone",
            "period": "quarter",
            "effective_from": "2026-01-01",
            "document_no": "南民发〔2026〕1号",
        },
        headers={"X-CSRFToken": token},
        follow=True,
    )
    assert "不能放宽" in r.content.decode()
    r = c.post(
        "/visits/policy/?region=220102",
        {
            "kind": "counting",
            "methods": ["door"],
            "effective_from": "2026-01-01",
            "document_no": "南民发〔2026〕2号",
        },
        headers={"X-CSRFToken": token},
        follow=True,
    )
    assert "已发布" in r.content.decode()
    page = c.get("/visits/policy/", {"region": "220102"}).content.decode()
    assert "南民发〔2026〕2号" in page


def test_sync_refuses_oversized_body_in_chinese(world: World, assigned) -> None:
    from yanglao.visits.views import MAX_SYNC_BYTES

    c = client_for(world.worker1)
    c.get("/visits/app/")
    big = payload(assigned, summary="x" * (MAX_SYNC_BYTES + 10))
    r = c.post(
        "/visits/sync/",
        data=json.dumps({"records": [big]}),
        content_type="application/json",
        headers={"X-CSRFToken": c.cookies["csrftoken"].value},
    )
    assert r.status_code == 413 and "过大" in r.json()["errors"]["__all__"][0]
    assert VisitRecord.objects.count() == 0


def test_correction_through_sync_and_record_page(world: World, assigned) -> None:
    c = client_for(world.worker1)
    first = post_sync(c, [payload(assigned)]).json()["results"][0]
    fix = payload(assigned, supersedes=first["id"], summary="更正：实际为视频巡访", method="video")
    second = post_sync(c, [fix]).json()["results"][0]
    assert second["status"] == "accepted"
    page = c.get(f"/visits/record/{first['id']}/").content.decode()
    assert "替代" in page and "更正此记录" not in page
    page = c.get(f"/visits/record/{second['id']}/").content.decode()
    assert "更正了" in page and "更正此记录" in page
    again = post_sync(c, [payload(assigned, supersedes=first["id"])]).json()["results"][0]
    assert again["status"] == "rejected" and "supersedes" in again["errors"]


def test_people_list_opened_directly_counts_only_up_to_the_cap(
    world: World, assigned, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bookmark skips the 探访率 page, so no count is known: the list counts its own rows and
    # stops after LIST_COUNT_CAP + 1 (the node's full grouped count took 23 s at 5.55 M).
    from django.core.cache import cache

    from yanglao.visits import selectors

    c = client_for(world.county)
    month = f"{timezone.localdate():%Y-%m}"
    params = {"region": "220102", "month": month}
    cache.clear()
    page = c.get("/visits/coverage/people/", params).content.decode()
    assert "李淑珍" in page and "共 1 条" in page
    monkeypatch.setattr(selectors, "LIST_COUNT_CAP", 0)
    monkeypatch.setattr(selectors.CappedRows, "cap", "0")
    cache.clear()
    page = c.get("/visits/coverage/people/", params).content.decode()
    assert "李淑珍" in page and "超过 0 条" in page
    # coming from the 探访率 page, its figure is the count (exact, no cap)
    c.get("/visits/coverage/", params)
    page = c.get("/visits/coverage/people/", params).content.decode()
    assert "共 1 条" in page
