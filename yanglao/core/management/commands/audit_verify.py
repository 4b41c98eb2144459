"""`yanglao audit_verify`: prove the audit hash chain unbroken, or say where it breaks."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yanglao.core import chain
from yanglao.core.dates import fmt_date
from yanglao.core.models import AuditEvent
from yanglao.core.retention import retention_days


class Command(BaseCommand):
    help = "校验审计日志的链式哈希；断开时输出第一条不符记录的编号和原因，并以非零状态退出"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--after-id", type=int, default=0, help="从此编号之后开始（配合 --anchor 续验）"
        )
        parser.add_argument("--anchor", default=None, help="--after-id 那一行的 chain_hash")

    def handle(self, *args: Any, **o: Any) -> None:
        if o["after_id"] and not o["anchor"]:
            raise CommandError("使用 --after-id 时必须同时给出那一行的 --anchor 哈希")
        result = chain.verify(after_id=o["after_id"], anchor=o["anchor"])
        if result.unchained:
            self.stdout.write(f"链建立之前的记录（无哈希）：{result.unchained} 条")
        if result.broken is not None:
            raise CommandError(
                f"审计链断开：第一条不符记录 id={result.broken.event_id}，"
                f"原因：{result.broken.reason}（之前已校验 {result.checked} 条）"
            )
        self._retention()
        self.stdout.write(
            f"审计链完整：已校验 {result.checked} 条（id {result.first_id}–{result.last_id}），"
            f"链尾哈希 {result.head}"
        )

    def _retention(self) -> None:
        days = retention_days()
        policy = "永久保存" if days == 0 else f"保存 {days} 天"
        oldest = AuditEvent.objects.order_by("id").values_list("occurred_at", flat=True).first()
        since = f"，最早记录 {fmt_date(oldest)}" if oldest else ""
        self.stdout.write(f"保存期限：{policy}{since}")
