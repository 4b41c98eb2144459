"""Every role lands on its 工作台 in a real browser: the to-do items are there with their
counts (late ones red and first), and following one opens the work. Village worker,
township officer, county officer, assessor, auditor, institution operator, inspector."""

from __future__ import annotations

import uuid
from datetime import date
from io import StringIO
from urllib.parse import urlparse

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tests.e2e.auth import login as e2e_login
from yanglao.accounts.roles import Role
from yanglao.assessments.demo import load as load_assessments
from yanglao.core.audit import Action, audit
from yanglao.institutions import demo as institutions_demo
from yanglao.institutions import demo_supervision
from yanglao.people import services as people
from yanglao.people.choices import Category
from yanglao.people.testing import person_input
from yanglao.visits import services as visits
from yanglao.visits.choices import FollowUpKind, RiskLevel
from yanglao.visits.rules import FollowUpInput
from yanglao.visits.testing import visit_input

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
VILLAGE = "220102001001"
PHONE = {"width": 390, "height": 844}


def guard(context: BrowserContext, external: list[str]) -> None:
    def route(r: Route) -> None:
        if urlparse(r.request.url).hostname in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    context.route("**/*", route)


def _world(make_user, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    county = make_user(Role.COUNTY_OFFICER, "220102", username="county_nanguan")
    make_user(Role.PROVINCE_OFFICER, "22", username="province_jilin")
    township = make_user(Role.TOWNSHIP_OFFICER, VILLAGE[:9], username="township_e2e")
    worker = make_user(Role.VISIT_WORKER, VILLAGE, username="village_e2e")
    make_user(Role.ASSESSOR, "220102", mode="search", username="assessor_nanguan")
    make_user(Role.ASSESSOR, "220102", mode="search", username="assessor_nanguan2")
    make_user(Role.AUDITOR, "22", mode="stats", username="auditor_e2e")
    make_user(Role.INSTITUTION_OPERATOR, "220102", "stats", username="institution_nanguan")
    make_user(Role.INSPECTOR, "220102", "stats", username="inspector_nanguan")
    make_user(Role.INSPECTOR, "220102", "stats", username="inspector_nanguan_fire")
    people_made = []
    for i, name in enumerate(("李淑珍", "王桂英", "赵玉兰", "孙秀芳", "周凤兰")):
        p, _ = people.person_register(
            actor=county, data=person_input(VILLAGE, name=name, seq=80 + i, birth=date(1948, 1, 5))
        )
        people.person_category_add(
            actor=county, person=p, category=Category.LIVING_ALONE, start=date(2024, 1, 1)
        )
        people_made.append(p)
    visits.assign(actor=township, people=people_made[:2], worker=worker)
    visits.tasks_generate(month=today)
    visits.visit_record(
        actor=worker,
        person=people_made[0],
        data=visit_input(
            today,
            risk_level=RiskLevel.EMERGENCY,
            follow_ups=[FollowUpInput(FollowUpKind.EMERGENCY, "摔倒，已拨打120", call_made=True)],
        ),
        client_uuid=uuid.uuid4(),
    )
    load_assessments(StringIO(), today=today)
    institutions_demo.load(StringIO(), today=today)
    demo_supervision.load(StringIO(), today=today)
    with transaction.atomic():
        audit(
            actor=county,
            action=Action.PERSON_REVEAL,
            object_type="person",
            object_label="李淑珍",
            region_code=VILLAGE,
        )


def _item(page: Page, label: str):
    return page.locator("#todo li", has_text=label)


def test_each_role_lands_on_its_work(
    live_server, browser: Browser, make_user, settings, tmp_path, regions
) -> None:
    _world(make_user, settings, tmp_path)
    base = live_server.url
    external: list[str] = []

    def as_user(username: str, phone: bool = False) -> Page:
        ctx = browser.new_context(viewport=PHONE if phone else {"width": 1280, "height": 900})
        guard(ctx, external)
        page = ctx.new_page()
        e2e_login(page, base, username)
        expect(page.locator("h1")).to_contain_text("工作台")
        return page

    # Village worker (on a phone): the emergency first and red; follow it to the list.
    page = as_user("village_e2e", phone=True)
    first = page.locator("#todo li").first
    expect(first).to_contain_text("紧急情况未办结")
    expect(first).to_have_class("is-late")
    expect(first.locator(".count")).to_contain_text("1")
    expect(_item(page, "本期待巡访")).to_contain_text("1")
    first.locator("a").click()
    expect(page.locator("#follow-up-list")).to_contain_text("李淑珍")
    expect(page.locator("#follow-up-list")).to_contain_text("今天发现")
    page.context.close()

    # Township officer: the emergency, then the board with the emergency box.
    page = as_user("township_e2e")
    expect(page.locator("#todo li").first).to_contain_text("紧急情况未办结")
    expect(_item(page, "疑似重复待核对")).to_be_visible()
    page.locator("#todo li").first.locator("a").click()
    expect(page.locator("#emergencies")).to_contain_text("李淑珍")
    page.context.close()

    # County officer: the late rectification first; follow it to the findings.
    page = as_user("county_nanguan")
    late = _item(page, "逾期未整改的检查问题")
    expect(late).to_have_class("is-late")
    expect(late).to_contain_text("逾期")
    for label in ("待审批的申请", "复核任务（应退尽退）", "待审定的发放名册", "到期未复评"):
        expect(_item(page, label)).to_be_visible()
    expect(page.locator("#chart-pyramid canvas")).to_be_visible()  # figures below, drawn
    late.locator("a").click()
    expect(page).to_have_url(f"{base}/institutions/inspections/findings/")
    page.context.close()

    # Assessor: two assessments wait for the second assessor; open one to confirm.
    page = as_user("assessor_nanguan", phone=True)
    waiting = _item(page, "待我复核的评估")
    expect(waiting.locator(".count")).to_contain_text("2")
    waiting.locator("a").click()
    expect(page.locator("#to-confirm tbody tr")).to_have_count(2)
    page.locator("#to-confirm tbody tr a").first.click()
    expect(page.locator("#confirm-assessment")).to_be_visible()
    page.context.close()

    # Auditor: the reveal of the last days; follow it to the audit log.
    page = as_user("auditor_e2e")
    reveals = _item(page, "查看完整号码")
    expect(reveals.locator(".count")).to_contain_text("1")
    reveals.locator("a").click()
    expect(page.locator("main")).to_contain_text("李淑珍")
    page.context.close()

    # Institution operator: the overdue rectification, red, first.
    page = as_user("institution_nanguan", phone=True)
    first = page.locator("#todo li").first
    expect(first).to_contain_text("待整改的检查问题")
    expect(first).to_have_class("is-late")
    first.locator("a").click()
    expect(page).to_have_url(f"{base}/institutions/inspections/findings/?status=open")
    page.context.close()

    # Inspector: the inspection to do, then the re-check.
    page = as_user("inspector_nanguan")
    expect(_item(page, "待检查的抽查任务").locator(".count")).to_contain_text("1")
    expect(_item(page, "待复查的整改").locator(".count")).to_contain_text("1")
    _item(page, "待检查的抽查任务").locator("a").click()
    expect(page.locator("main")).to_contain_text("待检查")
    page.context.close()
    assert external == []
