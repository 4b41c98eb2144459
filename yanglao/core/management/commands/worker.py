"""`yanglao worker`: the task worker (`db_worker`, same options) that outlives the database.

django-tasks-db's worker exits on the first OperationalError (a restarted PostgreSQL, a
dropped connection), and a task it was running stays RUNNING with its import at 校验中. This
one closes the broken connections, waits (1, 2, 4 … 60 s) and carries on; at start and after
every reconnection it runs the recovery commands (STARTUP), which give back batches a dead
worker left behind. systemd restarts it as well (deploy/yanglao-worker.service).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.db import close_old_connections, connections
from django.db.utils import InterfaceError, OperationalError
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

log = logging.getLogger("yanglao.worker")

# Management commands run at start and after the database comes back (by name: the core app
# does not import the apps above it).
STARTUP = ("imports_recover",)
MAX_WAIT = 60.0


class SupervisedWorker(db_worker.Worker):
    sleep: Callable[[float], None] = staticmethod(time.sleep)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        close_old_connections()  # a connection that died while the worker slept
        super().run_task(db_task_result)

    def run(self) -> None:
        failures = 0
        while self.running:
            try:
                recover()
                super().run()
                return  # --batch or --max-tasks: finished
            except (OperationalError, InterfaceError) as exc:
                failures += 1
                wait = min(MAX_WAIT, 2.0 ** (failures - 1))
                log.warning("数据库连接中断（%s），%.0f 秒后重试", exc.__class__.__name__, wait)
                for conn in connections.all(initialized_only=True):
                    try:
                        conn.close()
                    except Exception:  # already broken: forget it, the next query reconnects
                        conn.connection = None
                self.sleep(wait)


def recover() -> None:
    for name in STARTUP:
        call_command(name, verbosity=0)


class Command(db_worker.Command):
    help = "运行后台任务（导入校验与提交等）；数据库连接中断后自动重连并恢复中断的导入"

    def handle(self, *args: Any, **options: Any) -> None:
        original = db_worker.Worker
        db_worker.Worker = SupervisedWorker  # type: ignore[misc]
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original  # type: ignore[misc]
