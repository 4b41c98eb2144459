"""The task worker survives a dropped database connection (issue 15, a real server)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.utils import OperationalError
from django.test import override_settings
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

from yanglao.core.management.commands.worker import SupervisedWorker
from yanglao.imports.models import BatchStatus, ImportBatch
from yanglao.imports.tests.conftest import csv_bytes, line

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _worker() -> SupervisedWorker:
    return SupervisedWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


@pytest.mark.django_db(transaction=True)
def test_worker_reconnects_and_finishes_the_queued_validation(
    run_import: Callable[..., ImportBatch], monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = run_import(csv_bytes([line(), line(seq=2, name="李秀英")]))
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.VALIDATING, counts={})
    with override_settings(TASKS=DB_TASKS):
        from yanglao.imports.tasks import validate_task

        validate_task.enqueue(batch.pk)
        assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1

        # The database goes away twice while the worker polls, then comes back.
        real_ready = DBTaskResultQuerySet.ready
        drops = {"left": 2}

        def ready(self: Any) -> Any:
            if drops["left"]:
                drops["left"] -= 1
                raise OperationalError("server closed the connection unexpectedly")
            return real_ready(self)

        monkeypatch.setattr(DBTaskResultQuerySet, "ready", ready)
        waits: list[float] = []
        worker = _worker()
        worker.sleep = waits.append
        worker.run()  # --batch: returns once the queue is empty

    assert waits == [1.0, 2.0]  # backed off, did not exit
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED and batch.counts["new"] == 2
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db(transaction=True)
def test_worker_start_recovers_a_commit_its_predecessor_left(
    run_import: Callable[..., ImportBatch],
) -> None:
    batch = run_import(csv_bytes([line()]))
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.COMMITTING)
    with override_settings(TASKS=DB_TASKS):
        _worker().run()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED and "中断" in batch.message


# --- memory cap (issue 15: an xlsx bomb took the web process to 2.2 GB) -------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("argv", "megabytes"), [((), 300), (("--memory-limit-mb", "512"), 512)])
def test_worker_caps_its_address_space(
    monkeypatch: pytest.MonkeyPatch, settings: Any, argv: tuple[str, ...], megabytes: int
) -> None:
    import resource

    from django.core.management import call_command

    calls: list[tuple[int, tuple[int, int]]] = []
    monkeypatch.setattr(resource, "setrlimit", lambda which, lim: calls.append((which, lim)))
    settings.WORKER_MEMORY_MB = 300
    with override_settings(TASKS=DB_TASKS):
        call_command("worker", "--batch", "--no-startup-delay", *argv, verbosity=0)
    assert [(w, soft) for w, (soft, _) in calls] == [(resource.RLIMIT_AS, megabytes << 20)]


def test_the_cap_turns_a_huge_allocation_into_memory_error() -> None:
    import subprocess
    import sys

    script = (
        "import django; django.setup()\n"
        "from yanglao.core.management.commands.worker import cap_memory\n"
        "cap_memory(400)\n"
        "try:\n"
        "    bytearray(800 << 20)\n"
        "except MemoryError:\n"
        "    print('MemoryError')\n"
        "print(len(bytearray(50 << 20)))\n"  # the process goes on
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "yanglao.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.split() == ["MemoryError", str(50 << 20)], done.stderr


@pytest.mark.django_db
def test_validation_out_of_memory_fails_its_own_batch(
    run_import: Callable[..., ImportBatch], monkeypatch: pytest.MonkeyPatch
) -> None:
    from yanglao.imports import services

    def huge(self: Any) -> None:
        raise MemoryError

    monkeypatch.setattr(services._Validator, "run", huge)
    batch = run_import(csv_bytes([line()]))
    assert batch.status == BatchStatus.FAILED and batch.message == services.TOO_BIG
