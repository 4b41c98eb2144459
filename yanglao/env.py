"""Environment and data-directory settings: secrets generated on first run, never committed."""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path


def data_dir() -> Path:
    """Where the default SQLite file, keys and uploads live (YANGLAO_DATA_DIR)."""
    path = Path(os.environ.get("YANGLAO_DATA_DIR", Path.cwd() / "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _load_or_create_secrets(path: Path) -> dict[str, str]:
    if path.exists():
        loaded: dict[str, str] = json.loads(path.read_text())
        return loaded
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        # key id -> 32-byte AES-256-GCM key; the id travels with every ciphertext so keys rotate.
        "DATA_KEYS": json.dumps({"k1": base64.b64encode(secrets.token_bytes(32)).decode()}),
        "HASH_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    # Written 0600: the keys protect every ID and phone number at rest.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(values, fh)
    return values


def secret(name: str, directory: Path) -> str:
    """An env var if set, else the value in DATA_DIR/secrets.json (created on first use)."""
    if name in os.environ:
        return os.environ[name]
    env_name = f"YANGLAO_{name}"
    if env_name in os.environ:
        return os.environ[env_name]
    return _load_or_create_secrets(directory / "secrets.json")[name]


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}
