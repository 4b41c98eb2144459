"""`yanglao imports_expire [--days 7]`: run daily by the scheduler."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from yanglao.imports.services import batches_expire


class Command(BaseCommand):
    help = "自动取消超过指定天数仍未提交的导入，删除上传文件和暂存数据（建议每天运行一次）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args: Any, **o: Any) -> None:
        n = batches_expire(days=o["days"])
        self.stdout.write(f"已取消 {n} 个过期的导入批次")
