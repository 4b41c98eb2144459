"""Simplified Chinese only (docs/development.md, "Languages"): a browser that asks for
English still gets Chinese, Django's own messages included; there is no language switch."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse

pytestmark = pytest.mark.django_db


def test_english_browser_gets_chinese(client: Client) -> None:
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = page.content.decode()
    assert "登录" in body and 'lang="zh-Hans"' in body
    # A form error comes from Django's catalogue: Chinese, not "This field is required."
    r = client.post("/accounts/login/", {"username": ""}, HTTP_ACCEPT_LANGUAGE="en")
    text = r.content.decode()
    assert "This field is required" not in text and "这个字段是必填项" in text


def test_one_language_no_switch() -> None:
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans"]
    assert "django.middleware.locale.LocaleMiddleware" not in settings.MIDDLEWARE
    with pytest.raises(NoReverseMatch):
        reverse("set_language")
