"""Browser-test fixtures: no request may leave localhost (DESIGN: no CDN, ever)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, Route


@pytest.fixture
def offline_guard(page: Page) -> list[str]:
    external: list[str] = []

    def guard(route: Route) -> None:
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    return external
