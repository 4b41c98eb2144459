"""API test fixtures: clients that log in for a bearer token and send JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

PASSWORD = "Yl-test-pass-2026"


def token_body(user: Any, password: str = PASSWORD) -> dict[str, str]:
    """A token request as a scripted client sends it: with the current two-factor code where
    the account has a phone-app device."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yanglao.accounts.testing import totp_code

    body = {"username": user.username, "password": password}
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        body["otp"] = totp_code(user)
    return body


@pytest.fixture
def token_for(client: Client) -> Callable[[Any], str]:
    def issue(user: Any) -> str:
        r = client.post("/api/v1/auth/token", token_body(user), content_type="application/json")
        assert r.status_code == 200, r.content
        return str(r.json()["token"])

    return issue


class ApiClient:
    """A Django test client that sends a bearer token and JSON bodies."""

    def __init__(self, token: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, url: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(url, params or {}, headers=self.headers)

    def post(self, url: str, body: Any) -> Any:
        return self.client.post(url, body, content_type="application/json", headers=self.headers)

    def patch(self, url: str, body: Any) -> Any:
        return self.client.patch(url, body, content_type="application/json", headers=self.headers)

    def call(self, method: str, url: str, body: Any = None) -> Any:
        return self.client.generic(
            method,
            url,
            data=b"" if body is None else body,
            content_type="application/json",
            headers=self.headers,
        )


@pytest.fixture
def api_client(token_for: Callable[[Any], str]) -> Callable[[Any], ApiClient]:
    def make(user: Any) -> ApiClient:
        return ApiClient(token_for(user))

    return make
