"""Offline apps' release identity (the visit app, the inspection app): the service worker's
cache name is `yanglao-<app>-<version>-<digest of every static file the app page can load>`,
so a phone that installed the app picks up new code on its next connection and drops that
app's old cache (sw.js `activate`); each app's worker drops only its own caches.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version

from django.contrib.staticfiles import finders

SW_SOURCE = "visits/sw.js"  # one service worker for every offline app (scope-relative)
CACHE_PLACEHOLDER = "__YANGLAO_CACHE__"


def project_version() -> str:
    try:
        return version("yanglao")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0"


def offline_assets(prefixes: tuple[str, ...]) -> list[tuple[str, bytes]]:
    """(path, content) of an offline app's static files, sorted by path; the first finder
    that has a path wins, as in `collectstatic`."""
    found: dict[str, bytes] = {}
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            path = path.replace("\\", "/")
            if path.startswith(prefixes) and path not in found:
                with storage.open(path) as fh:
                    found[path] = fh.read()
    return sorted(found.items())


def cache_name(app: str, assets: list[tuple[str, bytes]], release: str) -> str:
    digest = hashlib.sha256()
    for path, content in assets:
        digest.update(path.encode() + b"\0" + hashlib.sha256(content).digest())
    return f"yanglao-{app}-{release}-{digest.hexdigest()[:16]}"


def service_worker_source(assets: list[tuple[str, bytes]], name: str) -> str:
    """sw.js with the release's cache name written in."""
    source = dict(assets).get(SW_SOURCE)
    if source is None:
        raise FileNotFoundError(SW_SOURCE)
    return source.decode("utf-8").replace(CACHE_PLACEHOLDER, name)
