"""Two assessors in headless Chromium: one fills in and submits a GB/T 42195 assessment with
the score updating as they answer, the other confirms it, and the person's 失能 tag changes."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, Route, expect

from tests.e2e.auth import login as e2e_login
from yanglao.accounts.roles import Role
from yanglao.assessments import scoring
from yanglao.people import services
from yanglao.people.choices import Category
from yanglao.people.models import PersonCategory
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


def test_two_assessors_complete_and_confirm(
    live_server, page: Page, offline_guard: list[str], regions, make_user
) -> None:
    village = "220102001001"
    officer = make_user(Role.COUNTY_OFFICER, "220102")
    person, _ = services.person_register(actor=officer, data=person_input(village, name="赵淑珍"))
    make_user(Role.ASSESSOR, "220102", mode="search", username="assessor_wang")
    make_user(Role.ASSESSOR, "220102", mode="search", username="assessor_li")
    base = live_server.url

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    login(page, base, "assessor_wang")
    page.goto(f"{base}/people/{person.public_id}/")
    page.click("#assessments-link")
    page.select_option("select[name=reason]", "first")
    page.click("#start-assessment")
    expect(page.locator("h1")).to_contain_text("赵淑珍")

    page.fill("input[name=provider_name]", "赵国强")
    page.select_option("select[name=provider_relation]", "child")
    # Answers totalling 60 (中度受损): self-care items all at 2 except one, the rest at max.
    answers = {i.code: i.max_points for i in scoring.ITEMS}
    for code in ("B.1.1", "B.1.2", "B.1.3", "B.1.4", "B.1.5", "B.1.6", "B.1.7"):
        answers[code] = 0
    answers["B.1.8"] = 2
    for code, points in answers.items():
        page.locator(f"input[name='{code}'][value='{points}']").check()
    expect(page.locator("#running-total")).to_contain_text("60")
    expect(page.locator("#running-grade")).to_have_text("能力中度受损（中度失能）")
    page.click("#submit-assessment")
    expect(page.locator("#status")).to_have_text("待复核")
    expect(page.locator("#confirm-assessment")).to_have_count(0)  # not the same assessor
    logout(page)

    login(page, base, "assessor_li")
    page.goto(f"{base}/assessments/person/{person.public_id}/")
    page.click("#history a")
    page.click("#confirm-assessment")
    expect(page.locator("#status")).to_have_text("已确认")
    expect(page.locator("#final-grade")).to_have_text("能力中度受损（中度失能）")

    pdf = page.request.get(base + (page.locator("#pdf-link").get_attribute("href") or ""))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"

    page.goto(f"{base}/people/{person.public_id}/")
    expect(page.locator(".tags")).to_contain_text("失能")
    tag = PersonCategory.objects.get(person=person, category=Category.DISABLED)
    assert tag.grade == "中度" and tag.end_date is None
    assert offline_guard == []
