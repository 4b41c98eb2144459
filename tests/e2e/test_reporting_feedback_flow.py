"""Issue 13 parts 4 and 7 in a browser. A township officer fills in last month's 家庭医生签约
report (full-width digits, a negative number refused in Chinese) and submits it; the county
officer approves it from 待我审核; the reporting rate shows it. A member of the public, on a
phone and without logging in, picks the village by typing its name, solves the captcha and
gets a reference number; the township officer answers in the inbox; the public reads the
answer by reference number and the phone's last four digits. No request leaves localhost."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Route, ViewportSize, expect

from tests.e2e.auth import login as e2e_login
from yanglao.accounts.roles import Role
from yanglao.feedback import captcha
from yanglao.feedback.models import Feedback
from yanglao.reporting.choices import ReportStatus
from yanglao.reporting.models import Report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE: ViewportSize = {"width": 390, "height": 844}


def guard(context: BrowserContext, external: list[str]) -> None:
    def route(r: Route) -> None:
        if urlparse(r.request.url).hostname in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    context.route("**/*", route)


def test_report_approved_and_complaint_answered(
    live_server: Any,
    browser: Browser,
    regions: None,
    make_user: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_user(Role.TOWNSHIP_OFFICER, "220102001", username="township_e2e")
    make_user(Role.COUNTY_OFFICER, "220102", username="county_e2e")
    monkeypatch.setattr(captcha, "draw_answer", lambda: "2345")
    base = live_server.url
    external: list[str] = []

    # 1. The township officer enters and submits last month's report.
    ctx = browser.new_context()
    guard(ctx, external)
    page = ctx.new_page()
    e2e_login(page, base, "township_e2e")
    page.click("text=部门数据报送")
    page.click("#datasets >> text=填报南岭街道 >> nth=0")
    expect(page.locator("h1")).to_contain_text("老年人家庭医生签约服务")
    page.fill("#v-WJ-JTYS-01", "-5")
    page.fill("#v-WJ-JTYS-02", "１２")
    page.click("button[value=submit]")
    expect(page.locator(".has-error")).to_contain_text("不能为负数")
    page.fill("#v-WJ-JTYS-01", "８２０")
    page.click("button[value=submit]")
    expect(page.locator("#status")).to_have_text("已报送，待上级审核")
    expect(page.locator("#values")).to_contain_text("820 人")
    ctx.close()

    # 2. The county officer approves it from the list of reports waiting for approval.
    ctx = browser.new_context()
    guard(ctx, external)
    page = ctx.new_page()
    e2e_login(page, base, "county_e2e")
    page.goto(f"{base}/reporting/")
    page.click("#waiting >> text=老年人家庭医生签约服务")
    page.click("text=审核通过")
    expect(page.locator("#status")).to_have_text("已审核通过")
    assert Report.objects.get().status == ReportStatus.APPROVED
    page.click(".crumbs >> text=老年人家庭医生签约服务")
    expect(page.locator("#groups")).to_contain_text("南关区")
    expect(page.locator("#rate")).to_contain_text("%")
    county_page = page

    # 3. A member of the public, on a phone, no login.
    public_ctx = browser.new_context(viewport=PHONE)
    guard(public_ctx, external)
    public = public_ctx.new_page()
    public.goto(f"{base}/public/feedback/")
    public.check("input[value=complaint]")
    public.select_option("#topic", label="老年助餐")
    public.locator("#region_name").press_sequentially("华阳")
    option = public.locator("#region-options option").first
    expect(option).to_have_attribute("value", "长春市南关区南岭街道华阳社区")
    public.fill("#region_name", option.get_attribute("value") or "")
    public.fill("#content", "社区助餐点饭菜偏咸，老人吃不惯，希望改进。")
    public.fill("#phone", "13812345678")
    public.fill("#captcha", "2345")
    public.click("button.primary")
    reference = public.locator("#reference").inner_text().strip()
    fb = Feedback.objects.get()
    assert reference == fb.reference and fb.region_id == "220102001000"
    width = public.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width

    # 4. The township officer answers it from the inbox.
    ctx = browser.new_context()
    guard(ctx, external)
    page = ctx.new_page()
    e2e_login(page, base, "township_e2e")
    page.click("nav >> text=意见建议")
    page.click(f"#inbox >> text={reference}")
    expect(page.locator("body")).to_contain_text("138****5678")
    page.fill("#answer-text", "已约谈助餐点负责人，自下周起少盐少油，欢迎监督。")
    page.click("text=提交答复")
    expect(page.locator("#status")).to_have_text("已答复")
    ctx.close()

    # 5. The public reads the answer by reference number and the phone's last four digits.
    public.goto(f"{base}/public/feedback/lookup/")
    public.fill("#ref", reference.lower())
    public.fill("#phone4", "0000")
    public.click("button.primary")
    expect(public.locator("#problem")).to_contain_text("没有查到")
    public.fill("#ref", reference)
    public.fill("#phone4", "5678")
    public.click("button.primary")
    expect(public.locator("#answer")).to_contain_text("少盐少油")
    public_ctx.close()
    county_page.context.close()
    assert external == []
