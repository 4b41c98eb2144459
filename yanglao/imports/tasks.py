"""Background tasks of the import (django-tasks; `yanglao db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task

from yanglao.imports import services


@task()
def validate_task(batch_id: int) -> None:
    services.batch_validate(batch_id)


@task()
def commit_task(batch_id: int, actor_id: int) -> None:
    try:
        services.batch_commit(batch_id, actor_id)
    except services.StaleBatch:
        return  # the batch carries the message for the page
