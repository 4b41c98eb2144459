"""API test fixtures: bearer-token clients and a few people in each test county."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import import_module
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import clear_url_caches, path

from yanglao.api.api import api

PASSWORD = "Yl-test-pass-2026"

# Used only while the project URLconf cannot be imported yet (the web apps' url modules are
# written in parallel); the API is mounted at the same place as in yanglao/urls.py.
urlpatterns = [path("api/", api.urls)]


def _project_urls_importable() -> bool:
    try:
        import_module(django_settings.ROOT_URLCONF)
    except ModuleNotFoundError:
        return False
    return True


@pytest.fixture(autouse=True)
def _api_urls(settings: Any) -> Iterator[None]:
    if not _project_urls_importable():
        settings.ROOT_URLCONF = __name__
        clear_url_caches()
    yield


@pytest.fixture
def token_for(client: Client) -> Callable[[Any], str]:
    def issue(user: Any) -> str:
        r = client.post(
            "/api/v1/auth/token",
            {"username": user.username, "password": PASSWORD},
            content_type="application/json",
        )
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
