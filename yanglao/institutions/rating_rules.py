"""Pure rules of 养老机构等级评定 (GB/T 37276-2018): scores → level, the publicity period, the
certificate's validity. No ORM; table-tested at every boundary in tests/test_rating_rules.py.

Scoring [S 长沙 实施细则 2021, mirroring the standard; domain/supply-side.md §3.2]: 1,000 points
= 环境 120 + 设施设备 130 + 运营管理 150 + 服务 600. A level needs BOTH a total and every part at
a share of that part's maximum. With the national values the part shares already imply the total
(40 % of every part is 400 ≥ 360, …, 90 % is 900 ≥ 900), so the total only binds under a local
table that lowers the shares: the table is a parameter (Jilin's 《吉林省养老机构等级评定暂行办法》
may differ — its text was not found, 待核实).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from yanglao.core.workdays import NO_EXCEPTIONS, add_working_days


@dataclass(frozen=True)
class Part:
    key: str
    label: str
    max_points: int


# GB/T 37276-2018 评定内容: the four parts and their maxima.
PARTS: tuple[Part, ...] = (
    Part("environment", "环境", 120),
    Part("facilities", "设施设备", 130),
    Part("management", "运营管理", 150),
    Part("service", "服务", 600),
)
PART_LABELS = {p.key: p.label for p in PARTS}
TOTAL_POINTS = sum(p.max_points for p in PARTS)  # 1000

LEVEL_LABELS = {1: "一级", 2: "二级", 3: "三级", 4: "四级", 5: "五级"}


@dataclass(frozen=True)
class LevelRule:
    level: int
    min_total: Decimal  # points out of 1,000
    min_share: Decimal  # percent of every part's maximum


# GB/T 37276-2018 thresholds [S 长沙 实施细则 2021]; highest first.
GB_37276_2018: tuple[LevelRule, ...] = (
    LevelRule(5, Decimal(900), Decimal(90)),
    LevelRule(4, Decimal(780), Decimal(80)),
    LevelRule(3, Decimal(570), Decimal(60)),
    LevelRule(2, Decimal(450), Decimal(50)),
    LevelRule(1, Decimal(360), Decimal(40)),
)


class ScoreError(ValueError):
    """Scores that cannot be rated (a part missing, negative or above its maximum)."""


@dataclass(frozen=True)
class RatingResult:
    level: int | None  # None: not even 一级
    total: Decimal
    parts: dict[str, Decimal]
    # Parts below the share the next level up needs (what keeps the home from it).
    short_of_next: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self.level] if self.level else "未达到一级"


def part_share_at_least(score: Decimal, max_points: int, share: Decimal) -> bool:
    """score / max ≥ share %, exactly (no rounding: 47.9 of 120 is 39.92 %, below 40 %)."""
    return score * 100 >= share * max_points


def _meets(rule: LevelRule, total: Decimal, parts: Mapping[str, Decimal]) -> bool:
    return total >= rule.min_total and all(
        part_share_at_least(parts[p.key], p.max_points, rule.min_share) for p in PARTS
    )


def rate(parts: Mapping[str, Decimal], table: Sequence[LevelRule] = GB_37276_2018) -> RatingResult:
    """The level the part scores reach under `table` (the highest level whose total and every
    part's share are met)."""
    clean: dict[str, Decimal] = {}
    for p in PARTS:
        if p.key not in parts:
            raise ScoreError(f"缺少“{p.label}”部分的得分")
        score = Decimal(parts[p.key])
        if not Decimal(0) <= score <= p.max_points:
            raise ScoreError(f"“{p.label}”部分得分应在0至{p.max_points}分之间")
        clean[p.key] = score
    total = sum(clean.values(), Decimal(0))
    ordered = sorted(table, key=lambda r: r.level, reverse=True)
    level = next((r.level for r in ordered if _meets(r, total, clean)), None)
    nxt = next((r for r in sorted(table, key=lambda r: r.level) if r.level > (level or 0)), None)
    short: tuple[str, ...] = ()
    if nxt is not None:
        short = tuple(
            p.key
            for p in PARTS
            if not part_share_at_least(clean[p.key], p.max_points, nxt.min_share)
        )
    return RatingResult(level, total, clean, short)


def part_totals(scores: Collection[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """Sum clause scores (part key, points) into the four parts."""
    out = {p.key: Decimal(0) for p in PARTS}
    for part, points in scores:
        out[part] += Decimal(points)
    return out


def grantable_level(requested: int, reached: int | None) -> int | None:
    """The committee grants at most the level applied for and at most the level the scores
    reach (a home that scores 四级 on a 三级 application is rated 三级)."""
    if reached is None:
        return None
    return min(requested, reached)


# 公示: the committee's result is published before the certificate. 5 working days is common
# local practice (待核实 for Jilin); the certificate may issue the working day after.
PUBLICITY_WORKING_DAYS = 5
# GB/T 37276-2018: a rating is valid for 3 years, then renewed by a new rating.
VALIDITY_YEARS = 3


def publicity_until(start: date, exceptions: Mapping[date, bool] = NO_EXCEPTIONS) -> date:
    """Last day of the publicity that starts on `start` (start counts as the first day when it
    is a working day; the calendar's holidays and 调休上班 weekends in `exceptions`)."""
    return add_working_days(start - timedelta(days=1), PUBLICITY_WORKING_DAYS, exceptions)


def valid_until(certified_on: date) -> date:
    """The last day of a certificate issued on `certified_on` (3 years, the day before the
    anniversary; a 29 February issue runs to 28 February)."""
    year = certified_on.year + VALIDITY_YEARS
    try:
        anniversary = certified_on.replace(year=year)
    except ValueError:  # 29 February → 1 March of a common year
        anniversary = date(year, 3, 1)
    return anniversary - timedelta(days=1)


def in_force(level: int | None, until: date | None, today: date) -> int | None:
    """The level a home holds today: none after its certificate's last day."""
    if level is None or until is None or until < today:
        return None
    return level


def downgraded(level: int) -> int | None:
    """One level down on a serious finding; 一级 loses its rating."""
    return level - 1 if level > 1 else None


def parse_points(raw: str | int | float | Decimal | None, max_points: int) -> Decimal | None:
    """A clause score typed by a person: full-width digits accepted, one decimal at most,
    0 ≤ points ≤ max. Empty → None. Raises ScoreError with a Chinese message."""
    import unicodedata
    from decimal import InvalidOperation

    if raw is None:
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if not text:
        return None
    if len(text) > 8 or not all(ch.isdigit() or ch == "." for ch in text):
        raise ScoreError("得分应为数字（最多一位小数）")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ScoreError("得分应为数字（最多一位小数）") from exc
    if value != value.quantize(Decimal("0.1")):
        raise ScoreError("得分最多保留一位小数")
    if value > max_points:
        raise ScoreError(f"得分不能超过该项分值{max_points}分")
    return value.quantize(Decimal("0.1"))
