"""`yanglao regions load FILE` — load or refresh a region tree (idempotent)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yanglao.regions.services import JILIN_CSV, RegionFileError, regions_load


class Command(BaseCommand):
    help = "加载或更新行政区划（CSV：code,name,level,parent_code）；重复加载不会重复写入"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="加载区划文件")
        load.add_argument(
            "file",
            nargs="?",
            default=str(JILIN_CSV),
            help="CSV 文件路径，默认为随附的吉林省五级区划",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        try:
            report = regions_load(text=path.read_text(encoding="utf-8-sig"), actor=None)
        except RegionFileError as exc:
            raise CommandError(f"区划文件有误，未做任何修改：{exc}") from exc
        self.stdout.write(f"区划加载完成：{report.summary()}")
        for code, old, new in report.renamed[:50]:
            self.stdout.write(f"  更名 {code}：{old} → {new}")
        for code in report.retired[:50]:
            self.stdout.write(f"  停用 {code}")
