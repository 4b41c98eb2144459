"""An application through the three levels in headless Chromium on a phone-sized screen:
the village worker finds the person on the discovery list and accepts, the township
reviews, the county approves; the entitlement exists and the roll pays it."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import Page, Route, expect

from tests.e2e.auth import login as e2e_login
from yanglao.accounts.roles import Role
from yanglao.benefits import catalog
from yanglao.benefits import services as benefits
from yanglao.benefits.models import Entitlement, OverlapRule, ServiceItem
from yanglao.people import services
from yanglao.people.testing import person_input

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "Yl-test-pass-2026"


@pytest.fixture
def offline_guard(page: Page) -> list[str]:
    external: list[str] = []

    def guard(route: Route) -> None:
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    return external


def login(page: Page, base: str, username: str) -> None:
    e2e_login(page, base, username, PASSWORD)


def logout(page: Page) -> None:
    page.click("label.nav-button")  # the phone layout folds the menu
    page.click("button:has-text('退出')")


def test_application_through_three_levels(
    live_server, page: Page, offline_guard: list[str], regions, make_user
) -> None:
    village = "220102001001"
    county = make_user(Role.COUNTY_OFFICER, "220102", username="county_liu")
    make_user(Role.TOWNSHIP_OFFICER, village[:9], username="township_zhang")
    make_user(Role.VISIT_WORKER, village, username="village_li")
    catalog.seed(ServiceItem, OverlapRule)
    n06 = ServiceItem.objects.get(code="N06", region__isnull=True)
    benefits.item_publish(
        actor=county,
        region_code="220102000000",
        data=benefits.ItemInput(
            code="N06",
            name=n06.name,
            category=n06.category,
            target=n06.target,
            rule=n06.rule,
            standard=[
                {**b, "value": v} for b, v in zip(n06.standard, ["100", "200", "500"], strict=True)
            ],
            effective_from=date(2024, 1, 1),
            document_no="南民发〔2024〕1号",
            payable=True,
        ),
    )
    person, _ = services.person_register(
        actor=county, data=person_input(village, name="周桂珍", birth=date(1938, 2, 2))
    )
    benefits.nightly(on=timezone.localdate())
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})  # a phone

    login(page, base, "village_li")
    page.goto(f"{base}/benefits/discovery/")
    row = page.locator("#candidates tr", has_text="周桂珍").filter(has_text="N06")
    expect(row).to_contain_text("年龄")
    row.get_by_role("link", name="受理申请").click()  # the row's item comes with the link
    expect(page.locator("#eligibility")).to_contain_text("80–89周岁 100.00")
    expect(page.locator("#item-code")).to_have_value("N06")
    expect(page.locator("#ineligible-notice")).to_have_count(0)
    page.fill("input[name=account]", "6217 0000 1234 5678")
    page.fill("input[name=note]", "户口簿、身份证已核验")
    page.set_input_files(
        "input[name=documents]",
        files=[{"name": "户口簿.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 x"}],
    )
    page.click("#accept-application")
    expect(page.locator("#status")).to_have_text("村（社区）已受理，待乡镇（街道）审核")
    expect(page.locator("#decide-form")).to_have_count(0)  # the village does not review
    url = page.url
    logout(page)

    login(page, base, "township_zhang")
    page.goto(url)
    page.click("#refuse")  # no reason: refused with a Chinese message, nothing changes
    expect(page.locator(".messages")).to_contain_text("请填写审核意见")
    page.fill("#reason", "经入户核实，情况属实")
    page.click("#approve")
    expect(page.locator("#status")).to_have_text("乡镇（街道）已审核，待县（区）审批")
    logout(page)

    login(page, base, "county_liu")
    page.goto(url)
    page.fill("#reason", "同意，自受理当月起发放")
    page.click("#approve")
    expect(page.locator("#status")).to_have_text("已批准")
    expect(page.locator("#decisions")).to_contain_text("经入户核实，情况属实")

    ent = Entitlement.objects.get(person=person, item_code="N06")
    assert ent.account_masked == "6217****5678"
    page.goto(f"{base}/benefits/rolls/")
    page.fill("input[name=month]", f"{ent.start:%Y-%m}")
    page.click("#generate-form button")
    expect(page.locator("#roll-status")).to_have_text("草稿")
    expect(page.locator("#lines")).to_contain_text("周桂珍")
    expect(page.locator("#totals")).to_contain_text("100.00")
    expect(page.locator("#missing-accounts")).to_have_count(0)  # the account came with it
    page.click("#approve-roll")
    expect(page.locator("#roll-status")).to_have_text("已审定（冻结）")
    assert offline_guard == []
