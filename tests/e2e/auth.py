"""Logging in through the login page in browser tests, including the two-factor step."""

from __future__ import annotations

from playwright.sync_api import Page

from yanglao.accounts.models import User
from yanglao.accounts.testing import code_for_secret, totp_code

PASSWORD = "Yl-test-pass-2026"


def login(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    """Password, then the code the server asks for: the phone app's current code for an
    enrolled account, or enrolment (the secret read as text under the QR code)."""
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    if "/accounts/login/code/" in page.url:
        page.fill("input[name=code]", totp_code(User.objects.get(username=username)))
        with page.expect_navigation():
            page.click("button[type=submit]")
    elif "/accounts/login/enrol/" in page.url:
        page.fill("input[name=code]", code_for_secret(page.inner_text("#otp-secret")))
        with page.expect_navigation():
            page.click("button[type=submit]")
        with page.expect_navigation():
            page.click("text=我已保存，继续")
