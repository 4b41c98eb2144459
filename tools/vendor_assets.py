"""Fetch the JavaScript libraries that no Python package ships, checked against pinned hashes.

`python tools/vendor_assets.py` downloads each package's tarball from the npm registry
(`NPM_REGISTRY` overrides it, e.g. an intranet mirror), checks its sha512 against the
integrity pinned below, and extracts only the listed files into yanglao/static/vendor/
(git-ignored). A stamp per package makes a second run do nothing. No Node is needed; the
built release carries the files, so servers never fetch anything (stack-notes §5).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "yanglao" / "static" / "vendor"
REGISTRY = os.environ.get("NPM_REGISTRY", "https://registry.npmjs.org").rstrip("/")

# (package, version, npm dist.integrity, {member in tarball: path under VENDOR})
ASSETS: list[tuple[str, str, str, dict[str, str]]] = [
    (
        "echarts",
        "6.1.0",
        "sha512-q0yaFPggC9FUdsWH4blavRWFmxdrIodbkoKNAjJudAI6CA9gNPxHtV2RcZNEepZVlk4yvBYkOkbk6HIVpIyHZA==",
        {
            "package/dist/echarts.min.js": "echarts/echarts.min.js",
            "package/LICENSE": "echarts/LICENSE",
            "package/NOTICE": "echarts/NOTICE",
        },
    ),
]


def fetch(name: str, version: str, integrity: str, files: dict[str, str]) -> bool:
    """True when something was written; False when the stamp says it is already there."""
    stamp = VENDOR / f".{name}-{version}.stamp"
    if stamp.exists() and all((VENDOR / dest).exists() for dest in files.values()):
        return False
    url = f"{REGISTRY}/{name}/-/{name}-{version}.tgz"
    with urllib.request.urlopen(url, timeout=60) as response:
        data = response.read()
    algo, expected = integrity.split("-", 1)
    actual = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if actual != expected:
        raise SystemExit(f"{name}@{version}: integrity mismatch ({url})")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member, dest in files.items():
            extracted = tar.extractfile(member)
            if extracted is None:
                raise SystemExit(f"{name}@{version}: {member} missing from the tarball")
            target = VENDOR / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(extracted.read())
    stamp.write_text(f"{name}@{version} {integrity}\n", encoding="utf-8")
    return True


def main() -> int:
    for name, version, integrity, files in ASSETS:
        if fetch(name, version, integrity, files):
            sys.stdout.write(f"vendored {name}@{version} into {VENDOR.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
