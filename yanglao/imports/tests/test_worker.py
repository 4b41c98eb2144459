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
