"""`yanglao scheduler`: run the periodic jobs of core.schedule.SCHEDULE in one process.

At start-up it first runs every job that is due (missed while stopped, or never run), so a
fresh demo shows this month's tasks and today's overdue visits at once; then it runs each
job at its time (APScheduler, Asia/Shanghai). `make run` starts it beside `db_worker`.
On a production server use either this command (as a service) or the cron lines / systemd
timers it prints — on one server only.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils import timezone

from yanglao.core import schedule


class Command(BaseCommand):
    help = "运行定时任务（启动时先补做错过的任务）；--print-cron / --print-systemd 输出生产环境配置"

    def add_arguments(self, parser: ArgumentParser) -> None:
        out = parser.add_mutually_exclusive_group()
        out.add_argument("--once", action="store_true", help="只补做到期的任务，然后退出")
        out.add_argument("--list", action="store_true", help="列出定时任务")
        out.add_argument("--print-cron", action="store_true", help="输出 crontab 行")
        out.add_argument("--print-systemd", action="store_true", help="输出 systemd 服务与定时器")
        parser.add_argument("--bin", default="/srv/yanglao/.venv/bin/yanglao")
        parser.add_argument("--env-file", default="/etc/yanglao/env")
        parser.add_argument("--user", default="yanglao")
        parser.add_argument("--workdir", default="/srv/yanglao")

    def handle(self, *args: Any, **o: Any) -> None:
        jobs = schedule.SCHEDULE
        if o["list"]:
            for j in jobs:
                self.stdout.write(f"{j.cron:<12} yanglao {' '.join(j.argv):<28} {j.description}")
            return
        if o["print_cron"]:
            self.stdout.write(
                "\n".join(schedule.cron_lines(jobs, bin=o["bin"], env_file=o["env_file"]))
            )
            return
        if o["print_systemd"]:
            units = schedule.systemd_units(
                jobs, bin=o["bin"], env_file=o["env_file"], user=o["user"], workdir=o["workdir"]
            )
            for name, text in units.items():
                self.stdout.write(f"# ---- /etc/systemd/system/{name} ----\n{text}")
            return
        state = schedule.State(settings.DATA_DIR / "scheduler.json")
        ran = schedule.catch_up(jobs, self._run, state, timezone.now)
        self.stdout.write(f"启动补做：{'、'.join(ran) if ran else '无到期任务'}")
        if o["once"]:
            return
        scheduler = BlockingScheduler(timezone=schedule.TZ)
        schedule.register(scheduler, jobs, self._run, state, timezone.now)
        self.stdout.write(f"定时任务已启动（{len(jobs)} 项，时区 {schedule.TZ}），按 Ctrl+C 停止")
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            scheduler.shutdown(wait=False)

    def _run(self, job: schedule.Job) -> None:
        _drop_stale_connections()
        try:
            self.stdout.write(f"[{timezone.localtime():%Y-%m-%d %H:%M}] {job.description}")
            call_command(*job.argv, stdout=self.stdout, stderr=self.stderr)
        finally:
            _drop_stale_connections()


def _drop_stale_connections() -> None:
    """A long-lived process must not reuse a connection the database has dropped overnight
    (never inside a transaction, e.g. the one a test runs in)."""
    if not connection.in_atomic_block:
        close_old_connections()
