"""Benchmarks on PostgreSQL: `python -m bench [names...] [--people N]` (`make bench`).

Each benchmark measures its cases and, in the same run, a baseline (a plain `count(*)` of
the table), and reports the ratio, so results from different machines can be compared.
This module imports no Django code: `bench.__main__` configures the environment first.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

RUNS = 7
WARMUP = 1


def say(*parts: object) -> None:
    """Console output of the harness (flushed: generation runs for minutes)."""
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")
    sys.stdout.flush()


@dataclass
class Timing:
    median_ms: float
    min_ms: float
    max_ms: float
    runs: int


def measure(fn: Callable[[], object], *, runs: int = RUNS, warmup: int = WARMUP) -> Timing:
    """Median wall time of `runs` calls after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    samples: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return Timing(statistics.median(samples), min(samples), max(samples), runs)


@dataclass
class Row:
    """One measured case; `ratio` is median / baseline median."""

    case: str
    median_ms: float | None
    min_ms: float | None = None
    max_ms: float | None = None
    baseline_ms: float | None = None
    ratio: float | None = None
    note: str = ""


@dataclass
class Result:
    name: str
    baseline: str
    rows: list[Row] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def add(self, case: str, timing: Timing | None, baseline: Timing | None, note: str = "") -> Row:
        if timing is None:
            row = Row(case, None, note=note)
        else:
            base = baseline.median_ms if baseline else None
            row = Row(
                case,
                timing.median_ms,
                timing.min_ms,
                timing.max_ms,
                base,
                timing.median_ms / base if base else None,
                note,
            )
        self.rows.append(row)
        return row

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "baseline": self.baseline,
            "meta": self.meta,
            "rows": [asdict(r) for r in self.rows],
        }
