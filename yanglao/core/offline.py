"""Offline apps' release identity (the visit app, the inspection app): the service worker's
cache name is `yanglao-<app>-<version>-<digest of every static file the app page can load>`,
so a phone that installed the app picks up new code on its next connection and drops that
app's old cache (sw.js `activate`); each app's worker drops only its own caches.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse, JsonResponse
from django.templatetags.static import static

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


def service_worker_response(app: str, prefixes: tuple[str, ...], scope: str) -> HttpResponse:
    """The shared service worker, served under the app's scope so it controls its pages, with
    this release's cache name written in; never cached long, so phones see a new release."""
    assets = offline_assets(prefixes)
    try:
        body = service_worker_source(assets, cache_name(app, assets, project_version()))
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache, max-age=0, must-revalidate"
    response["Service-Worker-Allowed"] = scope
    return response


def manifest_response(name: str, short_name: str, start_url: str, scope: str) -> JsonResponse:
    """The web app manifest of an offline app (installable on a phone's home screen)."""
    return JsonResponse(
        {
            "name": name,
            "short_name": short_name,
            "start_url": start_url,
            "scope": scope,
            "display": "standalone",
            "background_color": "#f5f7fa",
            "theme_color": "#b4462f",
            "lang": "zh-Hans",
            "icons": [
                {
                    "src": static("visits/icon.svg"),
                    "sizes": "any",
                    "type": "image/svg+xml",
                    "purpose": "any",
                }
            ],
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
