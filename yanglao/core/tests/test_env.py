"""Keys: from the environment or a file; generated only in development (issue #10)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from yanglao.env import DEVELOPMENT, PRODUCTION, deployment, secret

ROOT = Path(__file__).resolve().parents[3]
PROD: dict[str, str] = {}  # YANGLAO_ENV unset = production
DEV = {"YANGLAO_ENV": "development"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, PRODUCTION),
        ("", PRODUCTION),
        ("production", PRODUCTION),
        ("dev", PRODUCTION),  # only the exact word counts
        ("development", DEVELOPMENT),
        (" Development\n", DEVELOPMENT),
    ],
)
def test_deployment_is_production_unless_said(raw: str | None, expected: str) -> None:
    assert deployment({} if raw is None else {"YANGLAO_ENV": raw}) == expected


@pytest.mark.parametrize("var", ["HASH_KEY", "YANGLAO_HASH_KEY"])
def test_value_from_environment(tmp_path: Path, var: str) -> None:
    assert secret("HASH_KEY", tmp_path, {var: "abc=="}) == "abc=="
    assert not (tmp_path / "secrets.json").exists()


@pytest.mark.parametrize("var", ["YANGLAO_DATA_KEYS_FILE", "DATA_KEYS_FILE"])
def test_value_from_file_strips_trailing_newline(tmp_path: Path, var: str) -> None:
    path = tmp_path / "data_keys"
    path.write_text('{"k1": "AAAA"}\n', encoding="utf-8")
    assert secret("DATA_KEYS", tmp_path, {var: str(path)}) == '{"k1": "AAAA"}'
    assert not (tmp_path / "secrets.json").exists()


def test_value_and_file_both_set_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_text("x")
    env = {"YANGLAO_HASH_KEY": "x", "YANGLAO_HASH_KEY_FILE": str(path), **DEV}
    with pytest.raises(ImproperlyConfigured, match="YANGLAO_HASH_KEY_FILE"):
        secret("HASH_KEY", tmp_path, env)
    with pytest.raises(ImproperlyConfigured, match="只能设置其中一个"):
        secret("SECRET_KEY", tmp_path, {"SECRET_KEY": "a", "YANGLAO_SECRET_KEY": "a"})


@pytest.mark.parametrize("content", ["", "\n", "  \n"])
def test_empty_file_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "key"
    path.write_text(content)
    with pytest.raises(ImproperlyConfigured, match="是空的"):
        secret("HASH_KEY", tmp_path, {"YANGLAO_HASH_KEY_FILE": str(path), **DEV})


def test_unreadable_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="无法读取"):
        secret("HASH_KEY", tmp_path, {"YANGLAO_HASH_KEY_FILE": str(tmp_path / "missing")})
    with pytest.raises(ImproperlyConfigured, match="无法读取"):  # a directory, not a file
        secret("HASH_KEY", tmp_path, {"YANGLAO_HASH_KEY_FILE": str(tmp_path)})
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ImproperlyConfigured, match="无法读取"):
        secret("HASH_KEY", tmp_path, {"YANGLAO_HASH_KEY_FILE": str(binary)})


def test_empty_value_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="是空的"):
        secret("SECRET_KEY", tmp_path, {"SECRET_KEY": " ", **DEV})


@pytest.mark.parametrize("name", ["SECRET_KEY", "DATA_KEYS", "HASH_KEY"])
def test_missing_in_production_is_refused_and_nothing_written(tmp_path: Path, name: str) -> None:
    with pytest.raises(ImproperlyConfigured) as exc:
        secret(name, tmp_path, PROD)
    wanted = name if name == "SECRET_KEY" else f"YANGLAO_{name}"
    assert f"缺少密钥：请设置环境变量 {wanted}" in str(exc.value)
    assert f"missing secret {wanted}" in str(exc.value)  # English too, for the ops console
    assert not (tmp_path / "secrets.json").exists()


def test_development_generates_once_and_reuses(tmp_path: Path) -> None:
    first = {n: secret(n, tmp_path, DEV) for n in ("SECRET_KEY", "DATA_KEYS", "HASH_KEY")}
    path = tmp_path / "secrets.json"
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text()) == first
    assert {n: secret(n, tmp_path, DEV) for n in first} == first
    assert len(json.loads(first["DATA_KEYS"])["k1"]) == 44  # 32 bytes, base64


def test_production_reads_secrets_json_of_an_earlier_version(tmp_path: Path) -> None:
    """Upgrading a single server that already has secrets.json keeps working."""
    created = secret("HASH_KEY", tmp_path, DEV)
    assert secret("HASH_KEY", tmp_path, PROD) == created


def test_server_refuses_to_start_in_production_without_keys(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "YANGLAO_", "SECRET_KEY", "DATA_KEYS", "HASH_KEY"))
    }
    env.update(YANGLAO_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="yanglao.settings")
    code = "import django; django.setup()"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode != 0
    assert "ImproperlyConfigured" in out.stderr and "SECRET_KEY" in out.stderr
    keys = tmp_path / "keys"
    keys.mkdir()
    for name, value in {
        "SECRET_KEY": "s" * 50,
        "YANGLAO_DATA_KEYS": json.dumps({"k1": "A" * 43 + "="}),
        "YANGLAO_HASH_KEY": "B" * 43 + "=",
    }.items():
        (keys / name).write_text(value + "\n")
        env[f"{name}_FILE"] = str(keys / name)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            code + "; from django.conf import settings; print(settings.HASH_KEY)",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "B" * 43 + "="
    assert not (tmp_path / "secrets.json").exists()
