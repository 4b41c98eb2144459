"""`yanglao audit_export`: audit rows as JSON lines (with their chain hashes) for an external
append-only store (syslog, a log server, WORM storage). Resumable: `--since ID` starts after a
row, and with `--output FILE` an existing file is continued after its last line's id."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from yanglao.core import chain


def last_exported_id(path: Path) -> int:
    """The id of the last complete line of an export file (0 for none)."""
    if not path.exists():
        return 0
    last = 0
    with path.open("rb") as f:
        for raw in f:
            if not raw.endswith(b"\n"):
                break  # a line cut short by a crash: rewritten by the next run
            last = int(json.loads(raw)["id"])
    return last


def _truncate_partial_line(path: Path) -> None:
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        path.write_bytes(data[: data.rfind(b"\n") + 1])


def line(row: dict[str, Any]) -> str:
    out = dict(row)
    out["occurred_at"] = chain._when(row["occurred_at"])
    return json.dumps(out, ensure_ascii=False, sort_keys=True, default=str)


class Command(BaseCommand):
    help = "导出审计日志为 JSON Lines（含链式哈希），可续传，供外部只追加存储接收"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--since", type=int, default=None, help="导出编号大于此值的记录")
        parser.add_argument("--output", default="-", help="文件（追加并续传）；- 为标准输出")
        parser.add_argument("--limit", type=int, default=None, help="最多导出多少条")

    def handle(self, *args: Any, **o: Any) -> None:
        since = o["since"]
        if since is not None and since < 0:
            raise CommandError("--since 不能为负数")
        out: IO[str] | OutputWrapper
        if o["output"] == "-":
            out, close = self.stdout, False
        else:
            path = Path(o["output"])
            if path.exists():
                _truncate_partial_line(path)
            if since is None:
                since = last_exported_id(path)
            out, close = path.open("a", encoding="utf-8"), True
        n = 0
        try:
            for row in chain.rows(after_id=since or 0):
                if o["limit"] is not None and n >= o["limit"]:
                    break
                out.write(line(row) + "\n")
                n += 1
            out.flush()
        finally:
            if close:
                out.close()
        self.stderr.write(f"已导出 {n} 条审计记录")
