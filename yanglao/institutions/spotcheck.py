"""Pure rules of 双随机一公开 and rectification (no ORM): the reproducible draw, the number of
homes a ratio picks, the 20-working-day publication deadline and overdue rectifications.
Table-tested at every boundary in tests/test_spotcheck.py.

The draw is published with its inputs (seed, sorted candidate lists, 回避 pairs, ratio, team
size) so that anyone can re-run `draw()` and get the same selection; the algorithm is written
out step by step in docs/institutions.md ("抽取算法").
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from yanglao.core.workdays import NO_EXCEPTIONS, add_working_days

# 企业信息公示暂行条例 art. 7 (as applied to 双随机 results, supply-side §3.4): inspection
# results are published within 20 working days of being made.
PUBLISH_WORKING_DAYS = 20
# "At least two inspectors per task" (行政执法两人以上, 国办发〔2019〕5号 双随机 guidance).
MIN_INSPECTORS = 2
MAX_INSPECTORS = 5
# Default rectification period offered on a finding (days). 待核实: counties set their own.
DEFAULT_RECTIFY_DAYS = 30
SERIOUS_RECTIFY_DAYS = 7


class DrawError(ValueError):
    """The inputs cannot make a draw (Chinese message)."""


@dataclass(frozen=True)
class DrawInput:
    homes: tuple[str, ...]  # candidate home ids (检查对象名录库 after exclusions)
    inspectors: tuple[str, ...]  # candidate inspector ids (执法检查人员名录库)
    ratio: Decimal  # share of homes to draw, 0 < ratio <= 1
    seed: str
    conflicts: frozenset[tuple[str, str]] = frozenset()  # (inspector, home) pairs: 回避
    per_task: int = MIN_INSPECTORS


@dataclass(frozen=True)
class Assignment:
    home: str
    inspectors: tuple[str, ...]


@dataclass(frozen=True)
class DrawResult:
    count: int  # homes to draw (ratio applied)
    tasks: tuple[Assignment, ...]  # in draw order
    unstaffed: tuple[str, ...] = field(default=())  # drawn, but too few inspectors free of 回避

    def as_dict(self) -> dict[str, object]:
        return {
            "count": self.count,
            "tasks": [{"home": a.home, "inspectors": list(a.inspectors)} for a in self.tasks],
            "unstaffed": list(self.unstaffed),
        }


def parse_ratio(raw: object) -> Decimal:
    """A ratio from data or input ("0.05", "5%", Decimal); DrawError with a Chinese reason."""
    text = unicodedata.normalize("NFKC", str(raw)).strip()  # full-width ５％ as typed
    try:
        value = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
    except InvalidOperation as exc:
        raise DrawError("抽查比例应为0到1之间的小数，或百分数（如 5%）") from exc
    if not value.is_finite() or not Decimal(0) < value <= Decimal(1):
        raise DrawError("抽查比例应大于0且不超过100%")
    return value


def homes_to_draw(candidates: int, ratio: Decimal) -> int:
    """ceil(candidates × ratio), at least 1 when there is any candidate, at most all of them.

    Rounding up is our reading (待核实): a plan that says "不低于5%" is met only by rounding
    up; 19 homes at 5% draw 1 home, 21 homes draw 2.
    """
    if candidates <= 0:
        return 0
    n = int((Decimal(candidates) * ratio).to_integral_value(rounding=ROUND_CEILING))
    return max(1, min(candidates, n))


def canonical(ids: Iterable[str]) -> tuple[str, ...]:
    """Candidate ids as published: distinct, sorted by their text (Unicode code points)."""
    return tuple(sorted({str(i) for i in ids}))


def draw(data: DrawInput) -> DrawResult:
    """The 双随机 draw: random homes, then random inspectors for each, from one seeded stream.

    1. rng = random.Random(seed) (Python 3, seed a text string).
    2. homes = canonical(homes); k = homes_to_draw(len(homes), ratio);
       drawn = rng.sample(homes, k) (draw order kept).
    3. inspectors = canonical(inspectors); load[i] = 0 for each.
       For each drawn home, in draw order: eligible = inspectors not in a 回避 pair with it
       (in canonical order); if fewer than per_task, the home is "unstaffed" (no task, no
       random numbers used); else rng.shuffle(eligible), then a stable sort by load, the
       first per_task form the team (listed in canonical order) and their load goes up by 1.
    """
    if not MIN_INSPECTORS <= data.per_task <= MAX_INSPECTORS:
        raise DrawError(f"每个任务的检查人员应为{MIN_INSPECTORS}到{MAX_INSPECTORS}人")
    if not data.seed:
        raise DrawError("缺少随机种子")
    if not Decimal(0) < data.ratio <= Decimal(1):
        raise DrawError("抽查比例应大于0且不超过100%")
    homes = canonical(data.homes)
    inspectors = canonical(data.inspectors)
    if homes and len(inspectors) < data.per_task:
        raise DrawError(f"执法检查人员名录库不足{data.per_task}人，无法组成检查组")
    rng = random.Random(data.seed)
    k = homes_to_draw(len(homes), data.ratio)
    drawn = rng.sample(homes, k)
    load = dict.fromkeys(inspectors, 0)
    tasks: list[Assignment] = []
    unstaffed: list[str] = []
    for home in drawn:
        eligible = [i for i in inspectors if (i, home) not in data.conflicts]
        if len(eligible) < data.per_task:
            unstaffed.append(home)
            continue
        rng.shuffle(eligible)
        eligible.sort(key=lambda i: load[i])  # stable: ties keep the shuffled order
        team = tuple(sorted(eligible[: data.per_task]))
        for i in team:
            load[i] += 1
        tasks.append(Assignment(home, team))
    return DrawResult(k, tuple(tasks), tuple(unstaffed))


def publish_due(inspected_on: date, exceptions: Mapping[date, bool] = NO_EXCEPTIONS) -> date:
    """The last day to publish a result: 20 working days after the inspection (the calendar's
    holidays and 调休上班 weekends in `exceptions`)."""
    return add_working_days(inspected_on, PUBLISH_WORKING_DAYS, exceptions)


def publication_late(
    inspected_on: date,
    published_on: date | None,
    today: date,
    exceptions: Mapping[date, bool] = NO_EXCEPTIONS,
) -> bool:
    """Published after the due day, or still unpublished once it has passed."""
    due = publish_due(inspected_on, exceptions)
    return (published_on or today) > due


def rectification_overdue(deadline: date, closed: bool, today: date) -> bool:
    """An open finding whose deadline has passed escalates to the county (deadline day itself
    is still in time)."""
    return not closed and today > deadline
