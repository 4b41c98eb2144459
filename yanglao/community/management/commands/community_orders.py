"""`yanglao community_orders [--month YYYY-MM]`: generate the month's orders from
entitlements (a funding rule with a monthly cap buys N units a month).

Idempotent: run it daily and a person newly entitled gets an order; existing ones are kept."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yanglao.community import services


class Command(BaseCommand):
    help = "按待遇生成本月居家上门服务工单（可重复运行，不会重复生成）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--month", default="", help="月份，如 2026-06；默认本月")

    def handle(self, *args: Any, **options: Any) -> None:
        month = timezone.localdate().replace(day=1)
        if options["month"]:
            try:
                year, mon = options["month"].split("-")
                month = date(int(year), int(mon), 1)
            except ValueError as exc:
                raise CommandError("--month 格式应为 年-月，如 2026-06") from exc
        made = services.orders_generate(month=month)
        self.stdout.write(f"{month:%Y-%m}：按待遇新生成服务工单 {made:,} 条")
