"""The application's PostgreSQL role cannot erase the audit log (issue 15).

A fresh database gets the two roles of tools/db_roles.sh, is migrated as the owner, and then
the app role is shown to write and read everything it needs while every way to change or
empty the audit table fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from yanglao.core.tests.pg import requires_postgres

pytestmark = requires_postgres
ROOT = Path(__file__).resolve().parents[3]


def _url(user: str, db: str) -> str:
    cfg = settings.DATABASES["default"]
    return f"postgresql://{user}@{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/{db}"


def _yanglao(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "YANGLAO_ENV": "development"}
    env.pop("TEST_DATABASE_NAME", None)
    return subprocess.run(
        [sys.executable, "-c", "from yanglao.manage import main; main()", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def fresh() -> Iterator[dict[str, str]]:
    with fresh_database() as names:
        yield names


@contextmanager
def fresh_database() -> Iterator[dict[str, str]]:
    """A new empty database and the names of its owner and app roles (not yet created)."""
    import psycopg

    tag = uuid.uuid4().hex[:8]
    names = {"db": f"yl_roles_{tag}", "owner": f"yl_owner_{tag}", "app": f"yl_app_{tag}"}
    superuser = str(settings.DATABASES["default"]["USER"] or "postgres")
    admin = psycopg.connect(_url(superuser, "postgres"), autocommit=True)
    assert admin.execute(
        "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
    ).fetchone() == (True,)
    admin.execute(f'CREATE DATABASE "{names["db"]}"')
    names["superuser_url"] = _url(superuser, names["db"])
    try:
        yield names
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{names["db"]}" WITH (FORCE)')
        for role in (names["app"], names["owner"]):
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        admin.close()


def _roles(names: dict[str, str]) -> None:
    done = subprocess.run(
        [str(ROOT / "tools" / "db_roles.sh"), names["superuser_url"], names["owner"], names["app"]],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


REFUSED = [
    ("UPDATE core_auditevent SET action = 'x'", "permission denied"),
    ("DELETE FROM core_auditevent", "permission denied"),
    ("TRUNCATE core_auditevent", "permission denied"),
    ("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_change", "must be owner"),
    ("ALTER TABLE core_auditevent DISABLE TRIGGER ALL", "must be owner"),
    ("DROP TRIGGER core_auditevent_no_change ON core_auditevent", "must be owner"),
    ("DROP TABLE core_auditevent", "must be owner"),
    ("SET session_replication_role = replica", "permission denied"),
    ("CREATE TABLE core_auditevent_copy (id int)", "permission denied"),
    (
        "CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger"
        " AS $$ BEGIN RETURN NULL; END; $$ LANGUAGE plpgsql",
        "permission denied|must be owner",
    ),
]


def test_app_role_appends_and_reads_but_cannot_erase_the_audit_log(fresh: dict[str, str]) -> None:
    import psycopg

    _roles(fresh)  # before the first migrate: roles, ownership, default privileges
    migrated = _yanglao(_url(fresh["owner"], fresh["db"]), "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    _roles(fresh)  # after every migrate
    _roles(fresh)  # idempotent

    # The application, connected as the app role, writes single and bulk (COPY) audit rows
    # under the chain lock, and verifies the chain.
    app_url = _url(fresh["app"], fresh["db"])
    script = (
        "from django.db import transaction\n"
        "from yanglao.core.audit import Entry, audit, audit_many\n"
        "with transaction.atomic():\n"
        "    audit(actor=None, action='test.one')\n"
        "    audit_many(actor=None, action='test.bulk', object_type='x',"
        " entries=[Entry(object_id=str(i)) for i in range(100)])\n"
    )
    wrote = _yanglao(app_url, "shell", "-c", script)
    assert wrote.returncode == 0, wrote.stderr
    verified = _yanglao(app_url, "audit_verify")
    assert verified.returncode == 0 and "已校验 101 条" in verified.stdout, verified.stderr

    with psycopg.connect(app_url, autocommit=True) as conn:
        role = conn.execute(
            "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles"
            " WHERE rolname = current_user"
        ).fetchone()
        assert role == (False, False, False, False)
        owner = conn.execute(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'core_auditevent'"
        ).fetchone()
        assert owner == (fresh["owner"],)
        # other tables stay writable for the application
        conn.execute("UPDATE django_session SET expire_date = expire_date WHERE false")
        conn.execute("DELETE FROM django_session WHERE false")
        assert conn.execute("SELECT count(*) FROM core_auditevent").fetchone() == (101,)
        for sql, message in REFUSED:
            with pytest.raises(psycopg.Error, match=message):
                conn.execute(sql)
        assert conn.execute("SELECT count(*) FROM core_auditevent").fetchone() == (101,)
        assert conn.execute("SHOW session_replication_role").fetchone() == ("origin",)
