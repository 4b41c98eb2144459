"""`yanglao benefits_nightly [--date D] [--since D]`: the nightly 应保尽保 / 应退尽退 run.

Idempotent and set-based: re-running for the same date changes nothing. Schedule it once a
night (cron or a systemd timer) after the ledger's imports.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yanglao.benefits import services


def _date(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{raw}") from exc


class Command(BaseCommand):
    help = "夜间资格排查：应保未保名单与复核任务（幂等）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--date", help="排查日期（默认今天）")
        parser.add_argument("--since", help="上次排查日期（默认前一天），用于年满90/100周岁")

    def handle(self, *args: Any, **options: Any) -> None:
        result = services.nightly(on=_date(options["date"]), since=_date(options["since"]))
        found = sum(result["candidates"].values())
        tasks = result["tasks"]
        self.stdout.write(
            f"{result['date']} 排查完成：应保未保 {found:,} 人次"
            f"（{', '.join(f'{k} {v:,}' for k, v in sorted(result['candidates'].items()))}）；"
            f"新复核任务：年满90周岁 {tasks['turned_90']}，年满100周岁 {tasks['turned_100']}，"
            f"不再符合条件 {tasks['status_lost']}，评估等级变化 {tasks['new_grade']}"
        )
