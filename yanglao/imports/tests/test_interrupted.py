"""A commit whose process is killed mid-way leaves the ledger exactly as before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def isolated_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for a child process with a database of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["YANGLAO_DATA_DIR"] = str(tmp_path)
    env["PYTHONPATH"] = str(ROOT)
    url = os.environ.get("DATABASE_URL")
    if not url:
        env["SQLITE_PATH"] = str(tmp_path / "kill.sqlite3")
        yield env
        return
    import psycopg

    name = f"yanglao_kill_{uuid.uuid4().hex[:8]}"
    parsed = urlparse(url)
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{name}"))
    try:
        yield env
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "yanglao.imports.tests.killable", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    return out.stdout


def test_killed_commit_leaves_the_ledger_as_before(isolated_env: dict[str, str]) -> None:
    prepared = _run(isolated_env, "prepare").split()
    assert prepared[0] == "PREPARED"
    batch_id, user_id, new = prepared[1], prepared[2], int(prepared[3])
    assert new > 500
    assert _run(isolated_env, "check", batch_id).split() == ["CHECK", "0", "validated"]

    child = subprocess.Popen(
        [sys.executable, "-m", "yanglao.imports.tests.killable", "commit", batch_id, user_id],
        env=isolated_env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    steps = []
    for line in child.stdout:
        steps.append(line.split()[-1])
        if line.startswith("STEP new"):
            break  # the people are inserted, the transaction is open
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert steps[-1] == "new"
    # Nothing of the killed commit is visible; the batch can simply be committed again.
    assert _run(isolated_env, "check", batch_id).split() == ["CHECK", "0", "validated"]
    done = subprocess.run(
        [sys.executable, "-m", "yanglao.imports.tests.killable", "commit", batch_id, user_id],
        env={**isolated_env, "KILL_TEST_NO_PAUSE": "1"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert "COMMITTED" in done.stdout or done.returncode == 0, done.stderr
    assert _run(isolated_env, "check", batch_id).split() == ["CHECK", str(new), "committed"]
