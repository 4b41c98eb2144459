"""Demo figures: snapshots of the last six months (closed ones frozen) and the current month,
so the dashboards, trend lines and the bulletin page have something to show at once (the
nightly job keeps them current afterwards)."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from yanglao.statistics import rules, snapshot

MONTHS_BACK = 6


class Out(Protocol):
    def write(self, msg: str) -> object: ...


def load(out: Out, *, today: date) -> int:
    start = rules.month_start(today)
    periods = [rules.add_months(start, -back) for back in range(MONTHS_BACK, -1, -1)]
    for period in periods:
        snapshot.compute(period, today=today, note="演示数据")
    frozen = sum(1 for p in periods if rules.is_closed(p, today))
    out.write(
        f"统计快照：{len(periods)} 个月（其中 {frozen} 个月已结束并冻结，可生成统计月报）。\n"
    )
    return len(periods)
