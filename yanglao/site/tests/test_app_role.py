"""The application as it runs in production: as the app role of tools/db_roles.sql (issue 15).

test_db_roles proves what the app role cannot do to the audit log; these tests prove that the
application still does everything it must as that role: a ledger import (its commit joins
temporary tables), every scheduled job, the task worker and gunicorn, and that the worker and
the web server carry on when PostgreSQL drops their connections (CONN_HEALTH_CHECKS, `yanglao
worker`). PostgreSQL only; `.ci/run`'s PostgreSQL pass runs them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from conftest import TEST_COUNTIES, slice_csv
from yanglao.core.schedule import SCHEDULE
from yanglao.core.tests.test_db_roles import _roles, _url, fresh_database

pytestmark = pytest.mark.postgres  # deselected on SQLite (root conftest)
ROOT = Path(__file__).resolve().parents[3]
MANAGE = (sys.executable, "-c", "from yanglao.manage import main; main()")

# Upload a two-line ledger as a township officer; with YANGLAO_TASKS=immediate the validation
# (and the commit) run inline, otherwise they wait for the worker.
UPLOAD = """
from django.core.files.uploadedfile import SimpleUploadedFile
from yanglao.accounts.models import User
from yanglao.accounts.roles import Role
from yanglao.accounts.services import user_create
from yanglao.imports import services
from yanglao.imports.models import ImportBatch
from yanglao.imports.tests.conftest import REF, csv_bytes, line
user = User.objects.filter(username="township").first() or user_create(
    actor=None, username="township", password="Yl-test-pass-2026",
    role=Role.TOWNSHIP_OFFICER, full_name="测试用户", jurisdictions=[("220102001", "edit")])
seq = 10 * ImportBatch.objects.count()  # other people in each batch
data = csv_bytes([line(seq=seq + 1), line(seq=seq + 2, name="李秀英")])
batch = services.batch_upload(actor=user, upload=SimpleUploadedFile("台账.csv", data),
                              reference_date=REF)
services.batch_map(actor=user, batch=batch,
                   mapping={int(i): k for i, k in batch.mapping.items()})
batch.refresh_from_db()
print("batch", batch.pk, batch.status, batch.message)
"""

COMMIT = """
from yanglao.imports import services
from yanglao.imports.models import ImportBatch
from yanglao.people.models import Person
batch = ImportBatch.objects.latest("id")
services.batch_commit_request(actor=batch.created_by, batch=batch)
batch.refresh_from_db()
print("commit", batch.status, batch.message, Person.objects.count())
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A fresh database with both roles, migrated as the owner (once for the module: a migrate
    takes a minute); regions loaded as the app."""
    tmp_path = tmp_path_factory.mktemp("app_role")
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_NAME", "YANGLAO_TASKS")}
    env.update(YANGLAO_ENV="development", YANGLAO_DATA_DIR=str(tmp_path / "var"))
    (tmp_path / "var").mkdir()

    def run(url: str, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*MANAGE, *args],
            env={**env, "DATABASE_URL": url, **extra},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )

    with fresh_database() as fresh:
        _roles(fresh)
        migrated = run(_url(fresh["owner"], fresh["db"]), "migrate", "--verbosity", "0")
        assert migrated.returncode == 0, migrated.stderr
        _roles(fresh)
        app_url = _url(fresh["app"], fresh["db"])
        regions = tmp_path / "regions.csv"
        regions.write_text(slice_csv(TEST_COUNTIES), encoding="utf-8")
        loaded = run(app_url, "regions", "load", str(regions))
        assert loaded.returncode == 0, loaded.stderr
        yield {"url": app_url, "env": {**env, "DATABASE_URL": app_url}, "run": run, **fresh}


def test_the_app_role_imports_a_ledger_and_runs_every_scheduled_job(app: dict[str, Any]) -> None:
    run, url = app["run"], app["url"]
    uploaded = run(url, "shell", "-c", UPLOAD, YANGLAO_TASKS="immediate")
    assert uploaded.returncode == 0, uploaded.stderr
    assert _line(uploaded.stdout, "batch").split()[2] == "validated", uploaded.stdout
    # The commit joins two temporary tables (people.bulk): the app role may create them.
    committed = run(url, "shell", "-c", COMMIT, YANGLAO_TASKS="immediate")
    assert committed.returncode == 0, committed.stderr
    result = _line(committed.stdout, "commit").split()
    assert result[1] == "committed" and result[-1] == "2", committed.stdout

    # Every job of the schedule, as the app role (a fresh state file: all are due).
    jobs = run(url, "scheduler", "--once")
    assert jobs.returncode == 0, jobs.stderr
    ran = jobs.stdout.split("启动补做：", 1)[1].split()[0].split("、")
    assert ran == [j.name for j in SCHEDULE], jobs.stdout + jobs.stderr
    verified = run(url, "audit_verify")
    assert verified.returncode == 0 and "审计链完整" in verified.stdout, verified.stdout


def _line(output: str, word: str) -> str:
    """The line the script printed (the shell prints its automatic imports first)."""
    return next((x for x in output.splitlines() if x.startswith(word + " ")), "")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except urllib.error.URLError:  # not listening yet
        return 0, ""


def _superuser(app: dict[str, Any], sql: str, params: list[Any] | None = None) -> Any:
    import psycopg

    superuser = str(settings.DATABASES["default"]["USER"] or "postgres")
    with psycopg.connect(_url(superuser, "postgres"), autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchone() if cur.description else None


def _drop_connections(app: dict[str, Any]) -> int:
    """What a PostgreSQL restart or a network cut does to the app's sessions."""
    row = _superuser(
        app,
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        " WHERE usename = %s AND datname = %s",
        [app["app"], app["db"]],
    )
    return int(row[0]) if row else 0


def _outage(app: dict[str, Any], down: bool) -> None:
    """The database refuses new connections (as while PostgreSQL restarts), or takes them again;
    only this test's database, the shared server stays up."""
    allow = "false" if down else "true"
    _superuser(app, f'ALTER DATABASE "{app["db"]}" ALLOW_CONNECTIONS {allow}')
    if down:
        _drop_connections(app)


def _batch_status(app: dict[str, Any]) -> str:
    import psycopg

    with psycopg.connect(app["url"], autocommit=True) as conn:
        row = conn.execute("SELECT status FROM imports_importbatch ORDER BY id DESC").fetchone()
    return str(row[0]) if row else ""


def _wait(predicate: Any, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_worker_and_gunicorn_outlive_dropped_connections(app: dict[str, Any]) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**app["env"], "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1"}
    python = Path(sys.executable)
    procs: list[subprocess.Popen[str]] = [
        subprocess.Popen(
            [str(python.parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        ),
        subprocess.Popen(
            [
                *MANAGE,
                "worker",
                "--queue-name",
                "default",
                "--no-startup-delay",
                "--interval",
                "0.5",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        ),
    ]
    gunicorn, worker = procs
    try:
        assert _wait(lambda: _get(f"{base}/healthz")[0] == 200, 60), "gunicorn did not start"
        uploaded = app["run"](app["url"], "shell", "-c", UPLOAD)  # queued for the worker
        assert uploaded.returncode == 0, uploaded.stderr
        assert _wait(lambda: _batch_status(app) == "validated", 60), _batch_status(app)

        # PostgreSQL drops every session of the app role: the web worker's kept connection
        # and the task worker's.
        assert _drop_connections(app) >= 2
        # The next request is not a 500/503: the dead connection is found before use.
        status, body = _get(f"{base}/healthz")
        assert (status, '"database": "ok"' in body) == (200, True), body
        assert _get(f"{base}/accounts/login/")[0] == 200

        # Then the database is away for a while: /healthz says so, the worker waits.
        _outage(app, down=True)
        try:
            status, body = _get(f"{base}/healthz")
            assert (status, '"database": "error"' in body) == (503, True), body
            time.sleep(4)  # the worker polls every 0.5 s and fails to connect
            assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
        finally:
            _outage(app, down=False)
        assert _wait(lambda: _get(f"{base}/healthz")[0] == 200, 30)

        # The worker did not exit; it reconnects and runs the next queued validation.
        uploaded = app["run"](app["url"], "shell", "-c", UPLOAD)
        assert uploaded.returncode == 0, uploaded.stderr
        assert _line(uploaded.stdout, "batch").split()[2] == "validating", uploaded.stdout
        assert _wait(lambda: _batch_status(app) == "validated", 90), _batch_status(app)
        assert worker.poll() is None and gunicorn.poll() is None
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
