"""Environment and data-directory settings.

Keys (SECRET_KEY, DATA_KEYS, HASH_KEY) come from the environment — the value itself, or
`<NAME>_FILE` holding a path (Docker secrets, systemd credentials). Only in development
(YANGLAO_ENV=development, set by the Makefile and the test run) are missing keys generated
into DATA_DIR/secrets.json; anywhere else a missing key stops the server, because a second
app server with keys of its own would encrypt and hash the same ID number differently and
break the one-record-per-ID rule.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT = "development"
PRODUCTION = "production"


def deployment(environ: Mapping[str, str] | None = None) -> str:
    """YANGLAO_ENV: 'development' only when said explicitly; anything else is production."""
    raw = (os.environ if environ is None else environ).get("YANGLAO_ENV", "")
    return DEVELOPMENT if raw.strip().lower() == DEVELOPMENT else PRODUCTION


def data_dir() -> Path:
    """Where the default SQLite file, keys and uploads live (YANGLAO_DATA_DIR)."""
    path = Path(os.environ.get("YANGLAO_DATA_DIR", Path.cwd() / "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _generate() -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        # key id -> 32-byte AES-256-GCM key; the id travels with every ciphertext so keys rotate.
        "DATA_KEYS": json.dumps({"k1": base64.b64encode(secrets.token_bytes(32)).decode()}),
        "HASH_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


def _load_secrets_file(path: Path, *, create: bool) -> dict[str, str] | None:
    if path.exists():
        loaded: dict[str, str] = json.loads(path.read_text())
        return loaded
    if not create:
        return None
    values = _generate()
    # Written 0600: the keys protect every ID and phone number at rest.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(values, fh)
    return values


def _refuse(zh: str, en: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{zh} / {en}")


def _read_key_file(var: str, path: str) -> str:
    try:
        value = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _refuse(
            f"无法读取 {var} 指定的密钥文件 {path}（{exc.__class__.__name__}）",
            f"cannot read the key file named by {var}: {path}",
        ) from exc
    value = value.rstrip("\r\n")
    if not value.strip():
        raise _refuse(
            f"{var} 指定的密钥文件 {path} 是空的", f"the key file named by {var} is empty"
        )
    return value


def secret(name: str, directory: Path, environ: Mapping[str, str] | None = None) -> str:
    """The key `name` from `NAME`, `YANGLAO_NAME`, or a file named by `<either>_FILE`.

    Exactly one source may be set. With none: development generates (or reuses)
    DATA_DIR/secrets.json; production reuses an existing secrets.json written by an
    earlier version but never creates one — it refuses to start instead."""
    env = os.environ if environ is None else environ
    names = (name, f"YANGLAO_{name}")
    sources = [v for n in names for v in (n, f"{n}_FILE") if v in env]
    if len(sources) > 1:
        raise _refuse(
            f"密钥 {name} 同时由 {'、'.join(sources)} 设置，只能设置其中一个",
            f"{name} is set by {', '.join(sources)}; set exactly one",
        )
    if sources:
        var = sources[0]
        if var.endswith("_FILE"):
            return _read_key_file(var, env[var])
        if not env[var].strip():
            raise _refuse(f"环境变量 {var} 是空的", f"environment variable {var} is empty")
        return env[var]
    stored = _load_secrets_file(directory / "secrets.json", create=deployment(env) == DEVELOPMENT)
    if stored is None or name not in stored:
        wanted = f"YANGLAO_{name}" if name != "SECRET_KEY" else name
        raise _refuse(
            f"缺少密钥：请设置环境变量 {wanted} 或 {wanted}_FILE（密钥文件路径）。"
            "生产环境不会自动生成密钥：各台服务器必须使用同一组密钥，否则同一身份证号码会被重复登记。"
            "开发时请设置 YANGLAO_ENV=development（make run / make test 已设置）",
            f"missing secret {wanted}: set {wanted} or {wanted}_FILE; keys are generated only "
            "when YANGLAO_ENV=development",
        )
    return stored[name]


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}
