"""Releases reach installed phones (issue #10): the service worker's cache name follows the
offline files, the worker script is never cached long, static files are content-hashed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

from yanglao.visits import offline

from .conftest import World

pytestmark = pytest.mark.django_db
CACHE_RE = re.compile(r'var CACHE = "(yanglao-visits-[0-9A-Za-z.+-]+-[0-9a-f]{16})";')


@pytest.fixture
def overlay(settings, tmp_path: Path) -> Path:
    """A static folder searched before the apps' own (as STATICFILES_DIRS are)."""
    settings.STATICFILES_DIRS = [tmp_path, *django_settings.STATICFILES_DIRS]
    return tmp_path


def write(root: Path, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text, encoding="utf-8")


def test_cache_name_follows_the_offline_files(overlay: Path, monkeypatch) -> None:
    first = offline.cache_name()
    assert first.startswith(f"yanglao-visits-{offline.project_version()}-")
    assert offline.cache_name() == first  # deterministic
    write(overlay, "visits/app.js", "/* fixed */")
    second = offline.cache_name()
    assert second != first
    write(overlay, "yanglao/app.css", "body{}")  # the site style the app page loads
    third = offline.cache_name()
    assert third not in {first, second}
    write(overlay, "vendor/other/chart.js", "x")  # not loaded by the offline page
    assert offline.cache_name() == third
    monkeypatch.setattr(offline, "project_version", lambda: "9.9.9")
    assert offline.cache_name().startswith("yanglao-visits-9.9.9-")


def test_service_worker_is_served_fresh_with_this_release_cache(world: World, overlay) -> None:
    c = Client()
    c.force_login(world.worker1)
    sw = c.get("/visits/sw.js")
    assert sw.status_code == 200
    assert sw["Content-Type"].startswith("application/javascript")
    assert sw["Service-Worker-Allowed"] == "/visits/"
    assert "no-cache" in sw["Cache-Control"] and "max-age=0" in sw["Cache-Control"]
    body = sw.content.decode()
    assert offline.CACHE_PLACEHOLDER not in body
    match = CACHE_RE.search(body)
    assert match and match.group(1) == offline.cache_name()
    # A changed offline file is a byte-different worker: the phone installs it.
    write(overlay, "visits/visits.css", ".x{}")
    again = c.get("/visits/sw.js").content.decode()
    assert again != body
    assert CACHE_RE.search(again).group(1) == offline.cache_name()  # type: ignore[union-attr]
    # Only the worker's own people open the app's script.
    assert Client().get("/visits/sw.js").status_code == 302  # to the login page
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get("/visits/sw.js").status_code == 403


def test_collectstatic_hashes_and_compresses(world: World, settings, tmp_path: Path) -> None:
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **django_settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", "--noinput", verbosity=0)
    url = static("visits/app.js")
    assert re.fullmatch(r"/static/visits/app\.[0-9a-f]{12}\.js", url)
    assert (tmp_path / url.removeprefix("/static/")).exists()
    assert (tmp_path / (url.removeprefix("/static/") + ".gz")).exists()
    c = Client()
    c.force_login(world.worker1)
    page = c.get("/visits/app/").content.decode()
    assert url in page and static("yanglao/app.css") in page
    served = c.get(url)
    assert served.status_code == 200
    assert "immutable" in served["Cache-Control"]  # hashed name: cached for good
    manifest = c.get("/visits/manifest.webmanifest").json()
    assert re.fullmatch(r"/static/visits/icon\.[0-9a-f]{12}\.svg", manifest["icons"][0]["src"])
