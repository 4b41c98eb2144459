"""`python -m bench [names...] [--people N] [--runs R]`: run benchmarks on PostgreSQL.

DATABASE_URL if set, else postgresql://postgres@127.0.0.1:5432/yanglao_bench (created if
missing). YANGLAO_DATA_DIR defaults to a fixed directory under the system temp dir: the
encryption and hash keys live there and must stay the same while the bench data is reused.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
import unicodedata
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from bench import RUNS, Result, say

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/yanglao_bench"
BENCHMARKS = (
    "person_list",
    "ledger_import",
    "benefits",
    "visits",
    "inspections",
    "prepaid_risk",
    "settlement",
    "load",
    "scale",
    "stats",
)
RESULTS = Path(__file__).resolve().parent / "results"


def ensure_database(url: str) -> None:
    """Create the database named in `url` if it does not exist (connecting to `postgres`)."""
    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        say(f"已创建数据库 {name}")


def _safe_url(url: str) -> str:
    """The URL without user and password."""
    p = urlparse(url)
    return urlunparse(p._replace(netloc=f"{p.hostname or ''}{f':{p.port}' if p.port else ''}"))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def print_table(result: Result) -> None:
    header = ("用例", "中位数 ms", "最小 ms", "最大 ms", "基线 ms", "倍数", "说明")
    body = [
        (
            r.case,
            _fmt(r.median_ms),
            _fmt(r.min_ms),
            _fmt(r.max_ms),
            _fmt(r.baseline_ms),
            _fmt(r.ratio, 1),
            r.note,
        )
        for r in result.rows
    ]
    table = [header, *body]
    widths = [max(_width(row[i]) for row in table) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = []
        for i, (cell, w) in enumerate(zip(row, widths, strict=True)):
            pad = " " * (w - _width(cell))
            cells.append(cell + pad if i in (0, len(row) - 1) else pad + cell)
        return "  ".join(cells).rstrip()

    say(f"\n== {result.name} ==  基线：{result.baseline}")
    for key, value in result.meta.items():
        say(f"  {key}: {value}")
    say(line(header))
    say("  ".join("-" * w for w in widths))
    for row in body:
        say(line(row))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="性能基准（PostgreSQL）")
    parser.add_argument("names", nargs="*", help=f"要运行的基准，默认全部：{', '.join(BENCHMARKS)}")
    parser.add_argument(
        "--people", type=int, default=1_000_000, help="老年人数量（默认 1,000,000）"
    )
    parser.add_argument("--runs", type=int, default=RUNS, help=f"每个用例计时次数（默认 {RUNS}）")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"未知的基准：{', '.join(unknown)}（可选：{', '.join(BENCHMARKS)}）")

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("YANGLAO_DATA_DIR", str(Path(tempfile.gettempdir()) / "yanglao-bench"))
    os.environ.setdefault("YANGLAO_ENV", "development")  # throwaway keys for a throwaway database
    os.environ.setdefault("YANGLAO_STATIC_MANIFEST", "false")  # pages render without collectstatic
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yanglao.settings")
    ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    RESULTS.mkdir(exist_ok=True)
    for name in args.names or BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        result: Result = module.run(people=args.people, runs=args.runs)
        print_table(result)
        stamp = datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
        path = RESULTS / f"{name}-{stamp}.json"
        data = {
            **result.as_dict(),
            "finished_at": datetime.now().astimezone().isoformat(),
            "database": _safe_url(url),
            "python": sys.version.split()[0],
        }
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        say(f"结果已写入 {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
