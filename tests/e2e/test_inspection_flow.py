"""Issue 11 parts 5–6 in a browser: the county officer draws; an inspector opens the task
on a phone with no signal, records the checklist with one 不符合 and a photo, and it uploads
when the signal returns; the operator answers with a photo; the inspector re-checks and
closes, publishes, and the result appears on the results page."""

from __future__ import annotations

import struct
import zlib
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tests.e2e.auth import login as e2e_login
from yanglao.accounts.roles import Role
from yanglao.institutions import services, supervision
from yanglao.institutions import supervision_queries as q
from yanglao.institutions.models import EvidencePhoto, Finding, Inspection
from yanglao.institutions.tests.conftest import institution_input

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def png(width: int = 40, height: int = 30) -> bytes:
    """A real (decodable) PNG: the app draws it on a canvas before queuing it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xc0\x40\x30" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def guard(context: BrowserContext, external: list[str]) -> None:
    """Fails the test on any request leaving this machine (pages and service worker)."""

    def route(r: Route) -> None:
        if urlparse(r.request.url).hostname in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    context.route("**/*", route)


def test_draw_inspect_offline_answer_recheck_publish(
    live_server,
    browser: Browser,
    context: BrowserContext,
    page: Page,
    regions,
    make_user,
    settings,
    tmp_path,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    external: list[str] = []
    county = make_user(Role.COUNTY_OFFICER, "220102", username="county_e2e")
    operator = make_user(Role.INSTITUTION_OPERATOR, "220102", mode="stats", username="op_e2e")
    home = services.institution_register(actor=county, data=institution_input(5, name="南岭颐养院"))
    services.operator_bind(actor=county, institution=home, user=operator)
    # Filed (备案): only filed homes are listed in the public directory.
    from django.utils import timezone

    from yanglao.institutions.rating_testing import file_home

    file_home(officer=county, institution=home, today=timezone.localdate())
    for name, org in (("inspector_li", "civil"), ("inspector_wang", "fire")):
        supervision.inspector_add(
            actor=county,
            user=make_user(Role.INSPECTOR, "220102", mode="stats", username=name),
            organisation=org,
            region_code="220102",
        )
    plan = supervision.plan_create(
        actor=county,
        data=supervision.PlanInput(
            "220102", 2026, "南关区2026年双随机抽查", "100%", "测试文号", ["YL-02"]
        ),
    )
    base = live_server.url

    # 1. The county officer draws (in its own browser context).
    officer_ctx = browser.new_context()
    guard(officer_ctx, external)
    officer = officer_ctx.new_page()
    e2e_login(officer, base, "county_e2e")
    officer.goto(f"{base}/institutions/inspections/plans/{plan.public_id}/")
    officer.click("#draw")
    expect(officer.locator("#draw-seed")).to_have_text(plan.__class__.objects.get().draw.seed)
    expect(officer.locator("#draw-tasks")).to_contain_text("南岭颐养院")
    officer_ctx.close()

    # 2. The inspector on a phone: the app, cached by the service worker, then no signal.
    guard(context, external)
    page.set_viewport_size(PHONE)
    e2e_login(page, base, "inspector_li")
    page.goto(f"{base}/institutions/inspections/app/")
    expect(page.locator("#tasks")).to_contain_text("南岭颐养院")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    expect(page.locator("#tasks")).to_contain_text("南岭颐养院")
    page.wait_for_function(
        "caches.keys().then(ns => ns.filter(n => n.startsWith('yanglao-inspections-')))"
        ".then(ns => ns.length === 1 && caches.open(ns[0]).then(c => c.keys()))"
        ".then(k => !!k && k.length >= 4)"
    )
    context.set_offline(True)
    page.reload()  # opens from the service worker's cache
    expect(page.locator("#net-status")).to_have_text("离线")
    page.click("button.pick:has-text('南岭颐养院')")
    bad = "fieldset[data-code='FIRE-1.2']"
    page.check(f"{bad} input[value=nonconform]")
    page.fill(f"{bad} .f-note", "二楼疏散通道堆放杂物")
    expect(page.locator(f"{bad} .f-deadline")).not_to_have_value("")  # 30 days offered
    page.set_input_files(
        f"{bad} .f-photos", files=[{"name": "通道.png", "mimeType": "image/png", "buffer": png()}]
    )
    page.click("#all-conform")
    page.click("#inspect-form button[type=submit]")
    expect(page.locator("#queue-count")).to_have_text("1")
    expect(page.locator("#tasks")).to_contain_text("已检查，待上传")
    assert Inspection.objects.count() == 0  # nothing reached the server

    context.set_offline(False)  # the signal returns: the queue uploads by itself
    expect(page.locator("#queue-count")).to_have_text("0", timeout=15_000)
    page.click("#sync-now")  # nothing left to send: still one inspection
    inspection = Inspection.objects.get()
    assert inspection.recorded_offline
    finding = Finding.objects.get()
    assert finding.clause == "FIRE-1.2" and finding.note == "二楼疏散通道堆放杂物"
    assert EvidencePhoto.objects.get(inspection=inspection).content_type == "image/jpeg"

    # 3. The operator answers with a photo.
    op_ctx = browser.new_context()
    guard(op_ctx, external)
    op = op_ctx.new_page()
    op.set_viewport_size(PHONE)
    e2e_login(op, base, "op_e2e")
    op.goto(f"{base}/institutions/inspections/findings/")
    op.click("#findings a:has-text('FIRE-1.2')")
    op.fill("#answer-form textarea[name=note]", "杂物已清走，通道畅通")
    op.set_input_files(
        "#answer-form input[name=photos]",
        files=[{"name": "整改后.png", "mimeType": "image/png", "buffer": png()}],
    )
    op.click("#answer-form button")
    expect(op.locator("#finding-status")).to_contain_text("已整改待复查")

    # 4. The inspector re-checks, closes and publishes the result.
    page.goto(f"{base}/institutions/inspections/findings/{finding.public_id}/")
    expect(page.locator("#steps")).to_contain_text("杂物已清走")
    page.check("#recheck-form input[value='1']")
    page.click("#recheck-form button")
    expect(page.locator("#finding-status")).to_contain_text("复查通过")
    page.click("a:has-text('南关区2026年双随机抽查')")
    page.click("#publish")
    expect(page.locator("#task-result")).to_contain_text("发现问题1项")

    # 5. The result on the results page (the operator's view) and for the public page.
    op.goto(f"{base}/institutions/inspections/results/")
    expect(op.locator("#results")).to_contain_text("南岭颐养院")
    expect(op.locator("#results")).to_contain_text("FIRE-1.2")
    expect(op.locator("#results")).to_contain_text("复查通过")
    op_ctx.close()
    [result] = q.published_results(home)
    assert result.findings[0].status == "closed"

    # 6. The public page (no login) shows the published result, and nothing personal.
    from django.core.cache import cache

    cache.clear()  # the directory is cached for 60 s
    pub_ctx = browser.new_context()
    guard(pub_ctx, external)
    pub = pub_ctx.new_page()
    pub.set_viewport_size(PHONE)
    pub.goto(f"{base}/public/institutions/{home.public_id}/")
    expect(pub.locator("#inspections")).to_contain_text("发现问题 1 项，已全部整改")
    expect(pub.locator("#inspections")).to_contain_text("南关区2026年双随机抽查")
    assert "二楼疏散通道堆放杂物" not in pub.content()  # the finding's own text is not public
    # Every result of the draw is published: the draw, its seed and its JSON are public too.
    pub.goto(f"{base}/public/institutions/draws/")
    expect(pub.locator("#draws")).to_contain_text(plan.__class__.objects.get().draw.seed)
    expect(pub.locator("#draws")).to_contain_text("南岭颐养院")
    pub_ctx.close()
    assert external == []
