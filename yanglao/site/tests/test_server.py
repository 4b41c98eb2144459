"""A real server (issue 15): deploy checks, the health endpoint, Chinese error answers."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings

from yanglao.accounts.roles import Role

ROOT = Path(__file__).resolve().parents[3]


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a production server behind an HTTPS proxy, keys in files."""
    keys = tmp_path / "keys"
    keys.mkdir()
    values = {
        "secret_key": secrets.token_urlsafe(50),
        "data_keys": json.dumps({"k1": base64.b64encode(secrets.token_bytes(32)).decode()}),
        "hash_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    for name, value in values.items():
        (keys / name).write_text(value + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "YANGLAO_"))}
    for k in ("SECRET_KEY", "SQLITE_PATH", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(k, None)
    env.update(
        YANGLAO_DATA_DIR=str(tmp_path / "var"),
        SQLITE_PATH=str(tmp_path / "prod.sqlite3"),
        SECRET_KEY_FILE=str(keys / "secret_key"),
        YANGLAO_DATA_KEYS_FILE=str(keys / "data_keys"),
        YANGLAO_HASH_KEY_FILE=str(keys / "hash_key"),
        ALLOWED_HOSTS="yanglao.example.gov.cn",
        CSRF_TRUSTED_ORIGINS="https://yanglao.example.gov.cn",
        SECURE_PROXY_SSL_HEADER="true",
        SECURE_SSL_REDIRECT="true",
        SECURE_COOKIES="true",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "yanglao.manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_production_environment(tmp_path: Path) -> None:
    done = _check_deploy(production_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout and "WARNING" not in done.stderr


def test_check_deploy_warns_without_https_settings(tmp_path: Path) -> None:
    """The clean check above is the environment's doing: without it the warnings come back."""
    env = production_env(tmp_path, SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="0")
    done = _check_deploy(env)
    assert done.returncode != 0
    assert "security.W004" in done.stderr and "security.W008" in done.stderr


# --- /healthz ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_json_without_login_or_personal_data() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert not response.cookies  # no session is started


@pytest.mark.django_db
def test_healthz_says_503_when_the_database_does_not_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db.utils import OperationalError

    def down(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("could not connect to server: secret-host:5432")

    monkeypatch.setattr(connection, "cursor", down)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}
    assert b"secret-host" not in response.content


@pytest.mark.django_db
def test_healthz_is_not_redirected_to_https_but_pages_are() -> None:
    with override_settings(SECURE_SSL_REDIRECT=True):
        client = Client()
        assert client.get("/healthz").status_code == 200
        page = client.get("/accounts/login/")
        assert page.status_code == 301 and page["Location"].startswith("https://")


@pytest.mark.django_db
def test_healthz_refuses_writes() -> None:
    assert Client().post("/healthz").status_code == 405


# --- Chinese 400/403/404/500, pages and API JSON --------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "text"),
    [("/no-such-page/", "未找到"), ("/people/00000000-0000-0000-0000-000000000000/", "未找到")],
)
def test_404_is_a_chinese_page(
    path: str, text: str, regions: None, make_user: Callable[..., Any]
) -> None:
    client = Client()
    client.force_login(make_user(Role.COUNTY_OFFICER, "220102"))
    response = client.get(path)
    assert response.status_code == 404
    assert text in response.content.decode() and "<html" in response.content.decode()


@pytest.mark.django_db
def test_api_404_outside_the_routes_is_chinese_json() -> None:
    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "未找到，或不在您的辖区范围内"}


@pytest.mark.django_db
def test_403_is_a_chinese_page(regions: None, make_user: Callable[..., Any]) -> None:
    client = Client()
    client.force_login(make_user(Role.VISIT_WORKER, "220102001001"))
    response = client.get("/audit/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


@pytest.mark.django_db
def test_oversized_api_body_is_a_chinese_json_400(
    regions: None, make_user: Callable[..., Any], settings: Any
) -> None:
    from yanglao.api.tests.conftest import token_body

    user = make_user(Role.COUNTY_OFFICER, "220102")
    issued = Client().post("/api/v1/auth/token", token_body(user), content_type="application/json")
    token = issued.json()["token"]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"name": "张" * 2000})
    response = Client().post(
        "/api/v1/persons",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "超过大小上限" in response.json()["detail"]


@pytest.mark.django_db
def test_oversized_form_is_a_chinese_page(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = Client(enforce_csrf_checks=False)
    response = client.post("/accounts/login/", {"username": "x" * 5000, "password": "y"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "请求有误" in text and "超过大小上限" in text


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="yanglao.site.tests.boom_urls")
def test_500_is_chinese_on_pages_and_json_on_the_api() -> None:
    client = Client(raise_request_exception=False)
    page = client.get("/boom")
    assert page.status_code == 500 and "服务器内部错误" in page.content.decode()
    assert "boom" not in page.content.decode()
    api = client.get("/api/boom")
    assert api.status_code == 500 and "服务器内部错误" in api.json()["detail"]


def test_database_connections_are_health_checked() -> None:
    from yanglao.settings import _database_from_url

    db = _database_from_url("postgresql://app@db:5432/yanglao")
    assert db["CONN_HEALTH_CHECKS"] is True and db["CONN_MAX_AGE"] == 60


# --- the deploy/ folder ------------------------------------------------------------------


def _unit(name: str) -> dict[str, str]:
    lines = (ROOT / "deploy" / name).read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


@pytest.mark.parametrize(
    ("unit", "command"),
    [
        ("yanglao-worker.service", "worker"),
        ("yanglao-scheduler.service", "scheduler"),
    ],
)
def test_systemd_units_run_real_commands_and_restart(unit: str, command: str) -> None:
    from django.core.management import get_commands

    values = _unit(unit)
    argv = values["ExecStart"].split()
    assert argv[0].endswith("/yanglao") and argv[1] == command and command in get_commands()
    assert values["Restart"] == "always" and values["EnvironmentFile"] == "/etc/yanglao/env"


def test_web_unit_runs_gunicorn_with_the_repository_config() -> None:
    import runpy

    values = _unit("yanglao-web.service")
    assert "gunicorn -c /srv/yanglao/deploy/gunicorn.conf.py" in values["ExecStart"]
    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert config["wsgi_app"] == "yanglao.wsgi:application" and config["workers"] >= 1
    assert "%(q)s" not in config["access_log_format"]  # query strings can hold names


def test_nginx_body_limit_matches_the_upload_limit() -> None:
    import re

    from yanglao.imports.services import MAX_UPLOAD_BYTES

    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    size = re.search(r"client_max_body_size (\d+)m;", conf)
    assert size and int(size.group(1)) * 1024 * 1024 == MAX_UPLOAD_BYTES
    for header in ("X-Forwarded-Proto", "X-Forwarded-For", "Host"):
        assert f"proxy_set_header {header}" in conf
    assert "ssl_certificate " in conf and "alias /srv/yanglao/var/static/;" in conf


def test_env_example_passes_the_deploy_check(tmp_path: Path) -> None:
    """deploy/env.example, with the keys and paths of this machine, is check --deploy clean."""
    lines = (ROOT / "deploy" / "env.example").read_text(encoding="utf-8").splitlines()
    example = dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    keep = {k: v for k, v in example.items() if not k.endswith("_FILE") and "DATA_DIR" not in k}
    keep.pop("DATABASE_URL")
    done = _check_deploy(production_env(tmp_path, **keep))
    assert done.returncode == 0, done.stdout + done.stderr
