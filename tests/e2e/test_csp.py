"""Pages work under the Content-Security-Policy (no inline script): the behaviours moved to
static/yanglao/behaviours.js still act, charts draw, and the browser reports no violation."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from yanglao.accounts.roles import Role
from yanglao.people import services
from yanglao.people.choices import Category
from yanglao.people.testing import person_input

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_pages_work_under_the_csp(
    live_server, page: Page, offline_guard: list[str], regions, make_user
) -> None:
    officer = make_user(Role.COUNTY_OFFICER, "220102")
    for i, name in enumerate(["孙玉珍", "𠀀王〇"]):
        person, _ = services.person_register(
            actor=officer, data=person_input("220102001001", name=name, seq=30 + i)
        )
        services.person_category_add(
            actor=officer, person=person, category=Category.LIVING_ALONE, start=date(2024, 1, 1)
        )
    client = Client()
    client.force_login(officer)  # a session cookie: this test is about pages, not the login
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    base = live_server.url
    page.goto(f"{base}/visits/assign/")
    boxes = page.locator("input[name=person]")
    expect(boxes).to_have_count(2)
    page.check("input[data-select-all]")
    assert all(boxes.nth(i).is_checked() for i in range(2))
    page.uncheck("input[data-select-all]")
    assert not any(boxes.nth(i).is_checked() for i in range(2))
    page.goto(f"{base}/visits/coverage/")
    page.wait_for_load_state("networkidle")
    page.goto(f"{base}/people/?q=𠀀")
    expect(page.get_by_text("𠀀王〇")).to_be_visible()
    assert violations == []
    assert offline_guard == []
