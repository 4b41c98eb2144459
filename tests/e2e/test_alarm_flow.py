"""Issue 12 part 7 in a browser: a device platform posts an alarm through the API; it lands on
the responsible visit worker's board; on a phone the worker marks arrival and closes it with
a home visit, which is stored once as a visit record linked to the alarm."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, Route, expect

from tests.e2e.auth import login as e2e_login
from yanglao.accounts.roles import Role
from yanglao.community.models import Alarm
from yanglao.community.programmes import services
from yanglao.people import services as people
from yanglao.people.testing import person_input
from yanglao.visits.models import VisitRecord, VisitSubject

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
VILLAGE = "220102001001"
PHONE = {"width": 390, "height": 844}


def test_alarm_arrives_through_the_api_and_is_closed_by_a_visit(
    live_server, context: BrowserContext, page: Page, regions, make_user
) -> None:
    external: list[str] = []

    def guard(route: Route) -> None:
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    county = make_user(Role.COUNTY_OFFICER, "220102")
    worker = make_user(Role.VISIT_WORKER, VILLAGE, username="worker_zhao")
    person, _ = people.person_register(
        actor=county, data=person_input(VILLAGE, name="孙秀兰", seq=7)
    )
    VisitSubject.objects.create(person=person, region_id=person.region_id, worker=worker)
    platform, token = services.platform_register(
        actor=county, name="南关区一键呼叫平台", county_code="220102"
    )
    services.device_register(
        actor=county,
        platform=platform,
        person=person,
        device_id="SOS-E2E",
        kind="fall",
        installed_on=timezone.localdate(),
    )
    base = live_server.url

    # 1. The platform posts the alarm (twice: the retry changes nothing).
    body = {
        "alarm_id": "PLT-20261130-0001",
        "device_id": "SOS-E2E",
        "kind": "fall",
        "raised_at": (timezone.now() - timedelta(minutes=3)).isoformat(),
    }
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    first = page.request.post(
        f"{base}/api/v1/alarms/intake", data=json.dumps(body), headers=headers
    )
    assert first.status == 201, first.text()
    assert first.json()["dispatch_label"] == "责任巡访员"
    again = page.request.post(
        f"{base}/api/v1/alarms/intake", data=json.dumps(body), headers=headers
    )
    assert again.status == 200 and again.json()["id"] == first.json()["id"]
    assert Alarm.objects.count() == 1

    # 2. The worker on a phone: the board, the alarm, arrival, the visit that closes it.
    page.set_viewport_size(PHONE)
    e2e_login(page, base, "worker_zhao")
    page.goto(f"{base}/community/alarms/")
    row = page.locator("#alarms tbody tr").first
    expect(row).to_contain_text("孙秀兰")
    expect(row).to_contain_text("跌倒报警")
    row.locator("a").click()
    expect(page.locator("h1")).to_contain_text("紧急呼叫 · 孙秀兰")
    with page.expect_navigation():
        page.click("#arrive")
    expect(page.locator("#response")).to_contain_text("分钟到达现场")
    page.select_option("select[name=level_health]", "concern")
    page.select_option("select[name=risk_level]", "attention")
    page.fill("textarea[name=outcome]", "老人在卫生间跌倒，已扶起，左膝擦伤已处理，已通知女儿")
    with page.expect_navigation():
        page.click("#close-visit")
    expect(page.locator(".messages")).to_contain_text("已办结")
    expect(page.locator("#closed")).to_contain_text("巡访记录")

    alarm = Alarm.objects.get()
    visit = VisitRecord.objects.get()
    assert alarm.status == "closed" and alarm.visit_record_id == visit.pk
    assert alarm.arrived_at is not None and alarm.responder == worker
    assert visit.method == "door" and visit.visitor == worker
    assert visit.findings["health"]["level"] == "concern"
    page.screenshot(path="/tmp/e2e_alarm_closed_390.png", full_page=True)

    # 3. The closed alarm links to the visit record the worker can open.
    page.click("#closed a")
    expect(page.locator("body")).to_contain_text("紧急呼叫上门处置")
    assert external == []
