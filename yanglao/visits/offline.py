"""The offline visit app's release identity (core.offline): the service worker's cache name
is the project version plus a digest of every static file the app page can load, so a phone
that installed the app picks up new code on its next connection and drops the old cache.
"""

from __future__ import annotations

from yanglao.core import offline as core_offline
from yanglao.core.offline import CACHE_PLACEHOLDER, SW_SOURCE, project_version

# Static folders the offline page loads from (its own, the site's styles, htmx); the page
# hands every resource it loaded to the service worker, which serves them cache-first.
OFFLINE_PREFIXES = ("visits/", "yanglao/", "django_htmx/")
__all__ = ["CACHE_PLACEHOLDER", "SW_SOURCE", "cache_name", "project_version"]


def offline_assets() -> list[tuple[str, bytes]]:
    return core_offline.offline_assets(OFFLINE_PREFIXES)


def cache_name(assets: list[tuple[str, bytes]] | None = None) -> str:
    found = offline_assets() if assets is None else assets
    return core_offline.cache_name("visits", found, project_version())


def service_worker_source() -> str:
    """sw.js with this release's cache name written in."""
    assets = offline_assets()
    return core_offline.service_worker_source(assets, cache_name(assets))
