"""The offline app's release identity: the service worker's cache name is the project
version plus a digest of every static file the app page can load, so a phone that installed
the app picks up new code on its next connection and drops the old cache (sw.js `activate`).
"""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version

from django.contrib.staticfiles import finders

# Static folders the offline page loads from (its own, the site's styles, htmx); the page
# hands every resource it loaded to the service worker, which serves them cache-first.
OFFLINE_PREFIXES = ("visits/", "yanglao/", "django_htmx/")
SW_SOURCE = "visits/sw.js"
CACHE_PLACEHOLDER = "__YANGLAO_CACHE__"


def project_version() -> str:
    try:
        return version("yanglao")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0"


def offline_assets() -> list[tuple[str, bytes]]:
    """(path, content) of the offline app's static files, sorted by path; the first finder
    that has a path wins, as in `collectstatic`."""
    found: dict[str, bytes] = {}
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            path = path.replace("\\", "/")
            if path.startswith(OFFLINE_PREFIXES) and path not in found:
                with storage.open(path) as fh:
                    found[path] = fh.read()
    return sorted(found.items())


def cache_name(assets: list[tuple[str, bytes]] | None = None) -> str:
    digest = hashlib.sha256()
    for path, content in offline_assets() if assets is None else assets:
        digest.update(path.encode() + b"\0" + hashlib.sha256(content).digest())
    return f"yanglao-visits-{project_version()}-{digest.hexdigest()[:16]}"


def service_worker_source() -> str:
    """sw.js with this release's cache name written in."""
    assets = offline_assets()
    source = dict(assets).get(SW_SOURCE)
    if source is None:
        raise FileNotFoundError(SW_SOURCE)
    return source.decode("utf-8").replace(CACHE_PLACEHOLDER, cache_name(assets))
