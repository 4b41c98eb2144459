"""紧急呼叫: the intake API (per-platform token, idempotent), dispatch, response, closing."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yanglao.community.models import Alarm, DevicePlatform
from yanglao.community.programmes import selectors, services
from yanglao.community.tests.programmes.conftest import World
from yanglao.core.models import AuditEvent
from yanglao.visits.models import VisitRecord, VisitSubject

pytestmark = pytest.mark.django_db
URL = "/api/v1/alarms/intake"


@pytest.fixture
def platform(world: World) -> tuple[DevicePlatform, str]:
    platform, token = services.platform_register(
        actor=world.county, name="南关区智慧养老平台", county_code="220102"
    )
    services.device_register(
        actor=world.county,
        platform=platform,
        person=world.people[0],
        device_id="SOS-001",
        kind="sos",
        installed_on=timezone.localdate(),
    )
    return platform, token


def post(token: str, body: dict[str, Any]) -> Any:
    return Client().post(
        URL, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def body(alarm_id: str = "P-1", **kw: Any) -> dict[str, Any]:
    return {
        "alarm_id": alarm_id,
        "device_id": "SOS-001",
        "kind": "sos",
        "raised_at": (timezone.now() - timedelta(minutes=2)).isoformat(),
        **kw,
    }


def test_token_stored_hashed_and_shown_once(
    world: World, platform: tuple[DevicePlatform, str]
) -> None:
    p, token = platform
    assert token not in p.token_hash and p.token_hash == DevicePlatform.hash(token)
    assert token not in json.dumps(
        list(AuditEvent.objects.values_list("changes", flat=True)), default=str
    )


def test_intake_is_idempotent_on_platform_alarm_id(
    world: World, platform: tuple[DevicePlatform, str]
) -> None:
    _, token = platform
    VisitSubject.objects.create(
        person=world.people[0], region_id=world.people[0].region_id, worker=world.worker
    )
    r1 = post(token, body())
    assert r1.status_code == 201, r1.content
    out = r1.json()
    assert out["dispatch_to"] == "worker" and out["dispatch_label"] == "责任巡访员"
    assert out["late"] is False and out["response_minutes"] is None
    r2 = post(token, body())
    assert r2.status_code == 200 and r2.json()["id"] == out["id"] and r2.json()["duplicate"]
    assert Alarm.objects.count() == 1
    assert AuditEvent.objects.filter(action="alarm.receive").count() == 1


def test_intake_authenticates_per_platform(
    world: World, platform: tuple[DevicePlatform, str], make_user: Any
) -> None:
    other, other_token = services.platform_register(
        actor=world.outsider, name="船营区平台", county_code="220204"
    )
    # Another platform cannot raise an alarm on this platform's device.
    r = post(other_token, body())
    assert r.status_code == 422 and "device_id" in r.json()["errors"]
    # No token, a wrong token, a user's API token, a deactivated platform: 401.
    assert (
        Client().post(URL, json.dumps(body()), content_type="application/json").status_code == 401
    )
    assert post("yp_wrong", body()).status_code == 401
    from yanglao.accounts.models import ApiToken

    ApiToken.objects.create(
        user=world.county,
        key_hash=ApiToken.hash("usertoken"),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    assert post("usertoken", body()).status_code == 401
    DevicePlatform.objects.filter(pk=other.pk).update(active=False)
    assert post(other_token, body("P-9")).status_code == 401
    assert not Alarm.objects.exists()


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"kind": "flood"}, "kind"),
        ({"device_id": "NOPE"}, "device_id"),
        ({"raised_at": "2020-01-01T00:00:00+08:00"}, "raised_at"),
        ({"raised_at": "不是时间"}, "raised_at"),
        ({"alarm_id": ""}, "alarm_id"),
        ({"extra": 1}, "extra"),
    ],
)
def test_intake_refuses_bad_bodies_in_chinese(
    world: World, platform: tuple[DevicePlatform, str], patch: dict[str, Any], field: str
) -> None:
    _, token = platform
    r = post(token, body(**patch))
    assert r.status_code == 422, r.content
    assert field in r.json()["errors"]
    assert not Alarm.objects.exists()


def test_dispatch_falls_back_to_family(world: World, platform: tuple[DevicePlatform, str]) -> None:
    _, token = platform
    out = post(token, body("P-2")).json()
    # The test person has no responsible worker and no home care bed; no contact either.
    assert out["dispatch_to"] in ("family", "none")


def test_close_by_visit_links_a_visit_record(
    world: World, platform: tuple[DevicePlatform, str]
) -> None:
    _, token = platform
    post(token, body("P-3"))
    alarm = Alarm.objects.get()
    services.alarm_arrive(actor=world.worker, alarm=alarm)
    levels = dict.fromkeys(("health", "safety", "economy", "family", "needs", "mental"), "ok")
    levels["health"] = "concern"
    services.alarm_close_by_visit(
        actor=world.worker,
        alarm=alarm,
        summary="老人起夜跌倒，已扶起，无明显外伤",
        risk_level="attention",
        levels=levels,
        client_uuid=uuid.uuid4(),
    )
    alarm.refresh_from_db()
    visit = VisitRecord.objects.get()
    assert alarm.status == "closed" and alarm.visit_record == visit
    assert visit.method == "door" and visit.person == world.people[0]
    assert AuditEvent.objects.filter(action="alarm.close").count() == 1
    with pytest.raises(services.ProgrammeInvalid):
        services.alarm_close(actor=world.worker, alarm=alarm, outcome="again", false_alarm=True)


def test_close_needs_a_record_unless_false_alarm(
    world: World, platform: tuple[DevicePlatform, str]
) -> None:
    _, token = platform
    post(token, body("P-4"))
    alarm = Alarm.objects.get()
    with pytest.raises(services.ProgrammeInvalid) as e:
        services.alarm_close(actor=world.county, alarm=alarm, outcome="已处理")
    assert "巡访记录或服务记录" in e.value.errors["__all__"][0]
    services.alarm_close(
        actor=world.county, alarm=alarm, outcome="误按，电话确认安全", false_alarm=True
    )


def test_board_marks_overdue_red_and_outsider_sees_nothing(
    world: World, platform: tuple[DevicePlatform, str]
) -> None:
    _, token = platform
    post(token, body("P-5", raised_at=(timezone.now() - timedelta(minutes=45)).isoformat()))
    post(token, body("P-6"))
    board = selectors.alarm_board(user=world.county)
    assert [b.late for b in board] == [True, False]
    assert selectors.alarm_board(user=world.outsider) == []
    c = Client()
    c.force_login(world.outsider)
    a = Alarm.objects.first()
    assert a is not None
    assert c.get(f"/community/alarms/{a.public_id}/").status_code == 404
    assert c.post(f"/community/alarms/{a.public_id}/arrive/").status_code == 404
    c.force_login(world.county)
    page = c.get("/community/alarms/").content.decode()
    assert 'class="late"' in page and "超时" in page


def test_user_api_lists_alarms_in_scope(
    world: World, platform: tuple[DevicePlatform, str], api_client: Any
) -> None:
    _, token = platform
    post(token, body("P-7"))
    mine = api_client(world.county).get("/api/v1/alarms")
    assert mine.status_code == 200 and len(mine.json()) == 1
    theirs = api_client(world.outsider)
    assert theirs.get("/api/v1/alarms").json() == []
    assert theirs.get(f"/api/v1/alarms/{Alarm.objects.get().public_id}").status_code == 404


def test_close_with_a_service_log_of_the_same_person(
    world: World, platform: tuple[DevicePlatform, str]
) -> None:
    from yanglao.community.models import CatalogueItem, ServiceLog

    _, token = platform
    post(token, body("P-8"))
    alarm = Alarm.objects.get()
    other = ServiceLog.objects.create(
        client_uuid=uuid.uuid4(),
        person=world.people[1],
        region_id=world.people[1].region_id,
        provider=world.provider,
        item=CatalogueItem.objects.get(code="VC02"),
        service_date=timezone.localdate(),
        status="confirmed",
    )
    with pytest.raises(services.ProgrammeInvalid):
        services.alarm_close(
            actor=world.county, alarm=alarm, outcome="上门处置", service_log_id=other.public_id
        )
    log = ServiceLog.objects.create(
        client_uuid=uuid.uuid4(),
        person=world.people[0],
        region_id=world.people[0].region_id,
        provider=world.provider,
        item=CatalogueItem.objects.get(code="VC02"),
        service_date=timezone.localdate(),
        status="confirmed",
    )
    assert selectors.logs_after_alarm(alarm) == [log]
    c = Client()
    c.force_login(world.county)
    c.post(
        f"/community/alarms/{alarm.public_id}/close/",
        {"service_log": str(log.public_id), "outcome": "服务商上门处置，老人无碍"},
    )
    alarm.refresh_from_db()
    assert alarm.status == "closed" and alarm.service_log == log
