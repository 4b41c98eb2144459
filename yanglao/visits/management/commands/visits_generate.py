"""`yanglao visits_generate [--month YYYY-MM]`: create the month's visit tasks.

Set-based and idempotent: run it daily (cron) and anyone newly eligible gets a task, while
existing tasks are left alone."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yanglao.visits import rules, services


class Command(BaseCommand):
    help = "生成某月的巡访任务（可重复运行，不会重复生成）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--month", default="", help="月份，如 2026-06；默认本月")

    def handle(self, *args: Any, **options: Any) -> None:
        month = rules.parse_month(options["month"]) if options["month"] else timezone.localdate()
        if month is None:
            raise CommandError("--month 格式应为 年-月，如 2026-06")
        report = services.tasks_generate(month=month)
        parts = "，".join(f"{k} {v:,}" for k, v in report.created.items())
        self.stdout.write(f"{report.month:%Y-%m}：新生成巡访任务 {report.total:,} 条（{parts}）")
