"""Issue 12, done means: a visit worker's finding becomes an order; the provider's worker
checks in and out with no signal on a phone and the family signs on the screen; the upload
stores each step once; the month settles and the person's entitlement is charged once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.e2e.auth import login as e2e_login
from yanglao.community import services
from yanglao.community import settlement_rules as sr
from yanglao.community.choices import LogStatus, OrderStatus
from yanglao.community.models import ServiceLog, ServiceOrder, SettlementLine
from yanglao.community.testing import make_world
from yanglao.visits.choices import RiskLevel
from yanglao.visits.services import visit_record
from yanglao.visits.testing import visit_input

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "Yl-test-pass-2026"


def _page(browser: Browser, base: str, username: str, width: int, height: int) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height})
    context.grant_permissions(["geolocation"], origin=base)
    context.set_geolocation({"latitude": 43.86, "longitude": 125.33})
    page = context.new_page()
    page.set_default_timeout(30_000)  # the shared 2-core machine is slow under the full suite
    e2e_login(page, base, username, PASSWORD)
    return page


def test_referral_to_settlement(
    live_server, browser: Browser, regions, make_user, settings
) -> None:
    settings.YANGLAO_SETTLE_CURRENT_MONTH = True  # the service happens today; settle it now
    w = make_world(make_user)
    import uuid

    record = visit_record(
        actor=w.visit_worker,
        person=w.person,
        data=visit_input(
            timezone.localdate(), risk_level=RiskLevel.ATTENTION, summary="家中卫生差，需要助洁"
        ),
        client_uuid=uuid.uuid4(),
    ).record
    base = live_server.url

    # 1. The visit worker turns the finding into an order (转介服务 on the visit record).
    vw = _page(browser, base, w.visit_worker.username, 1280, 900)
    vw.goto(f"{base}/visits/record/{record.public_id}/")
    vw.click("#refer-link")
    expect(vw.locator(".notice")).to_contain_text("家中卫生差")
    vw.select_option("select[name=item]", label="助洁")
    vw.click("button.primary")
    expect(vw.locator("h1")).to_contain_text("助洁")
    order = ServiceOrder.objects.get(person=w.person)
    assert order.source == "visit" and order.visit_record_id == record.pk
    vw.context.close()

    # 2. The county agrees and dispatches to the provider's worker.
    officer = _page(browser, base, w.county.username, 1280, 900)
    officer.goto(f"{base}/community/orders/{order.public_id}/")
    officer.click("#agree")
    expect(officer.locator("h1")).to_contain_text("已签约待派单")
    officer.select_option("select[name=provider]", label=w.provider.name)
    officer.click("#dispatch")
    expect(officer.locator("h1")).to_contain_text("已派单")
    order.refresh_from_db()
    assert order.status == OrderStatus.DISPATCHED and order.provider_id == w.provider.pk

    # 3. The worker on a phone: the app caches itself, then works with no signal.
    phone = _page(browser, base, w.worker.username, 390, 844)
    phone.goto(f"{base}/community/worker/app/")
    expect(phone.locator("#orders")).to_contain_text("王桂兰", timeout=30_000)
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.reload()
    expect(phone.locator("#orders")).to_contain_text("助洁")
    phone.context.set_offline(True)
    phone.reload()
    expect(phone.locator("#net-status")).to_have_text("离线")
    phone.click("button.check-in")
    expect(phone.locator("#queue-count")).to_have_text("1")
    phone.click("button.check-out")
    expect(phone.locator("#queue-count")).to_have_text("2")
    phone.click("button.sign")
    pad = phone.locator("#signature")
    box = pad.bounding_box()
    assert box is not None
    phone.mouse.move(box["x"] + 20, box["y"] + 40)
    phone.mouse.down()
    for i in range(1, 12):
        phone.mouse.move(box["x"] + 20 + i * 20, box["y"] + 40 + (i % 3) * 25)
    phone.mouse.up()
    phone.select_option("#rating", "5")
    phone.fill("#evaluation", "打扫得很干净")
    phone.click("#confirm-save")
    expect(phone.locator("#queue-count")).to_have_text("3")
    assert ServiceLog.objects.count() == 0  # nothing reached the server yet

    phone.context.set_offline(False)  # the signal returns: the queue uploads in order
    expect(phone.locator("#queue-count")).to_have_text("0", timeout=20_000)
    phone.click("#sync-now")  # a second upload finds nothing left
    log = ServiceLog.objects.get()
    assert log.status == LogStatus.CONFIRMED and log.confirm_method == "signature"
    assert log.signature and log.check_in_lat is not None and log.rating == 5
    order.refresh_from_db()
    assert order.status == OrderStatus.DONE
    phone.context.close()

    # 4. The month settles (the county officer), approved by a second officer.
    officer.goto(f"{base}/community/settlements/")
    officer.select_option("select[name=provider]", label=w.provider.name)
    officer.fill("input[name=month]", f"{timezone.localdate():%Y-%m}")
    officer.click("form button.primary")
    expect(officer.locator("h1")).to_contain_text(w.provider.name)
    expect(officer.locator("#lines")).to_contain_text("基本养老服务补贴")
    expect(officer.locator("#approve")).to_have_count(0)  # four eyes
    settlement = w.provider.settlements.get(status="draft")
    services.settlement_approve(actor=w.county2, settlement=settlement)
    paid = SettlementLine.objects.filter(log=log, payer="entitlement", refused=False, live=True)
    assert paid.count() == 1
    line = paid.get()
    assert line.entitlement_id == w.entitlement.pk
    assert line.amount == sr.money(log.quantity * Decimal(20))
    # Settling again is refused (frozen), so the entitlement is charged once.
    with pytest.raises(services.CommunityInvalid):
        services.settlement_generate(
            actor=w.county,
            provider=w.provider,
            county_code="220102",
            month=timezone.localdate(),
        )
    assert SettlementLine.objects.filter(log=log, payer="entitlement", refused=False).count() == 1
    officer.context.close()
