"""A village worker in headless Chromium: log in, find a person, edit the address, see the
masked ID, and fail to open a person of another county. No request may leave localhost."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.auth import login as e2e_login
from yanglao.accounts.roles import Role
from yanglao.people import services
from yanglao.people.testing import person_input
from yanglao.regions.models import Region

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "Yl-test-pass-2026"


def login(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    e2e_login(page, base, username, password)


def test_village_worker_finds_edits_and_cannot_cross_county(
    live_server,
    page: Page,
    offline_guard: list[str],
    regions,
    make_user,
) -> None:
    village = "220102001001"
    officer = make_user(Role.COUNTY_OFFICER, "220102")
    mine, _ = services.person_register(actor=officer, data=person_input(village, name="孙玉珍"))
    other_village = Region.objects.filter(level=5, code__startswith="220204").first()
    assert other_village is not None
    other_officer = make_user(Role.COUNTY_OFFICER, "220204")
    theirs, _ = services.person_register(
        actor=other_officer, data=person_input(other_village.code, name="周桂香", seq=9)
    )
    make_user(Role.VISIT_WORKER, village, username="worker_huayang")

    login(page, live_server.url, "worker_huayang")
    expect(page.locator("h1")).to_contain_text("工作台")

    # Find the person by name.
    page.click("text=老年人台账")
    page.fill("input[name=q]", "孙玉")
    page.click("button:has-text('查询')")
    page.click("a:has-text('孙玉珍')")
    expect(page.locator("h1")).to_contain_text("孙玉珍")

    # The ID number is masked, and a village worker has no reveal button.
    masked = mine.id_number[:6] + "********" + mine.id_number[-4:]
    expect(page.locator("#id-number")).to_have_text(masked)
    assert mine.id_number not in page.content()
    expect(page.locator("#reveal-id")).to_have_count(0)

    # Correct the address.
    page.click("#edit-link")
    page.fill("input[name=address]", "华阳街8号2单元101室")
    page.click("button:has-text('保存')")
    expect(page.locator(".messages")).to_contain_text("已保存修改")
    expect(page.locator("#address")).to_have_text("华阳街8号2单元101室")
    mine.refresh_from_db()
    assert mine.address == "华阳街8号2单元101室" and mine.version == 2

    # A person of another county is simply not there.
    response = page.goto(f"{live_server.url}/people/{theirs.public_id}/")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("未找到")
    page.goto(f"{live_server.url}/people/?q=周桂香")
    expect(page.locator("#rows")).to_contain_text("没有符合条件的老年人")

    assert offline_guard == []


def test_officer_reveal_is_logged_and_validation_speaks_chinese(
    live_server,
    page: Page,
    offline_guard: list[str],
    regions,
    make_user,
) -> None:
    from yanglao.core.models import AuditEvent

    officer = make_user(Role.TOWNSHIP_OFFICER, "220102001", username="township_nanling")
    person, _ = services.person_register(actor=officer, data=person_input("220102001001"))
    login(page, live_server.url, "township_nanling")
    page.goto(f"{live_server.url}/people/{person.public_id}/")
    page.click("#reveal-id")
    expect(page.locator(".revealed")).to_have_text(person.id_number)
    assert AuditEvent.objects.filter(action="person.reveal_identifier", actor=officer).count() == 1

    # Register with a wrong check digit: the form says so in Chinese and nothing is written.
    page.goto(f"{live_server.url}/people/new/")
    page.fill("input[name=name]", "钱淑兰")
    page.check("input[name=sex][value=F]")
    page.fill("input[name=birth_date]", "1944-05-06")
    page.fill("input[name=id_number]", "220102194405060021")
    page.select_option("select[name=region_code]", "220102001001")
    page.click("button:has-text('保存')")
    expect(page.locator("#f-id_number .error")).to_contain_text("校验位不正确")
    assert offline_guard == []


def test_phone_layout_folds_the_menu(live_server, page: Page, regions, make_user) -> None:
    make_user(Role.VISIT_WORKER, "220102001001", username="phone_worker")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server.url, "phone_worker")
    expect(page.locator(".nav")).to_be_hidden()
    page.click(".nav-button")
    expect(page.locator(".nav")).to_be_visible()
