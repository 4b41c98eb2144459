"""`yanglao imports_recover [--minutes 10]`: run by the scheduler and at worker start."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from yanglao.imports.services import batches_recover


class Command(BaseCommand):
    help = "恢复被中断的导入：处理进程停止后仍显示“提交中”或“校验中”的批次"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--minutes", type=int, default=10)

    def handle(self, *args: Any, **o: Any) -> None:
        done = batches_recover(minutes=o["minutes"])
        if o["verbosity"] or any(done.values()):
            self.stdout.write(
                f"已恢复 {done['committing']} 个中断的提交、{done['validating']} 个中断的校验"
                + (f"；{done['failed']} 个多次中断的校验不再重试" if done["failed"] else "")
            )
