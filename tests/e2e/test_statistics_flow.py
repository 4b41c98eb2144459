"""Issue 13 in a browser: a province officer opens the statistics dashboard, drills from the
province to a village, opens the people behind a number, then drafts the month's bulletin,
which a second officer approves (four eyes) and which the public page (no login) shows with small numbers suppressed.
No request may leave localhost (ECharts comes from the site's static files)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.auth import login
from yanglao.accounts.roles import Role
from yanglao.accounts.services import user_create
from yanglao.regions.models import Region
from yanglao.statistics import snapshot, testing

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def province_officer(username: str = "province_stats") -> Any:
    from yanglao.accounts.testing import enrol_totp

    user = user_create(
        actor=None,
        username=username,
        password="Yl-test-pass-2026",
        role=Role.PROVINCE_OFFICER,
        full_name="省厅统计员",
        jurisdictions=[("22", "edit")],
    )
    enrol_totp(user)
    return user


def test_drill_down_people_behind_a_number_and_publish(
    live_server, page: Page, offline_guard: list[str], regions
) -> None:
    officer = province_officer()
    world = testing.build(officer)
    snapshot.compute(testing.PERIOD, today=testing.TODAY)
    base = live_server.url
    page.set_default_timeout(90_000)  # the shared machine is slow under load
    page.set_default_navigation_timeout(90_000)
    login(page, base, officer.username)

    page.goto(f"{base}/statistics/")
    expect(page.locator("h1")).to_contain_text("老年人口")
    expect(page.locator("#snapshot-source")).to_contain_text("2026-11 第1版")
    # the chart is drawn (canvas) and the same figures are in the table behind it
    expect(page.locator("#panel-poptotal canvas").first).to_be_visible()
    names = [world.a[:4], world.a[:6], world.a[:9], world.a]
    for code in names:
        region = Region.objects.get(code=code.ljust(12, "0"))
        page.locator("#panel-poptotal table.figures-table").get_by_role(
            "link", name=region.short_name or region.name, exact=True
        ).click()
        expect(page.locator(".crumbs")).to_contain_text(region.name)
    # at the village: the number of people links to the ledger list, filtered and scoped
    page.locator("#panel-poptotal h2 .figure a").click()
    expect(page).to_have_url(f"{base}/people/?region={world.a}")
    for name in ("测试甲", "测试乙"):
        expect(page.get_by_text(name).first).to_be_visible()

    # the month's bulletin: drafted from the frozen snapshot, approved, public
    page.goto(f"{base}/statistics/bulletins/")
    page.select_option("#bulletin-new select[name=region]", "220000000000")
    with page.expect_navigation():
        page.click("#bulletin-new button")
    expect(page.locator("h1")).to_contain_text("待审核")
    expect(page.locator("#needs-second")).to_be_visible()  # the drafter cannot approve
    expect(page.locator("#publish")).to_have_count(0)
    draft_url = page.url

    reviewer = province_officer("province_review")
    second = page.context.browser.new_context()  # type: ignore[union-attr]
    rpage = second.new_page()
    rpage.set_default_timeout(90_000)
    login(rpage, base, reviewer.username)
    rpage.goto(draft_url)
    with rpage.expect_navigation():
        rpage.click("#publish")
    expect(rpage.locator("h1")).to_contain_text("已发布")
    second.close()

    anonymous = page.context.browser.new_context()  # type: ignore[union-attr]
    public = anonymous.new_page()
    public.goto(f"{base}/public/statistics/")
    public.get_by_role("link", name="吉林省2026年11月基本养老服务统计月报").click()
    expect(public.locator("#bulletin-source")).to_contain_text("统计快照 2026-11 第1版")
    expect(public.locator("table.bulletin-table").first).to_contain_text("<5")
    anonymous.close()
    assert offline_guard == []
