"""Background task: a snapshot an officer asked for (django-tasks; `yanglao db_worker`)."""

from __future__ import annotations

from datetime import date

from django_tasks import task

from yanglao.accounts.models import User
from yanglao.statistics import snapshot


@task()
def snapshot_task(period: str, actor_id: int) -> None:
    actor = User.objects.filter(pk=actor_id).first()
    snapshot.compute(date.fromisoformat(period), actor=actor, note="工作人员手动计算")
