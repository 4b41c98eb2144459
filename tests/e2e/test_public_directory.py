"""Issue 11 part 8 in a browser: the public institution directory on a phone (390 px), no
login: filter by district, open a home, see its level and the 检查结果 section, never a
resident's name; nothing wider than the screen. No request may leave localhost."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from yanglao.accounts.roles import Role
from yanglao.accounts.services import user_create
from yanglao.institutions import rating, services
from yanglao.institutions.rating_testing import file_home, run_to_publicity
from yanglao.institutions.tests.conftest import credit_code, institution_input
from yanglao.people import services as people
from yanglao.people.testing import person_input

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE: ViewportSize = {"width": 390, "height": 844}


def officer(region: str, username: str) -> Any:
    return user_create(
        actor=None,
        username=username,
        password="Yl-test-pass-2026",
        role=Role.COUNTY_OFFICER,
        jurisdictions=[(region, "edit")],
    )


def test_directory_on_a_phone(live_server, page: Page, offline_guard: list[str], regions) -> None:
    today = timezone.localdate()
    nanguan, chuanying = officer("220102", "county_nanguan"), officer("220204", "county_chuanying")
    home = services.institution_register(
        actor=nanguan,
        data=institution_input(
            1,
            name="南关区长寿路颐养中心暨老年护理院康复照料综合服务中心",  # a long name wraps
            fire_approved=True,
            bed_fee_min=Decimal(800),
            bed_fee_max=Decimal(1500),
        ),
    )
    file_home(officer=nanguan, institution=home, today=today - timedelta(days=90))
    other = services.institution_register(
        actor=chuanying,
        data=institution_input(2, "220204001001", credit_code=credit_code(2, area="220204")),
    )
    file_home(officer=chuanying, institution=other, today=today)
    person, _ = people.person_register(
        actor=nanguan, data=person_input("220102001001", name="诸葛兰芝", seq=5)
    )
    services.resident_admit(
        actor=nanguan,
        institution=home,
        id_number=person.id_number,
        bed=None,
        start=today - timedelta(days=3),
    )
    app = run_to_publicity(
        operator=nanguan,
        officer=nanguan,
        institution=home,
        level=3,
        share=Decimal("0.7"),
        today=today - timedelta(days=20),
    )
    rating.rating_certify(actor=nanguan, application=app, today=today - timedelta(days=5))

    base = live_server.url
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/public/institutions/")
    expect(page.locator("#directory li")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.select_option("select[name=district]", "220102")
    page.click("#public-filters button")
    expect(page.locator("#directory li")).to_have_count(1)
    expect(page.locator("#directory")).to_contain_text("三级")
    page.click("#directory a")
    expect(page.locator("h1")).to_contain_text("南关区长寿路颐养中心")
    expect(page.locator("#rating")).to_contain_text("三级")
    expect(page.locator("#inspections")).to_contain_text("暂无已公布的检查结果")
    expect(page.locator("body")).not_to_contain_text("诸葛兰芝")
    expect(page.locator("body")).to_contain_text("800–1500元/月")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert offline_guard == []
