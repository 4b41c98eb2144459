"""`yanglao worker`: the task worker (`db_worker`, same options) that outlives the database.

django-tasks-db's worker exits on the first OperationalError (a restarted PostgreSQL, a
dropped connection), and a task it was running stays RUNNING with its import at 校验中. This
one closes the broken connections, waits (1, 2, 4 … 60 s) and carries on; at start and after
every reconnection it runs the recovery commands (STARTUP), which give back batches a dead
worker left behind. systemd restarts it as well (deploy/yanglao-worker.service).

Its address space is capped (settings.WORKER_MEMORY_MB, `--memory-limit-mb`): a task that
needs more gets MemoryError (an import marks its batch failed) instead of taking the machine.
"""

from __future__ import annotations

import logging
import resource
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
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


def cap_memory(megabytes: int) -> None:
    """Limit this process's address space (RLIMIT_AS) to `megabytes`; 0 leaves it alone."""
    if megabytes <= 0:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = megabytes * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def recover() -> None:
    for name in STARTUP:
        call_command(name, verbosity=0)


class Command(db_worker.Command):
    help = "运行后台任务（导入校验与提交等）；数据库连接中断后自动重连并恢复中断的导入"

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--memory-limit-mb",
            type=int,
            default=None,
            help="进程内存上限（MB，默认取 WORKER_MEMORY_MB，0 表示不限）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        limit = options.pop("memory_limit_mb", None)
        cap_memory(settings.WORKER_MEMORY_MB if limit is None else limit)
        original = db_worker.Worker
        db_worker.Worker = SupervisedWorker  # type: ignore[misc]
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original  # type: ignore[misc]
