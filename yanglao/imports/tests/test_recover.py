"""A batch left 提交中 or 校验中 by a killed worker is given back (issue 15, a real server)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from yanglao.core.models import AuditEvent
from yanglao.imports import services
from yanglao.imports.models import BatchStatus, ImportBatch
from yanglao.imports.tests.conftest import csv_bytes, line
from yanglao.people.models import Person

Run = Callable[..., ImportBatch]


def _stuck(run_import: Run, status: str = BatchStatus.COMMITTING) -> ImportBatch:
    batch = run_import(csv_bytes([line(), line(seq=2, name="李秀英")]))
    assert batch.status == BatchStatus.VALIDATED
    ImportBatch.objects.filter(pk=batch.pk).update(status=status)
    batch.refresh_from_db()
    return batch


def _task(batch: ImportBatch, name: str, status: str, started_ago: int | None) -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [batch.pk, batch.created_by_id], "kwargs": {}},
        task_path=f"yanglao.imports.tasks.{name}",
        backend_name="default",
        queue_name="default",
        run_after=now,
        started_at=None if started_ago is None else now - timedelta(minutes=started_ago),
    )


def test_killed_commit_goes_back_to_validated_and_can_be_committed(run_import: Run) -> None:
    batch = _stuck(run_import)
    # Today's defect: neither re-committable nor cancellable while 提交中.
    with pytest.raises(services.ImportInvalid):
        services.batch_commit_request(actor=batch.created_by, batch=batch)
    dead = _task(batch, "commit_task", TaskResultStatus.RUNNING, started_ago=30)
    assert services.batches_recover(minutes=10) == {"committing": 1, "validating": 0, "failed": 0}
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED and "中断" in batch.message
    dead.refresh_from_db()
    assert dead.status == TaskResultStatus.FAILED
    event = AuditEvent.objects.get(action=services.RECOVER_ACTION)
    assert event.object_id == str(batch.public_id) and event.actor is None
    services.batch_commit_request(actor=batch.created_by, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED and Person.objects.count() == 2


def test_recovered_batch_can_be_cancelled(run_import: Run) -> None:
    batch = _stuck(run_import)
    services.batches_recover(minutes=10)
    batch.refresh_from_db()
    services.batch_cancel(actor=batch.created_by, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CANCELLED


@pytest.mark.parametrize(
    ("status", "started_ago", "recovered"),
    [
        (TaskResultStatus.READY, None, False),  # queued: the worker will run it
        (TaskResultStatus.RUNNING, 1, False),  # started a minute ago: may still be running
        (TaskResultStatus.RUNNING, 9, False),  # inside the grace period
        (TaskResultStatus.RUNNING, 11, True),  # past it and nobody holds the row
        (TaskResultStatus.FAILED, 1, True),  # the task died, the batch was left behind
        (TaskResultStatus.SUCCESSFUL, 1, True),
    ],
)
def test_only_batches_without_a_live_task_are_recovered(
    run_import: Run, status: str, started_ago: int | None, recovered: bool
) -> None:
    batch = _stuck(run_import)
    _task(batch, "commit_task", status, started_ago)
    services.batches_recover(minutes=10)
    batch.refresh_from_db()
    assert batch.status == (BatchStatus.VALIDATED if recovered else BatchStatus.COMMITTING)
    assert AuditEvent.objects.filter(action=services.RECOVER_ACTION).exists() is recovered


def test_committed_and_validated_batches_are_left_alone(run_import: Run) -> None:
    batch = run_import(csv_bytes([line()]), commit=True)
    other = run_import(csv_bytes([line(seq=3)]))
    assert services.batches_recover(minutes=0) == {"committing": 0, "validating": 0, "failed": 0}
    batch.refresh_from_db()
    other.refresh_from_db()
    assert (batch.status, other.status) == (BatchStatus.COMMITTED, BatchStatus.VALIDATED)


def test_killed_validation_is_queued_again(run_import: Run) -> None:
    batch = _stuck(run_import, BatchStatus.VALIDATING)
    _task(batch, "validate_task", TaskResultStatus.RUNNING, started_ago=30)
    out = StringIO()
    call_command("imports_recover", "--minutes", "10", stdout=out)
    assert "1 个中断的校验" in out.getvalue()
    batch.refresh_from_db()  # tasks run inline in tests: validated again from the start
    assert batch.status == BatchStatus.VALIDATED and batch.counts["new"] == 2


def test_recovery_is_scheduled() -> None:
    from yanglao.core.schedule import SCHEDULE, on_calendar

    job = next(j for j in SCHEDULE if j.command == "imports_recover")
    assert on_calendar(job.cron)  # also a valid systemd timer


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_commit_still_holding_its_batch_is_not_recovered(run_import: Run) -> None:
    """A live commit locks the batch row (batch_commit: select_for_update); recovery passes
    over it even when its task looks old, and takes it once the lock is gone."""
    import psycopg
    from django.db import connection

    batch = _stuck(run_import)
    _task(batch, "commit_task", TaskResultStatus.RUNNING, started_ago=30)
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params) as other:
        other.execute("SELECT id FROM imports_importbatch WHERE id = %s FOR UPDATE", [batch.pk])
        assert services.batches_recover(minutes=10) == {
            "committing": 0,
            "validating": 0,
            "failed": 0,
        }
        batch.refresh_from_db()
        assert batch.status == BatchStatus.COMMITTING
        other.rollback()
    assert services.batches_recover(minutes=10)["committing"] == 1


def test_a_validation_that_keeps_killing_its_worker_is_not_queued_again(run_import: Run) -> None:
    """A native parser out of memory aborts the worker (no MemoryError): after the second lost
    validation the batch fails with a Chinese message instead of killing every worker in turn."""
    batch = _stuck(run_import, BatchStatus.VALIDATING)
    lost = _task(batch, "validate_task", TaskResultStatus.FAILED, started_ago=60)
    DBTaskResult.objects.filter(pk=lost.pk).update(exception_class_path=services.WORKER_LOST)
    _task(batch, "validate_task", TaskResultStatus.RUNNING, started_ago=30)
    out = StringIO()
    call_command("imports_recover", "--minutes", "10", stdout=out)
    assert "1 个多次中断的校验不再重试" in out.getvalue()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and "2 次被意外中断" in batch.message
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()
    row = AuditEvent.objects.filter(action=services.RECOVER_ACTION).latest("id")
    assert row.changes == {"status": [BatchStatus.VALIDATING, BatchStatus.FAILED]}
