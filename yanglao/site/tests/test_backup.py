"""The backup script and its restore drill, on PostgreSQL (issue 15, a real server).

Dump a database holding some rows with tools/backup.sh, restore it into a new database with
tools/restore.sh, and compare every table's row count; retention removes old dumps only."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.postgres


def _admin() -> str:
    parsed = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(parsed._replace(path="/postgres"))


def _url(name: str) -> str:
    return urlunparse(urlparse(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """A source database with rows in a few tables, and the name of the restore target."""
    import psycopg

    source, target = (f"yanglao_drill_{uuid.uuid4().hex[:8]}_{s}" for s in ("src", "dst"))
    with psycopg.connect(_admin(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{source}"')
    with psycopg.connect(_url(source), autocommit=True) as conn:
        conn.execute("CREATE TABLE person (id serial PRIMARY KEY, name text, id_cipher bytea)")
        conn.execute("CREATE TABLE audit_event (id bigserial PRIMARY KEY, action text)")
        conn.execute(
            "INSERT INTO person (name, id_cipher) "
            "SELECT '张桂兰' || g, decode(md5(g::text), 'hex') FROM generate_series(1, 1234) g"
        )
        conn.execute(
            "INSERT INTO audit_event (action) SELECT 'person.create' FROM generate_series(1, 321)"
        )
    try:
        yield source, target
    finally:
        with psycopg.connect(_admin(), autocommit=True) as conn:
            for name in (source, target):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        counts = {}
        for t in tables:
            row = conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()
            assert row is not None
            counts[t] = int(row[0])
        return counts


def _sh(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "tools" / script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_backup_then_restore_drill_gives_the_same_rows(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    source, target = databases
    backups = tmp_path / "backups"
    old = backups / f"{source}-20200101-013000.dump"
    backups.mkdir()
    old.write_bytes(b"old")
    stamp = time.time() - 40 * 86400
    os.utime(old, (stamp, stamp))

    done = _sh(
        "backup.sh",
        env={"DATABASE_URL": _url(source), "BACKUP_DIR": str(backups), "BACKUP_KEEP_DAYS": "30"},
    )
    assert done.returncode == 0, done.stderr
    dumps = sorted(backups.glob(f"{source}-*.dump"))
    assert len(dumps) == 1 and not old.exists()  # the 40-day-old dump is gone, the new one kept
    assert (
        "已删除过期备份" in done.stdout and (dumps[0].parent / f"{dumps[0].name}.sha256").exists()
    )
    assert dumps[0].read_bytes()[:5] == b"PGDMP"  # custom format

    restored = _sh("restore.sh", str(dumps[0]), _url(target), env={})
    assert restored.returncode == 0, restored.stderr
    assert _counts(_url(target)) == _counts(_url(source)) == {"audit_event": 321, "person": 1234}

    # A second restore into the now non-empty database is refused, and changes nothing.
    again = _sh("restore.sh", str(dumps[0]), _url(target), env={})
    assert again.returncode == 3 and "不是空的" in again.stderr
    assert _counts(_url(target))["person"] == 1234


def test_backup_refuses_without_a_database(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run(
        [str(ROOT / "tools" / "backup.sh")],
        env={**env, "BACKUP_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "DATABASE_URL" in done.stderr
    assert not list(tmp_path.iterdir())
