"""`yanglao stats_snapshot [--period YYYY-MM] [--today YYYY-MM-DD]`: the nightly statistics job.

Without --period: refresh the running month (and the previous one until it closes; the first
run after it closes freezes it). With --period: recompute that month; a closed month gets a
new version that lists what changed."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yanglao.statistics import rules, snapshot


class Command(BaseCommand):
    help = "计算统计快照（每晚运行；已结束月份冻结并按版本保存）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--period", default="", help="统计月份 年-月，默认本月和未结束的上月")
        parser.add_argument("--today", default="", help="按哪一天计算，默认今天")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("--today 格式应为 年-月-日") from exc
        if options["period"]:
            period = rules.parse_period(options["period"])
            if period is None:
                raise CommandError("--period 格式应为 年-月，例如 2026-11")
            done = [snapshot.compute(period, today=today, note="命令行计算")]
        else:
            done = snapshot.nightly(today=today)
        for s in done:
            self.stdout.write(
                f"{s.period:%Y-%m} 第{s.version}版（{s.get_status_display()}）："
                f"{s.rows:,} 个数值，用时 {s.seconds:.1f} 秒，变化 {s.changed:,} 个"
            )
