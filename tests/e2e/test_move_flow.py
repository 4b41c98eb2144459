"""Issue 10 in a browser: an old person moves to a village of another township. The county
officer changes the village on the edit form; the visit file and the open task follow
(people.hooks); the new township's officer assigns the new village's worker; that worker,
on a phone, finds the person and records a door visit; the old village's worker no longer
has the person on the list. No request may leave localhost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from tests.e2e.auth import login as e2e_login
from yanglao.accounts.roles import Role
from yanglao.accounts.services import user_create
from yanglao.people import services as people
from yanglao.people.choices import Category
from yanglao.people.testing import person_input
from yanglao.visits import services as visits
from yanglao.visits.models import VisitRecord, VisitSubject, VisitTask

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "Yl-test-pass-2026"
OLD_VILLAGE = "220102001001"  # 南关区 南岭街道 华阳社区
NEW_VILLAGE = "220102002001"  # 南关区 自强街道 北安社区
NEW_TOWNSHIP = "220102002"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESK: ViewportSize = {"width": 1280, "height": 900}
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "move-flow"


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # Phones here keep China time and Chinese, so the app's "today" is the server's and the
    # screenshots show what a worker sees. Service workers are blocked so that offline_guard
    # (page.route) sees every request; the offline app's service worker has its own test.
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "service_workers": "block",
    }


def login(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    e2e_login(page, base, username, PASSWORD)
    expect(page.locator("input[name=password]")).to_have_count(0)


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def user(role: str, region: str, username: str, full_name: str) -> Any:
    return user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        role=role,
        full_name=full_name,
        jurisdictions=[(region, "edit")],
    )


def test_person_moves_township_and_the_new_worker_visits(
    live_server, page: Page, offline_guard: list[str], regions
) -> None:
    county = user(Role.COUNTY_OFFICER, "220102", "county_nanguan", "赵文华")
    user(Role.TOWNSHIP_OFFICER, NEW_TOWNSHIP, "township_ziqiang", "钱丽娟")
    old_worker = user(Role.VISIT_WORKER, OLD_VILLAGE, "worker_huayang", "孙桂芝")
    new_worker = user(Role.VISIT_WORKER, NEW_VILLAGE, "worker_beian", "李春梅")
    person, _ = people.person_register(
        actor=county, data=person_input(OLD_VILLAGE, name="周淑琴", seq=3)
    )
    people.person_category_add(
        actor=county, person=person, category=Category.LIVING_ALONE, start=timezone.localdate()
    )
    visits.assign(actor=county, people=[person], worker=old_worker)
    visits.tasks_generate(month=timezone.localdate())
    task = VisitTask.objects.get(person=person, status__in=["pending", "overdue"])
    assert (task.region_id, task.worker_id) == (OLD_VILLAGE, old_worker.pk)
    base = live_server.url

    # 0. Before the move the old village's worker has the person on the list.
    page.set_viewport_size(PHONE)
    login(page, base, "worker_huayang")
    page.goto(f"{base}/visits/")
    expect(page.locator("#today-list")).to_contain_text("周淑琴")

    # 1. The county officer finds the person, opens 修改 and moves them to 北安社区.
    page.set_viewport_size(DESK)
    login(page, base, "county_nanguan")
    page.click("text=老年人台账")
    page.fill("input[name=q]", "周淑琴")
    page.click("button:has-text('查询')")
    page.click("a:has-text('周淑琴')")
    expect(page.locator("h1")).to_contain_text("周淑琴")
    page.click("#edit-link")
    page.select_option("select[name=region_code]", NEW_VILLAGE)
    shot(page, "1a-officer-edit-village")
    page.click("button:has-text('保存')")
    expect(page.locator(".messages")).to_contain_text("已保存修改")
    expect(page.locator("nav.crumbs")).to_contain_text("南关区 › 自强街道 › 北安社区")
    shot(page, "1b-officer-saved")
    subject = VisitSubject.objects.get(person=person)
    assert subject.region_id == NEW_VILLAGE and subject.worker_id is None
    task.refresh_from_db()
    assert (task.region_id, task.worker_id, task.status) == (NEW_VILLAGE, None, "pending")
    # The person's visit page says nobody is responsible now.
    page.click("#visits-link")
    expect(page.locator("dl.fields")).to_contain_text("未分配")
    shot(page, "1c-officer-visit-file-unassigned")

    # 2. The new township's officer assigns 北安社区's worker on 分配巡访员.
    login(page, base, "township_ziqiang")
    page.click("text=巡访督办")
    page.click("text=分配／调整巡访员")
    page.check("input[name=unassigned]")
    page.click("button:has-text('筛选')")
    row = page.locator("#subjects tbody tr", has_text="周淑琴")
    expect(row).to_contain_text("北安社区")
    expect(row).to_contain_text("未分配")
    row.locator("input[name=person]").check()
    page.select_option("#assign-form select[name=worker]", label="李春梅（村（社区）巡访员）")
    shot(page, "2a-township-assign")
    page.click("button:has-text('分配给勾选的老人')")
    expect(page.locator(".messages")).to_contain_text("已为 1 位老人分配巡访员")
    shot(page, "2b-township-assigned")
    subject.refresh_from_db()
    task.refresh_from_db()
    assert subject.worker_id == new_worker.pk and task.worker_id == new_worker.pk

    # 3. The new worker, on a phone, finds the person and records a door visit.
    page.set_viewport_size(PHONE)
    login(page, base, "worker_beian")
    page.click(".nav-button")
    page.click(".nav >> text=巡访")
    row = page.locator("#today-list tbody tr", has_text="周淑琴")
    expect(row).to_contain_text("北安社区")
    expect(row).to_contain_text("待访")
    shot(page, "3a-worker-list")
    row.locator("a:has-text('周淑琴')").click()
    expect(page.locator("h1")).to_contain_text("周淑琴")
    shot(page, "3b-worker-person")
    page.click("text=登记巡访")
    expect(page.locator("#form-view")).to_be_visible()
    expect(page.locator("#form-person")).to_have_text("周淑琴")
    page.check("input[name=method][value=door]")
    page.fill("textarea[name=summary]", "老人已搬到北安社区，身体尚好，独居。")
    shot(page, "3c-worker-form")
    page.click("#visit-form button[type=submit]")
    expect(page.locator("#app-message")).to_contain_text("已上传 1 条记录", timeout=15_000)
    expect(page.locator("#queue-count")).to_have_text("0")
    expect(page.locator("#people li.person", has_text="周淑琴")).to_contain_text("已访")
    shot(page, "3d-worker-app-after-upload")
    page.goto(f"{base}/visits/")
    row = page.locator("#today-list tbody tr", has_text="周淑琴")
    expect(row).to_contain_text("已访")
    expect(row).to_contain_text(timezone.localdate().strftime("%Y-%m-%d"))
    shot(page, "3e-worker-list-visited")
    record = VisitRecord.objects.get(person=person)
    assert (record.visitor_id, record.method, record.region_id) == (
        new_worker.pk,
        "door",
        NEW_VILLAGE,
    )
    task.refresh_from_db()
    assert task.status == "visited"

    # 4. The old village's worker no longer has the person, and cannot open their visits.
    login(page, base, "worker_huayang")
    page.goto(f"{base}/visits/")
    expect(page.locator("#today-list")).not_to_contain_text("周淑琴")
    shot(page, "4-old-worker-list")
    page.goto(f"{base}/visits/app/")
    expect(page.locator("#people")).to_contain_text("名单为空")
    expect(page.locator("#people")).not_to_contain_text("周淑琴")

    assert offline_guard == []
