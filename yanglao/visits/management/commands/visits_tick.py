"""`yanglao visits_tick [--today YYYY-MM-DD]`: the daily overdue job.

Compare-and-set updates with one event row per moved task: pending tasks past their due
date become 逾期; open tasks whose period ended more than the grace days ago become 未访.
Running it twice on a day moves nothing the second time."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yanglao.visits import services


class Command(BaseCommand):
    help = "标记逾期和未访的巡访任务（每日运行）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--today", default="", help="按哪一天计算，默认今天")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("--today 格式应为 年-月-日") from exc
        report = services.tasks_tick(today=today)
        self.stdout.write(f"逾期 {report.overdue:,} 条，周期结束未访 {report.missed:,} 条")
