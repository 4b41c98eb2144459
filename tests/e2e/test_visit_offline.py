"""A village worker on a phone with no signal: the offline app (service worker + IndexedDB)
keeps the list and the form, queues two visits, and uploads them once the phone is online
again — each stored exactly once."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, Route, expect

from tests.e2e.auth import login as e2e_login
from yanglao.accounts.roles import Role
from yanglao.people import services as people
from yanglao.people.choices import Category
from yanglao.people.testing import person_input
from yanglao.visits import services
from yanglao.visits.models import VisitRecord, VisitTask

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "Yl-test-pass-2026"
VILLAGE = "220102001001"


@pytest.fixture
def offline_guard(context: BrowserContext) -> list[str]:
    """Fails the test on any request leaving this machine (pages and service worker alike)."""
    external: list[str] = []

    def guard(route: Route) -> None:
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    return external


def test_two_visits_recorded_offline_reach_the_server_once(
    live_server, context: BrowserContext, page: Page, offline_guard: list[str], regions, make_user
) -> None:
    county = make_user(Role.COUNTY_OFFICER, "220102")
    township = make_user(Role.TOWNSHIP_OFFICER, "220102001")
    worker = make_user(Role.VISIT_WORKER, VILLAGE, username="worker_li")
    persons = []
    for seq, name in enumerate(("孙桂英", "周玉兰"), start=1):
        data = person_input(VILLAGE, name=name, seq=seq, phone=f"1390000{seq}{seq}{seq}{seq}")
        p, _ = people.person_register(actor=county, data=data)
        people.person_category_add(
            actor=county, person=p, category=Category.LIVING_ALONE, start=timezone.localdate()
        )
        persons.append(p)
    services.assign(actor=township, people=persons, worker=worker)
    services.tasks_generate(month=timezone.localdate())
    base = live_server.url

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    e2e_login(page, base, "worker_li", PASSWORD)
    page.goto(f"{base}/visits/app/")
    expect(page.locator("#people")).to_contain_text("孙桂英")
    # Let the service worker take control and cache the page, its list and its files.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    expect(page.locator("#people")).to_contain_text("周玉兰")
    # The release's cache (its name carries the version and a digest of the offline files).
    page.wait_for_function(
        "caches.keys().then(ns => ns.filter(n => n.startsWith('yanglao-visits-0')))"
        ".then(ns => ns.length === 1 && caches.open(ns[0]).then(c => c.keys()))"
        ".then(k => !!k && k.length >= 4)"
    )
    # The worker's own people: full numbers, a thumb-sized tap to call.
    tel = page.locator("#people a[href='tel:13900001111']")
    expect(tel).to_be_visible()
    box = tel.bounding_box()
    assert box is not None and box["height"] >= 44

    context.set_offline(True)
    page.reload()  # no signal: the app opens from the service worker's cache
    expect(page.locator("#net-status")).to_have_text("离线")
    expect(page.locator("#people")).to_contain_text("孙桂英")
    expect(page.locator("#people a[href='tel:13900002222']")).to_be_visible()

    # Visit 1: at the door, a health concern raised (risk 需关注).
    page.click("button.pick:has-text('孙桂英')")
    page.check("input[name=method][value=door]")
    page.check("input[name=f_health][value=concern]")
    page.fill("input[name=n_health]", "血压偏高，头晕")
    page.check("input[name=risk_level][value=attention]")
    page.click("#visit-form button[type=submit]")
    expect(page.locator("#queue-count")).to_have_text("1")
    # Visit 2: by video, all well.
    page.click("button.pick:has-text('周玉兰')")
    page.check("input[name=method][value=video]")
    page.click("#visit-form button[type=submit]")
    expect(page.locator("#queue-count")).to_have_text("2")
    expect(page.locator("#people")).to_contain_text("已登记，待上传")
    assert VisitRecord.objects.count() == 0  # nothing reached the server

    context.set_offline(False)  # the signal returns: the 'online' event uploads the queue
    expect(page.locator("#queue-count")).to_have_text("0", timeout=15_000)
    expect(page.locator("#net-status")).to_have_text("在线")
    page.click("#sync-now")  # a second upload finds nothing left to send
    records = list(VisitRecord.objects.order_by("person__name"))
    assert sorted(r.person.name for r in records) == ["周玉兰", "孙桂英"]
    assert len({r.client_uuid for r in records}) == 2
    assert all(r.recorded_offline and r.visitor_id == worker.pk for r in records)
    sun = next(r for r in records if r.person.name == "孙桂英")
    assert sun.risk_level == "attention" and sun.findings["health"]["note"] == "血压偏高，头晕"
    assert set(VisitTask.objects.values_list("status", flat=True)) == {"visited"}
    page.reload()
    expect(page.locator("#people")).to_contain_text("已访")
    assert VisitRecord.objects.count() == 2
    assert offline_guard == []
