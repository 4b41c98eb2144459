"""Browser test: two-factor enrolment without a camera, login with a code, a recovery code."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from yanglao.accounts.models import User
from yanglao.accounts.roles import Role
from yanglao.accounts.testing import code_for_secret, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "Yl-test-pass-2026"


def password_step(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def logout(page: Page) -> None:
    page.context.clear_cookies()


def test_enrol_login_with_code_and_with_recovery_code(
    live_server, page: Page, offline_guard: list[str], regions, make_user
) -> None:
    make_user(Role.COUNTY_OFFICER, "220102", username="officer_2fa", otp=False)
    base = live_server.url

    # First login: the enrolment page draws the QR code itself and shows the secret as text.
    password_step(page, base, "officer_2fa")
    expect(page).to_have_url(re.compile(r"/accounts/login/enrol/$"))
    expect(page.locator("figure.qr svg")).to_be_visible()
    secret = page.inner_text("#otp-secret")
    assert re.fullmatch(r"[A-Z2-7 ]{32,}", secret)
    page.fill("input[name=code]", "123456" if code_for_secret(secret) != "123456" else "654321")
    page.click("button[type=submit]")
    expect(page.locator("p.error")).to_contain_text("验证码不正确")
    page.wait_for_timeout(1100)  # django-otp throttles: 1 s after one wrong code, then 2 s, 4 s…
    page.fill("input[name=code]", code_for_secret(secret))
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("恢复码")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.click("text=我已保存，继续")
    expect(page.locator("nav")).to_contain_text("老年人台账")

    # Second login: the phone app's code.
    logout(page)
    password_step(page, base, "officer_2fa")
    expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))
    page.fill("input[name=code]", totp_code(User.objects.get(username="officer_2fa")))
    page.click("button[type=submit]")
    expect(page.locator("nav")).to_contain_text("老年人台账")

    # Phone left at home: a recovery code works once.
    for works in (True, False):
        logout(page)
        password_step(page, base, "officer_2fa")
        expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))
        page.fill("input[name=code]", codes[0])
        page.click("button[type=submit]")
        if works:
            expect(page.locator("nav")).to_contain_text("老年人台账")
        else:
            expect(page.locator("p.error")).to_contain_text("验证码不正确")
    assert offline_guard == []
