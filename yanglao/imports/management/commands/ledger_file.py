"""`yanglao ledger_file OUT --rows N [--errors 0.05] [--county 220102] [--encoding gbk]`."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yanglao.imports.ledgerfile import ledger_rows, write_ledger
from yanglao.people.generator import DEFAULT_SEED, load_villages


class Command(BaseCommand):
    help = "生成模拟的老年人台账文件（csv 或 xlsx），可按比例加入常见错误，用于测试和培训"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("out", help="输出文件，.csv 或 .xlsx")
        parser.add_argument("--rows", type=int, default=1000, help="数据行数")
        parser.add_argument("--errors", type=float, default=0.0, help="有错误的行的比例，如 0.05")
        parser.add_argument("--county", default="", help="只用该区划（如 220102）下的村（社区）")
        parser.add_argument("--encoding", default="utf-8-sig", help="csv 编码：utf-8-sig 或 gbk")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)

    def handle(self, *args: Any, **o: Any) -> None:
        villages = [v for v in load_villages(seed=o["seed"]) if v.code.startswith(o["county"])]
        if not villages:
            raise CommandError("没有可用的村（社区）：请先加载区划（yanglao regions load）")
        out = Path(o["out"])
        rows = ledger_rows(
            villages, o["rows"], seed=o["seed"], today=timezone.localdate(), error_share=o["errors"]
        )
        n = write_ledger(out, rows, encoding=o["encoding"])
        self.stdout.write(f"已写入 {out}：{n} 行")
