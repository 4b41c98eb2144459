"""Shared test fixtures: a small real region slice, users per role, a browser for e2e."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the main thread; Django must allow ORM calls
# from fixtures and the live server's teardown there (stack-notes §4 pitfall 1).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
JILIN_CSV = Path(__file__).resolve().parent / "yanglao" / "regions" / "data" / "jilin.csv"
# Two counties of two cities: 南关区 (长春) and 船营区 (吉林市), all their townships and villages.
TEST_COUNTIES = ("220102", "220204")


def slice_csv(prefixes: tuple[str, ...]) -> str:
    lines = JILIN_CSV.read_text(encoding="utf-8").splitlines()
    keep = [lines[0]]
    for line in lines[1:]:
        code = line.split(",", 1)[0]
        if (len(code) <= 4 and any(p.startswith(code) for p in prefixes)) or code.startswith(
            prefixes
        ):
            keep.append(line)
    return "\n".join(keep) + "\n"


def _deselect_postgres_only(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`@pytest.mark.postgres` tests belong to the PostgreSQL run (CI runs the suite on both):
    on SQLite they are deselected, never skipped; on PostgreSQL they always run."""
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    chosen = [i for i in items if "postgres" not in i.keywords]
    if len(chosen) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if "postgres" in i.keywords])
        items[:] = chosen


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _deselect_postgres_only(config, items)
    # Browser tests run wherever Chromium exists; CI installs it, so there they always run.
    if os.path.exists(CHROMIUM) and os.environ.get("YANGLAO_SKIP_E2E") != "1":
        return
    if os.environ.get("CI") == "true":
        return  # never skip in CI: a missing browser must fail loudly
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _vendored_assets() -> None:
    # Pages load ECharts from static/vendor (fetched, hash-checked, git-ignored); a fresh
    # clone gets it here as with `make venv`.
    import subprocess
    import sys

    subprocess.run(
        [sys.executable, str(Path(__file__).resolve().parent / "tools" / "vendor_assets.py")],
        check=True,
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            # Transactional tests flush tables with DELETE; on PostgreSQL flush uses TRUNCATE,
            # which row triggers do not see. test_audit re-creates the trigger to test it.
            with connection.cursor() as cur:
                cur.execute("DROP TRIGGER IF EXISTS core_auditevent_no_delete")
        # What the migrations seeded (visit frequencies, catalogues, policies, data sets) as
        # it stands before any test; restored after each transactional test's flush.
        SEEDED["default"] = _serialize_seeded(connection)
    yield


# Kept here, not on the connection object: Django's connections are context-local, and
# Playwright's event loop gives browser tests another context (another wrapper object).
SEEDED: dict[str, str] = {}

# Rebuilt by their own post_migrate handlers after a flush; everything else the migrations
# wrote is ours to put back.
_NOT_SEEDED = ("django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions")


def _serialize_seeded(connection) -> str:  # type: ignore[no-untyped-def]
    from django.conf import settings

    kept = list(getattr(settings, "TEST_NON_SERIALIZED_APPS", []))
    settings.TEST_NON_SERIALIZED_APPS = [*kept, *_NOT_SEEDED]
    try:
        return connection.creation.serialize_db_to_string()
    finally:
        settings.TEST_NON_SERIALIZED_APPS = kept


def _flushes(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    ):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):  # type: ignore[no-untyped-def]
    # A transactional test (browser tests included) ends with a flush that empties every
    # table, also the rows the migrations seeded; later tests rely on them, so put them back
    # once the test's own fixtures are torn down (Django's serialized_rollback restores only
    # at the start of the tests that ask for it).
    yield
    if nextitem is None or not _flushes(item):
        return  # after the last test the test database is already gone
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    seeded = SEEDED.get("default")
    if not seeded:
        return
    with item.config.stash[blocking_manager_key].unblock():
        connection.creation.deserialize_db_from_string(seeded)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 with Django's iteration count costs ~0.3 s per login; tests need no such cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Cached pages (the public institution directory, 60 s) must not leak between tests.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings):
    # Background tasks run at enqueue time in tests; the database queue has its own test.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }


@pytest.fixture
def on_commit_now(monkeypatch):
    # A test runs inside a transaction that never commits, so on_commit callbacks (which
    # enqueue background tasks) would never fire: run them at once instead.
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda fn, using=None, robust=False: fn())


@pytest.fixture
def regions(db):
    from yanglao.regions.services import regions_load

    regions_load(text=slice_csv(TEST_COUNTIES), actor=None)


@pytest.fixture
def make_user(db) -> Callable[..., object]:
    from yanglao.accounts.policy import otp_required
    from yanglao.accounts.services import user_create
    from yanglao.accounts.testing import enrol_totp

    counter = {"n": 0}

    def make(
        role: str,
        region: str,
        mode: str = "edit",
        password: str = "Yl-test-pass-2026",
        username: str | None = None,
        otp: bool = True,
    ) -> object:
        counter["n"] += 1
        user = user_create(
            actor=None,
            username=username or f"{role}{counter['n']}",
            password=password,
            role=role,
            full_name="测试用户",
            jurisdictions=[(region, mode)],
        )
        # Roles with two-factor login get a phone-app device, as after their first login;
        # tests compute its code with yanglao.accounts.testing.totp_code(user).
        if otp and otp_required(role, visit_worker_otp=False):
            enrol_totp(user)
        return user

    return make


@pytest.fixture(autouse=True)
def _force_login_verified(monkeypatch):
    # `client.force_login(user)` skips the login page, so also its second factor: mark the
    # session verified as the login page would (the middleware that ends unverified sessions
    # of two-factor roles stays as it is in production).
    from django.test import Client

    from yanglao.accounts.testing import mark_verified

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        mark_verified(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}
